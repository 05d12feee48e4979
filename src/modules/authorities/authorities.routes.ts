import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { LRUCache } from 'lru-cache';
import type { Services } from '../../services.ts';
import { handleForm, parseForm, redirectWithErrors } from '../../http/forms.ts';
import { type Access, type PageRoute, actorOf, idParam } from '../../http/routes.ts';
import { renderFragment } from '../../http/views.ts';
import { notFound } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import {
  ALL_COLUMN_NAMES,
  HEAD_OF_SERVICE_FIELDS,
  HEAD_OF_SERVICE_GROUPS,
  IMPORT_COLUMNS,
  MAX_IMPORT_ROWS,
  STATUS_COLUMN,
  exportRecord,
  templateRows,
} from './authorities.csv.ts';
import {
  authorityForm,
  contactsForm,
  directoryQuery,
  headOfServiceForm,
  type DirectoryQuery,
} from './authorities.schemas.ts';
import { MAX_ROW_ERRORS, type AuthorityDetail, type ImportStatus } from './authorities.service.ts';
import { AUTHORITY_KINDS, KIND_NAMES, REGIONS, SERVICE_AREAS, SERVICE_AREA_NAMES, isServiceArea } from './domain.ts';

const IMPORT_STATUS_TEXT: Record<ImportStatus, string> = {
  checking: 'checking rows',
  saving: 'saving',
  succeeded: 'imported',
  failed: 'not imported',
};

/** The largest CSV file the import page takes. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The query string for the directory's filters, without the cursor, plus any extra parameters. */
export function filterQueryString(query: DirectoryQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.kind) params.set('kind', query.kind);
  if (query.region) params.set('region', query.region);
  if (query.status) params.set('status', query.status);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The "selected filters" panel of the MOJ filter: one removable tag per filter applied. */
function selectedFilters(query: DirectoryQuery) {
  const without = (key: keyof DirectoryQuery) =>
    `/staff/authorities${filterQueryString({ ...query, [key]: undefined, ...(key === 'q' ? { q: '' } : {}) })}`;
  const categories: { heading: { text: string }; items: { href: string; text: string }[] }[] = [];
  if (query.q)
    categories.push({ heading: { text: 'Name or reference' }, items: [{ href: without('q'), text: query.q }] });
  if (query.kind)
    categories.push({ heading: { text: 'Kind' }, items: [{ href: without('kind'), text: KIND_NAMES[query.kind] }] });
  if (query.region)
    categories.push({ heading: { text: 'Region' }, items: [{ href: without('region'), text: query.region }] });
  if (query.status)
    categories.push({
      heading: { text: 'Status' },
      items: [{ href: without('status'), text: query.status === 'active' ? 'Open' : 'Closed' }],
    });
  return categories.length > 0
    ? {
        heading: { text: 'Selected filters' },
        clearLink: { text: 'Clear filters', href: '/staff/authorities' },
        categories,
      }
    : null;
}

const kindItems = (selected: string | undefined, blank: string) => [
  { value: '', text: blank, selected: !selected },
  ...AUTHORITY_KINDS.map((k) => ({ value: k, text: KIND_NAMES[k], selected: selected === k })),
];
const regionItems = (selected: string | undefined | null, blank: string) => [
  { value: '', text: blank, selected: !selected },
  ...REGIONS.map((r) => ({ value: r, text: r, selected: selected === r })),
];
const serviceAreaItems = (selected: string | undefined) => [
  { value: '', text: 'Select a service area', selected: !selected },
  ...SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a], selected: selected === a })),
];

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

/** The authority form's values from a stored authority (for the edit page). */
function formValues(a: AuthorityDetail): Record<string, string> {
  return {
    name: a.name,
    kind: a.kind,
    reference: a.reference ?? '',
    address: a.address ?? '',
    region: a.region ?? '',
    genericInbox: a.genericInbox ?? '',
    ceTitle: a.chiefExecutive?.title ?? '',
    ceName: a.chiefExecutive?.name ?? '',
    ceJobTitle: a.chiefExecutive?.jobTitle ?? '',
    ceEmail: a.chiefExecutive?.email ?? '',
    moTitle: a.monitoringOfficer?.title ?? '',
    moName: a.monitoringOfficer?.name ?? '',
    moJobTitle: a.monitoringOfficer?.jobTitle ?? '',
    moEmail: a.monitoringOfficer?.email ?? '',
  };
}

const hasValues = (values: Record<string, unknown>) => Object.keys(values).length > 0;

/** The head of service form's values from a stored head of service. */
const headValues = (head: AuthorityDetail['headsOfService'][number]): Record<string, string> => ({
  serviceArea: head.serviceArea ?? '',
  title: head.title ?? '',
  name: head.name,
  jobTitle: head.jobTitle,
  email: head.email,
});

/** The service areas without a head of service. */
const missingAreas = (authority: AuthorityDetail) =>
  SERVICE_AREAS.filter((a) => !authority.headsOfService.some((h) => h.serviceArea === a));

/** Staff pages of the authority directory, and the authority portal's own contacts page. */
export function authoritiesRoutes(services: Services): PageRoute[] {
  const { authorities } = services;
  return [
    {
      method: 'GET',
      url: '/staff/authorities',
      access: 'authorities:read',
      handler: async (request, reply) => {
        const query = directoryQuery.parse(request.query ?? {});
        const page = await authorities.search(actorOf(request), query);

        const actor = actorOf(request);
        return reply.render('authorities/views/directory.njk', {
          query,
          allowedTo: { manage: can(actor, 'authorities:manage'), import: can(actor, 'authorities:import') },
          page,
          filtersHtml: filterPanel(query),
          nextHref: page.nextCursor
            ? `/staff/authorities${filterQueryString(query, { cursor: page.nextCursor })}`
            : null,
          previousHref: page.previousCursor
            ? `/staff/authorities${filterQueryString(query, { cursor: page.previousCursor })}`
            : null,
          exportHref: `/staff/authorities/export${filterQueryString(query)}`,
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/authorities/export',
      access: 'authorities:read',
      handler: async (request, reply) => {
        const query = directoryQuery.parse(request.query ?? {});
        const batches = authorities.exportRows(actorOf(request), query);
        async function* records() {
          yield ALL_COLUMN_NAMES;
          for await (const batch of batches) for (const a of batch) yield exportRecord(a).map(spreadsheetSafe);
        }
        const stream = Readable.from(records()).pipe(stringify({ bom: true }));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="authorities.csv"')
          .header('cache-control', 'no-store')
          .send(stream);
      },
    },
    {
      method: 'GET',
      url: '/staff/authorities/new',
      access: 'authorities:manage',
      handler: async (request, reply) =>
        reply.render('authorities/views/authority-form.njk', {
          heading: 'Add an authority',
          action: '/staff/authorities/new',
          kindItems: kindItems(request.flash.values?.kind as string | undefined, 'Select a kind'),
          regionItems: regionItems(request.flash.values?.region as string | undefined, 'Select a region'),
          cancelHref: '/staff/authorities',
        }),
    },
    {
      method: 'POST',
      url: '/staff/authorities/new',
      access: 'authorities:manage',
      handler: async (request, reply) =>
        handleForm(request, reply, '/staff/authorities/new', async () => {
          const input = parseForm(authorityForm, request.body);
          const id = await authorities.create(actorOf(request), input);
          reply.setFlash({ notice: 'Authority added' });
          return `/staff/authorities/${id}`;
        }),
    },
    {
      method: 'GET',
      url: '/staff/authorities/import',
      access: 'authorities:import',
      handler: async (request, reply) =>
        reply.render('authorities/views/import.njk', {
          columns: IMPORT_COLUMNS,
          statusColumn: STATUS_COLUMN,
          headFields: HEAD_OF_SERVICE_FIELDS,
          headGroups: HEAD_OF_SERVICE_GROUPS,
          maxRows: MAX_IMPORT_ROWS,
          maxMegabytes: MAX_UPLOAD_BYTES / 1024 / 1024,
          imports: await authorities.recentImports(actorOf(request)),
          statusText: IMPORT_STATUS_TEXT,
        }),
    },
    {
      method: 'GET',
      url: '/staff/authorities/import/template.csv',
      access: 'authorities:import',
      handler: async (_request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="authorities-template.csv"')
          .send(stringifySync(templateRows(), { bom: true })),
    },
    {
      method: 'POST',
      url: '/staff/authorities/import',
      access: 'authorities:import',
      handler: async (request, reply) => {
        const back = '/staff/authorities/import';
        const missing = [{ field: 'file', message: 'Select a CSV file' }];
        if (!request.isMultipart()) return redirectWithErrors(request, reply, back, missing);
        const file = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
        if (!file) return redirectWithErrors(request, reply, back, missing);
        let bytes: Buffer;
        try {
          bytes = await file.toBuffer();
        } catch (error) {
          if (error instanceof Error && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE') {
            return redirectWithErrors(request, reply, back, [
              { field: 'file', message: `The selected file must be smaller than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` },
            ]);
          }
          throw error;
        }
        if (bytes.length === 0 && !file.filename) return redirectWithErrors(request, reply, back, missing);
        return handleForm(request, reply, back, async () => {
          const id = await authorities.startImport(actorOf(request), file.filename, bytes);
          return `/staff/authorities/import/${id}`;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/authorities/import/:importId',
      access: 'authorities:import',
      handler: async (request, reply) => {
        const { importId } = request.params as { importId: string };
        const { auto } = request.query as { auto?: string };
        const progress = await authorities.getImport(actorOf(request), importId);
        const running = progress.status === 'checking' || progress.status === 'saving';
        const autoRefresh = running && auto !== 'off';
        // While it runs, the page reloads itself every few seconds (an HTTP header, no script), unless turned off.
        if (autoRefresh) reply.header('refresh', '2');
        return reply.render('authorities/views/import-progress.njk', {
          progress,
          running,
          autoRefresh,
          maxErrors: MAX_ROW_ERRORS,
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/authorities/:id',
      access: 'authorities:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const authority = await authorities.getAuthority(actor, idParam(request));
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
    },
    {
      method: 'GET',
      url: '/staff/authorities/:id/edit',
      access: 'authorities:manage',
      handler: async (request, reply) => {
        const authority = await authorities.getAuthority(actorOf(request), idParam(request));
        const values = hasValues(request.flash.values ?? {}) ? (request.flash.values ?? {}) : formValues(authority);
        return reply.render('authorities/views/authority-form.njk', {
          heading: `Change ${authority.name}`,
          action: `/staff/authorities/${authority.id}/edit`,
          values,
          kindItems: kindItems(values.kind as string | undefined, 'Select a kind'),
          regionItems: regionItems(values.region as string | undefined, 'Select a region'),
          cancelHref: `/staff/authorities/${authority.id}`,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/authorities/:id/edit',
      access: 'authorities:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/authorities/${id}/edit`, async () => {
          await authorities.update(actorOf(request), id, parseForm(authorityForm, request.body));
          reply.setFlash({ notice: 'Authority changed' });
          return `/staff/authorities/${id}`;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/authorities/:id/close',
      access: 'authorities:manage',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const authority = await authorities.getAuthority(actor, idParam(request));
        if (!authority.active) return reply.redirect(`/staff/authorities/${authority.id}`, 303);
        const openCases = await services.complaints.countOpenForAuthority(actor, authority.id);
        return reply.render('authorities/views/close.njk', { authority, openCases });
      },
    },
    {
      method: 'POST',
      url: '/staff/authorities/:id/close',
      access: 'authorities:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        await authorities.setClosed(actorOf(request), id, true);
        reply.setFlash({ notice: 'Authority closed' });
        return reply.redirect(`/staff/authorities/${id}`, 303);
      },
    },
    {
      method: 'POST',
      url: '/staff/authorities/:id/reopen',
      access: 'authorities:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        await authorities.setClosed(actorOf(request), id, false);
        reply.setFlash({ notice: 'Authority reopened' });
        return reply.redirect(`/staff/authorities/${id}`, 303);
      },
    },
    ...headOfServiceRoutes(services, {
      prefix: '/staff/authorities',
      access: 'authorities:manage',
      back: (id) => `/staff/authorities/${id}`,
      done: (id) => `/staff/authorities/${id}#contacts`,
    }),
    {
      method: 'GET',
      url: '/portal/authority',
      access: 'portal:home',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        if (!actor.authorityId) throw notFound('The authority');
        const [authority, trainingHistory] = await Promise.all([
          authorities.getAuthority(actor, actor.authorityId),
          services.training.authorityHistory(actor, actor.authorityId),
        ]);
        return reply.render('authorities/views/portal-authority.njk', {
          authority,
          trainingHistory,
          canChange: can(actor, 'authorities:contacts'),
          canAddHead: missingAreas(authority).length > 0,
        });
      },
    },
    ...portalContactRoutes(services),
  ];
}

const PORTAL_HOME = '/portal/authority';
const portalBase = (id: string) => `/portal/authority/${id}`;

/** The head of service for an area of the path, or not found. */
function headOf(authority: AuthorityDetail, area: string) {
  const head = authority.headsOfService.find((h) => h.serviceArea === area);
  if (!head || !isServiceArea(area)) throw notFound('The head of service');
  return { head, area };
}

/**
 * Adding, changing and removing a head of service, for staff and for the authority's own portal
 * alike: the same forms and rules under each face's address, permission and way back.
 */
function headOfServiceRoutes(
  services: Services,
  face: { prefix: string; access: Access; back: (id: string) => string; done: (id: string) => string },
): PageRoute[] {
  const { authorities } = services;
  const base = (id: string) => `${face.prefix}/${id}/heads-of-service`;
  const areaOf = (request: FastifyRequest) => (request.params as { area: string }).area;
  return [
    {
      method: 'GET',
      url: `${face.prefix}/:id/heads-of-service/new`,
      access: face.access,
      handler: async (request, reply) => {
        const authority = await authorities.getAuthority(actorOf(request), idParam(request));
        return reply.render('authorities/views/head-of-service-form.njk', {
          authority,
          heading: 'Add a head of service',
          action: `${base(authority.id)}/new`,
          backHref: face.back(authority.id),
          serviceAreaItems: serviceAreaItems(request.flash.values?.serviceArea as string | undefined),
        });
      },
    },
    {
      method: 'POST',
      url: `${face.prefix}/:id/heads-of-service/new`,
      access: face.access,
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${base(id)}/new`, async () => {
          await authorities.setHeadOfService(actorOf(request), id, parseForm(headOfServiceForm, request.body), true);
          reply.setFlash({ notice: 'Head of service added' });
          return face.done(id);
        });
      },
    },
    {
      method: 'GET',
      url: `${face.prefix}/:id/heads-of-service/:area`,
      access: face.access,
      handler: async (request, reply) => {
        const authority = await authorities.getAuthority(actorOf(request), idParam(request));
        const { head, area } = headOf(authority, areaOf(request));
        const flashed = request.flash.values ?? {};
        return reply.render('authorities/views/head-of-service-form.njk', {
          authority,
          head,
          heading: `Change the head of ${SERVICE_AREA_NAMES[area].toLowerCase()}`,
          action: `${base(authority.id)}/${area}`,
          backHref: face.back(authority.id),
          removeHref: `${base(authority.id)}/${area}/remove`,
          values: hasValues(flashed) ? flashed : headValues(head),
        });
      },
    },
    {
      method: 'POST',
      url: `${face.prefix}/:id/heads-of-service/:area`,
      access: face.access,
      handler: async (request, reply) => {
        const id = idParam(request);
        const area = areaOf(request);
        return handleForm(request, reply, `${base(id)}/${encodeURIComponent(area)}`, async () => {
          const input = parseForm(headOfServiceForm, { ...(request.body as object), serviceArea: area });
          await authorities.setHeadOfService(actorOf(request), id, input, false);
          reply.setFlash({ notice: 'Head of service changed' });
          return face.done(id);
        });
      },
    },
    {
      method: 'GET',
      url: `${face.prefix}/:id/heads-of-service/:area/remove`,
      access: face.access,
      handler: async (request, reply) => {
        const authority = await authorities.getAuthority(actorOf(request), idParam(request));
        const { head, area } = headOf(authority, areaOf(request));
        return reply.render('authorities/views/remove-head.njk', {
          authority,
          head,
          action: `${base(authority.id)}/${area}/remove`,
          backHref: `${base(authority.id)}/${area}`,
        });
      },
    },
    {
      method: 'POST',
      url: `${face.prefix}/:id/heads-of-service/:area/remove`,
      access: face.access,
      handler: async (request, reply) => {
        const id = idParam(request);
        await authorities.removeHeadOfService(actorOf(request), id, areaOf(request));
        reply.setFlash({ notice: 'Head of service removed' });
        return reply.redirect(face.done(id), 303);
      },
    },
  ];
}

/**
 * The portal's forms for an authority's own contacts: its link officers and senior officers change
 * the address, generic inbox and senior officers, with the staff forms' fields and messages. The
 * service refuses another authority (not found) and the directory fields.
 */
function portalContactRoutes(services: Services): PageRoute[] {
  const { authorities } = services;
  return [
    {
      method: 'GET',
      url: '/portal/authority/:id/contacts',
      access: 'authorities:contacts',
      handler: async (request, reply) => {
        const authority = await authorities.getAuthority(actorOf(request), idParam(request));
        const flashed = request.flash.values ?? {};
        return reply.render('authorities/views/authority-form.njk', {
          heading: 'Change your authority’s contacts',
          caption: authority.name,
          contactsOnly: true,
          action: `${portalBase(authority.id)}/contacts`,
          values: hasValues(flashed) ? flashed : formValues(authority),
          cancelHref: PORTAL_HOME,
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/authority/:id/contacts',
      access: 'authorities:contacts',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${portalBase(id)}/contacts`, async () => {
          await authorities.change(actorOf(request), id, parseForm(contactsForm, request.body));
          reply.setFlash({ notice: 'Contacts changed' });
          return PORTAL_HOME;
        });
      },
    },
    ...headOfServiceRoutes(services, {
      prefix: '/portal/authority',
      access: 'authorities:contacts',
      back: () => PORTAL_HOME,
      done: () => PORTAL_HOME,
    }),
  ];
}

/**
 * A cell that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return at the start)
 * is prefixed with an apostrophe, so an exported file is inert when opened.
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
