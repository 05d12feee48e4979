import { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { renderFragment } from '../../http/views.ts';
import { csvStream } from '../../platform/csv.ts';
import { can } from '../accounts/domain.ts';
import { ALL_COLUMN_NAMES } from './authorities.csv.ts';
import { exportRecord } from './authorities.csv-export.ts';
import { headOfServiceRoutes } from './authorities.heads-of-service.routes.ts';
import { authorityForm, directoryQuery, type DirectoryQuery } from './authorities.schemas.ts';
import {
  filterQueryString,
  formValues,
  kindItems,
  missingAreas,
  regionItems,
  selectedFilters,
  shownValues,
  spreadsheetSafe,
} from './presenters.ts';

/**
 * The directory's filter panel (four GOV.UK controls inside the MOJ filter) shows only the four
 * filters' values, so it is rendered once for each set of them and kept rather than on every
 * request. Bounded by count (the words searched for vary); a panel is about 6 KB.
 */
const filterPanels = new LRUCache<string, string>({ max: 1000 });

function filterPanel(query: DirectoryQuery): string {
  const key = JSON.stringify([query.q ?? null, query.kind ?? null, query.region ?? null, query.status ?? null]);
  let html = filterPanels.get(key);
  if (html === undefined) {
    html = renderFragment('authorities/views/partials/directory-filters.njk', {
      query,
      kindItems: kindItems(query.kind, 'Any kind'),
      regionItems: regionItems(query.region, 'Any region'),
      selectedFilters: selectedFilters(query),
    });
    filterPanels.set(key, html);
  }
  return html;
}

/** Staff pages of the authority directory: search, export, an authority, adding, changing and closing one. */
export function directoryRoutes(services: Services): PageRoute[] {
  const { authorities } = services;
  return [
    page({
      url: '/staff/authorities',
      access: 'authorities:read',
      query: directoryQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const found = await authorities.search(actor, query);
        return reply.render('authorities/views/directory.njk', {
          query,
          allowedTo: { manage: can(actor, 'authorities:manage'), import: can(actor, 'authorities:import') },
          page: found,
          filtersHtml: filterPanel(query),
          nextHref: found.nextCursor
            ? `/staff/authorities${filterQueryString(query, { cursor: found.nextCursor })}`
            : null,
          previousHref: found.previousCursor
            ? `/staff/authorities${filterQueryString(query, { cursor: found.previousCursor })}`
            : null,
          exportHref: `/staff/authorities/export${filterQueryString(query)}`,
        });
      },
    }),
    page({
      url: '/staff/authorities/export',
      access: 'authorities:read',
      query: directoryQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const batches = authorities.exportRows(actor, query);
        async function* records() {
          yield ALL_COLUMN_NAMES;
          for await (const batch of batches) for (const a of batch) yield exportRecord(a).map(spreadsheetSafe);
        }
        const stream = Readable.from(records()).pipe(csvStream());
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="authorities.csv"')
          .header('cache-control', 'no-store')
          .send(stream);
      },
    }),
    page({
      url: '/staff/authorities/new',
      access: 'authorities:manage',
      handler: async (_input, request, reply) =>
        reply.render('authorities/views/authority-form.njk', {
          heading: 'Add an authority',
          action: '/staff/authorities/new',
          kindItems: kindItems(request.flash.values?.kind, 'Select a kind'),
          regionItems: regionItems(request.flash.values?.region, 'Select a region'),
          cancelHref: '/staff/authorities',
        }),
    }),
    form({
      url: '/staff/authorities/new',
      access: 'authorities:manage',
      body: authorityForm,
      back: '/staff/authorities/new',
      action: async ({ actor, body }) => {
        const id = await authorities.create(actor, body);
        return { to: `/staff/authorities/${id}`, notice: 'Authority added' };
      },
    }),
  ];
}

/** An authority's own staff pages: the authority, changing it, closing and reopening it, its heads of service. */
export function authorityRoutes(services: Services): PageRoute[] {
  const { authorities } = services;
  return [
    page({
      url: '/staff/authorities/:id',
      access: 'authorities:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const authority = await authorities.getAuthority(actor, params.id);
        const [{ officers: linkOfficers }, openCases, overdueResponses, remedyRates, refused, trainingHistory] =
          await Promise.all([
            services.linkOfficers.officers(actor, authority.id),
            services.complaints.countOpenForAuthority(actor, authority.id),
            services.enquiries.countOverdueForAuthority(actor, authority.id),
            services.remedies.rates(actor, authority.id),
            services.correspondence.recentBounces(actor, authority.id),
            services.training.authorityHistory(actor, authority.id),
          ]);
        return reply.render('authorities/views/authority.njk', {
          authority,
          linkOfficers,
          openCases,
          overdueResponses,
          remedyRates,
          refused,
          trainingHistory,
          canManage: can(actor, 'authorities:manage'),
          officerActions: can(actor, 'authorities:manage'),
          canInvite: can(actor, 'users:manage'),
          canAddHead: missingAreas(authority).length > 0,
        });
      },
    }),
    page({
      url: '/staff/authorities/:id/edit',
      access: 'authorities:manage',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const authority = await authorities.getAuthority(actor, params.id);
        const values = shownValues(request.flash.values, () => formValues(authority));
        return reply.render('authorities/views/authority-form.njk', {
          heading: `Change ${authority.name}`,
          action: `/staff/authorities/${authority.id}/edit`,
          values,
          kindItems: kindItems(values.kind, 'Select a kind'),
          regionItems: regionItems(values.region, 'Select a region'),
          cancelHref: `/staff/authorities/${authority.id}`,
        });
      },
    }),
    form({
      url: '/staff/authorities/:id/edit',
      access: 'authorities:manage',
      params: withId,
      body: authorityForm,
      back: ({ params }) => `/staff/authorities/${params.id}/edit`,
      action: async ({ actor, params, body }) => {
        await authorities.update(actor, params.id, body);
        return { to: `/staff/authorities/${params.id}`, notice: 'Authority changed' };
      },
    }),
    page({
      url: '/staff/authorities/:id/close',
      access: 'authorities:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const authority = await authorities.getAuthority(actor, params.id);
        if (!authority.active) return reply.redirect(`/staff/authorities/${authority.id}`, 303);
        const openCases = await services.complaints.countOpenForAuthority(actor, authority.id);
        return reply.render('authorities/views/close.njk', { authority, openCases });
      },
    }),
    ...(
      [
        ['close', true, 'Authority closed'],
        ['reopen', false, 'Authority reopened'],
      ] as const
    ).map(([action, closed, notice]) =>
      form({
        url: `/staff/authorities/:id/${action}`,
        access: 'authorities:manage',
        params: withId,
        body: z.object({}),
        back: ({ params }) => `/staff/authorities/${params.id}`,
        action: async ({ actor, params, back }) => {
          await authorities.setClosed(actor, params.id, closed);
          return { to: back, notice };
        },
      }),
    ),
    ...headOfServiceRoutes(services, {
      prefix: '/staff/authorities',
      access: 'authorities:manage',
      back: (id) => `/staff/authorities/${id}`,
      done: (id) => `/staff/authorities/${id}#contacts`,
    }),
  ];
}
