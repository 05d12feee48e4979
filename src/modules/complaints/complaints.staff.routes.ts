import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { readUpload, sendDocument } from '../../http/uploads.ts';
import { renderFragment } from '../../http/views.ts';
import { invalid } from '../../platform/errors.ts';
import { formatDate } from '../../platform/dates.ts';
import { ACCEPTED_KINDS } from '../../platform/files/sniff.ts';
import { can } from '../accounts/domain.ts';
import { timelineQuery } from '../decisions/decisions.schemas.ts';
import { timelineFilter } from '../decisions/timeline.ts';
import { caseContext } from './case-context.ts';
import {
  NOT_ALLOCATED,
  allocationForm,
  assessmentForm,
  caseListQuery,
  cursorQuery,
  documentRequestForm,
  intakeForm,
  searchQuery,
  staffComplaintForm,
  type CaseListQuery,
} from './complaints.schemas.ts';
import { ALLOCATION_STATUSES, ASSESSMENT_OUTCOME_NAMES } from './domain.ts';
import {
  assessmentOutcomeItems,
  caseRow,
  investigatorChoiceItems,
  investigatorFilterItems,
  listQueryString,
  partyDisplay,
  serviceAreaItems,
  statusItems,
  urgentOptions,
} from './presenters.ts';

/**
 * The case list's filter form (nine GOV.UK controls) shows only the filters' values, the chosen
 * authority's name and the investigators, so it is rendered once for each set of them and kept, as
 * the directory's filter panel is. Kept per snapshot of the investigators (a new list, a new cache);
 * a form showing an error (an authority typed by name) is rendered afresh.
 */
const filterForms = new WeakMap<object, LRUCache<string, string>>();

function caseListFilterForm(
  filters: { query: CaseListQuery; authorityName: string | null; errors: readonly unknown[] } & Record<string, unknown>,
  investigators: object,
): string {
  const render = () => renderFragment('complaints/views/partials/case-list-filters.njk', filters);
  if (filters.errors.length > 0) return render();
  const { query } = filters;
  const key = JSON.stringify([
    query.reference ?? null,
    query.status ?? null,
    query.serviceArea ?? null,
    query.investigatorId ?? null,
    query.authorityId ?? null,
    filters.authorityName,
    query.urgent ?? null,
    query.overdue ?? null,
  ]);
  let forms = filterForms.get(investigators);
  if (forms === undefined) {
    forms = new LRUCache<string, string>({ max: 500 });
    filterForms.set(investigators, forms);
  }
  let html = forms.get(key);
  if (html === undefined) {
    html = render();
    forms.set(key, html);
  }
  return html;
}

/** A form that is only a button: nothing is read from its body (its CSRF token is checked before the route). */
const buttonOnly = z.unknown();

/** Staff pages: the case list, the assessment queue, a new complaint, and a case with its intake and assessment. */
export function complaintsStaffRoutes(services: Services): PageRoute[] {
  const { complaints, files, authorities } = services;
  const maxMegabytes = Math.round((files.settings.maxBytes / 1024 / 1024) * 10) / 10;
  const investigatorsNow = () => services.snapshots.get('complaints.investigators', () => complaints.investigators());
  const casePage = (id: string) => `/staff/complaints/${id}`;

  return [
    page({
      url: '/staff/complaints',
      access: 'complaints:read',
      query: caseListQuery,
      handler: async ({ actor, query }, _request, reply) => {
        // An authority typed by name: one match filters by it; none or several are said so, with the matches.
        let authorityMatches: { id: string; name: string; href: string }[] = [];
        const errors: { field: string; message: string }[] = [];
        if (query.authority && !query.authorityId) {
          const matches = (await authorities.picker(query.authority, null)).choices;
          const { authority: _typed, ...rest } = query;
          if (matches.length === 1 && matches[0]) {
            return reply.redirect(`/staff/complaints${listQueryString({ ...rest, authorityId: matches[0].id })}`, 303);
          }
          authorityMatches = matches.map((m) => ({
            ...m,
            href: `/staff/complaints${listQueryString({ ...rest, authorityId: m.id })}`,
          }));
          errors.push({
            field: 'authority',
            message:
              matches.length === 0
                ? `No authority matches ‘${query.authority}’: enter its name, or part of it`
                : `More than one authority matches ‘${query.authority}’: choose one from the list`,
          });
        }
        const [list, investigators] = await Promise.all([
          complaints.list(
            actor,
            {
              ...query,
              investigatorId: query.investigatorId === NOT_ALLOCATED ? undefined : query.investigatorId,
              unallocated: query.investigatorId === NOT_ALLOCATED,
              urgent: query.urgent === 'yes',
              overdue: query.overdue === 'yes',
            },
            query.cursor,
            query.limit,
          ),
          investigatorsNow(),
        ]);
        const [authorityName, markers] = await Promise.all([
          query.authorityId ? complaints.authorityName(query.authorityId) : null,
          complaints.caseMarkers(
            actor,
            list.items.map((c) => c.id),
          ),
        ]);
        const filters = {
          query,
          page: list,
          authorityName,
          authorityMatches,
          typedAuthority: errors.length > 0 ? query.authority : '',
          errors,
          rows: list.items.map(caseRow),
          statusItems: statusItems(query.status),
          serviceAreaItems: serviceAreaItems('Any service', query.serviceArea),
          investigatorItems: investigatorFilterItems(investigators, query.investigatorId),
        };
        return reply.render('complaints/views/staff-list.njk', {
          ...filters,
          filterForm: caseListFilterForm(filters, investigators),
          nextHref: list.nextCursor ? `/staff/complaints${listQueryString(query, { cursor: list.nextCursor })}` : null,
          allowedTo: { intake: can(actor, 'complaints:intake') },
          markers: Object.fromEntries(markers),
        });
      },
    }),
    page({
      url: '/staff/complaints/new',
      access: 'complaints:intake',
      query: searchQuery,
      handler: async ({ query: { q } }, request, reply) => {
        const results = q.trim() ? (await authorities.picker(q, null)).choices : null;
        const values = request.flash.values ?? {};
        const chosenId = typeof values.authorityId === 'string' ? values.authorityId : '';
        const chosenName = chosenId ? await complaints.authorityName(chosenId) : null;
        return reply.render('complaints/views/staff-new.njk', {
          q,
          results,
          chosen: chosenName ? { id: chosenId, name: chosenName } : null,
          serviceAreaItems: serviceAreaItems('Select a service', values.serviceArea),
          urgentOptions: urgentOptions(values.urgent),
        });
      },
    }),
    form({
      url: '/staff/complaints/new',
      access: 'complaints:intake',
      body: staffComplaintForm,
      back: '/staff/complaints/new',
      action: async ({ actor, body: f }) => {
        const created = await complaints.receive(actor, {
          authorityId: f.authorityId,
          serviceArea: f.serviceArea,
          summary: f.summary,
          injustice: f.injustice,
          outcomeWanted: f.outcomeWanted,
          authorityProcessFinished: f.authorityProcessFinished === 'yes',
          authorityFinalResponseOn: f.authorityFinalResponseOn,
          authorityComplainedOn: f.authorityComplainedOn,
          awareOn: f.awareOn,
          urgent: f.urgent,
          consentToShare: f.consentToShare === 'yes',
          complainant: {
            name: f.complainantName,
            email: f.complainantEmail,
            phone: f.complainantPhone,
            address: f.complainantAddress,
            communicationNeeds: f.communicationNeeds,
            relationship: null,
          },
          representative: f.representativeName
            ? {
                name: f.representativeName,
                email: f.representativeEmail,
                phone: f.representativePhone,
                address: f.representativeAddress,
                communicationNeeds: f.representativeCommunicationNeeds,
                relationship: f.representativeRelationship,
              }
            : null,
          channel: f.channel,
        });
        return { to: casePage(created.id), notice: `Complaint ${created.reference} recorded` };
      },
    }),
    page({
      url: '/staff/assessment',
      access: 'complaints:read',
      query: cursorQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const queue = await complaints.queue(actor, query.cursor);
        const markers = await complaints.caseMarkers(
          actor,
          queue.items.map((c) => c.id),
        );
        return reply.render('complaints/views/staff-queue.njk', {
          page: queue,
          markers: Object.fromEntries(markers),
          rows: queue.items.map(caseRow),
          nextHref: queue.nextCursor ? `/staff/assessment?cursor=${encodeURIComponent(queue.nextCursor)}` : null,
        });
      },
    }),
    page({
      url: '/staff/complaints/:id',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'summary');
        const [requests, investigators, enquiries] = await Promise.all([
          complaints.documentRequests(actor, ctx.view.complaint.id),
          investigatorsNow(),
          services.enquiries.forComplaint(actor, ctx.view.complaint.id),
        ]);
        const values = request.flash.values ?? {};
        return reply.render('complaints/views/staff-case.njk', {
          ...ctx,
          parties: [
            ...(ctx.view.complainant ? [partyDisplay(ctx.view.complainant, 'Complainant')] : []),
            ...(ctx.view.representative ? [partyDisplay(ctx.view.representative, 'Representative')] : []),
          ],
          requests,
          enquiries,
          canSendEnquiry: ctx.view.complaint.status === 'investigation' && can(actor, 'enquiries:send'),
          outcomeItems: assessmentOutcomeItems(values.outcome),
          investigatorItems: investigatorChoiceItems(investigators, values.investigatorId),
          requestWorkingDays: complaints.settings.documentRequestWorkingDays,
          canAllocate: ALLOCATION_STATUSES.includes(ctx.view.complaint.status) && can(actor, 'complaints:assess'),
          allocationItems: investigatorChoiceItems(
            investigators,
            values.investigatorId ?? ctx.view.complaint.investigator_id,
          ),
        });
      },
    }),
    page({
      url: '/staff/complaints/:id/documents',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'documents');
        const documents = await complaints.documents(actor, ctx.view.complaint.id);
        return reply.render('complaints/views/staff-documents.njk', {
          ...ctx,
          documents,
          acceptedKinds: ACCEPTED_KINDS,
          maxMegabytes,
        });
      },
    }),
    page({
      url: '/staff/complaints/:id/history',
      access: 'complaints:read',
      params: withId,
      query: timelineQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'history');
        const events = await complaints.timeline(actor, ctx.view.complaint.id);
        return reply.render('complaints/views/staff-history.njk', { ...ctx, ...timelineFilter(events, query) });
      },
    }),
    form({
      url: '/staff/complaints/:id/intake/start',
      access: 'complaints:intake',
      params: withId,
      body: buttonOnly,
      back: ({ params }) => `${casePage(params.id)}#intake`,
      action: async ({ actor, params, back }) => {
        await complaints.startIntake(actor, params.id);
        return { to: back, notice: 'Intake checks started: the complaint is now at intake' };
      },
    }),
    form({
      url: '/staff/complaints/:id/intake',
      access: 'complaints:intake',
      params: withId,
      body: intakeForm,
      back: ({ params }) => `${casePage(params.id)}#intake`,
      action: async ({ actor, params, body }) => {
        await complaints.intake(actor, params.id, body);
        return {
          to: casePage(params.id),
          notice:
            body.action === 'premature'
              ? 'Complaint closed as premature: the authority’s link officers have been told'
              : 'Complaint sent to assessment',
        };
      },
    }),
    form({
      url: '/staff/complaints/:id/assessment',
      access: 'complaints:assess',
      params: withId,
      body: assessmentForm,
      back: ({ params }) => `${casePage(params.id)}#assessment`,
      action: async ({ actor, params, body }) => {
        await complaints.assess(actor, params.id, body);
        return { to: casePage(params.id), notice: `Assessment recorded: ${ASSESSMENT_OUTCOME_NAMES[body.outcome]}` };
      },
    }),
    form({
      url: '/staff/complaints/:id/investigator',
      access: 'complaints:assess',
      params: withId,
      body: allocationForm,
      back: ({ params }) => `${casePage(params.id)}#allocation`,
      action: async ({ actor, params, body }) => {
        await complaints.allocate(actor, params.id, body.investigatorId);
        return { to: casePage(params.id), notice: 'Investigator allocated' };
      },
    }),
    form({
      url: '/staff/complaints/:id/document-requests',
      access: 'complaints:assess',
      params: withId,
      body: documentRequestForm,
      back: ({ params }) => `${casePage(params.id)}#document-request`,
      action: async ({ actor, params, body }) => {
        const { dueOn } = await complaints.requestDocuments(actor, params.id, body.description);
        return {
          to: casePage(params.id),
          notice: `Documents requested from the authority, due ${formatDate(dueOn)}`,
        };
      },
    }),
    form({
      url: '/staff/complaints/:id/documents',
      access: 'complaints:read',
      params: withId,
      // A multipart form: its fields are read with the file (readUpload), not as a body.
      body: z.unknown(),
      bodyLimit: files.settings.maxBytes + 64 * 1024,
      back: ({ params }) => `${casePage(params.id)}/documents`,
      action: async ({ actor, params, back }, request) => {
        const upload = await readUpload(services.files, request);
        if (!upload) throw invalid([{ field: 'file', message: 'Select a file' }]);
        const row = await complaints.addDocument(actor, params.id, upload.bytes, {
          filename: upload.filename,
          doNotDisclose: upload.fields.doNotDisclose === 'yes',
          description: upload.fields.description?.trim().slice(0, 500) || null,
        });
        return { to: back, notice: `${row.filename} added` };
      },
    }),
    page({
      url: '/staff/documents/:id',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { document, stream } = await services.caseDocuments.open(actor, params.id);
        return sendDocument(reply, document, stream);
      },
    }),
  ];
}
