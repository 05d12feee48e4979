import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Services } from '../../services.ts';
import { cookieOptions, secureCookies } from '../../http/cookies.ts';
import { handleForm, parseForm, redirectWithErrors } from '../../http/forms.ts';
import { perAddressLimit, readUpload, sendDocument } from '../../http/uploads.ts';
import { renderFragment } from '../../http/views.ts';
import { type PageRoute, actorOf, idParam } from '../../http/routes.ts';
import { DomainError, invalid, notFound } from '../../platform/errors.ts';
import { ACCEPTED_KINDS } from '../../platform/files/sniff.ts';
import { can } from '../accounts/domain.ts';
import { SERVICE_AREAS, SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { formatUkPhone } from '../link-officers/domain.ts';
import type { PartyRow } from './complaints.repository.ts';
import {
  ALLOCATION_STATUSES,
  ASSESSMENT_OUTCOMES,
  ASSESSMENT_OUTCOME_NAMES,
  OUTCOME_NAMES,
  STATUSES,
  STATUS_NAMES,
  URGENT_KEYS,
  URGENT_NAMES,
  type ComplaintOutcome,
  type ComplaintStatus,
} from './domain.ts';
import {
  NOT_ALLOCATED,
  allocationForm,
  assessmentForm,
  caseListQuery,
  documentRequestForm,
  intakeForm,
  staffComplaintForm,
  type CaseListQuery,
} from './complaints.schemas.ts';
import { type CaseTab, staffCaseContext } from './case-context.ts';
import { timelineFilter } from '../decisions/timeline.ts';
import {
  STEPS,
  answered,
  firstMissing,
  markSeen,
  nextStep,
  parseStep,
  previousStep,
  stepBySlug,
  toNewComplaint,
  type Answers,
} from './public-form.ts';
import { formatDate } from '../../platform/dates.ts';

const DRAFT_COOKIE = 'liaison_complaint';

const serviceAreaName = (a: string) => SERVICE_AREA_NAMES[a as ServiceArea] ?? a;
const statusTag = (s: ComplaintStatus) => STATUS_NAMES[s];
/**
 * A case list row: the summary with the names shown. Built with Object.assign because an object
 * spread followed by more properties takes V8's slow path, a few microseconds for every row.
 */
const caseRow = <T extends { status: ComplaintStatus; serviceArea: string; outcome: ComplaintOutcome | null }>(c: T) =>
  Object.assign(
    {
      statusName: statusTag(c.status),
      serviceAreaName: serviceAreaName(c.serviceArea),
      outcomeName: c.outcome ? OUTCOME_NAMES[c.outcome] : null,
    },
    c,
  );

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

/** Query string of the case list's filters, plus extra parameters. */
function listQueryString(q: CaseListQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of [
    'status',
    'authorityId',
    'serviceArea',
    'investigatorId',
    'urgent',
    'overdue',
    'reference',
  ] as const) {
    const v = q[k];
    if (v) p.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Staff pages, the authority portal's complaint pages and the public complaint form. */
export function complaintsRoutes(services: Services): PageRoute[] {
  const { complaints, files, authorities } = services;
  // Secure as every other cookie is; its path (the form's pages only) rules out __Host-, so __Secure-.
  const secure = secureCookies(services.platform.config);
  const draftCookie = secure ? `__Secure-${DRAFT_COOKIE}` : DRAFT_COOKIE;
  const maxMegabytes = Math.round((files.settings.maxBytes / 1024 / 1024) * 10) / 10;

  const setDraftCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(draftCookie, token, { ...cookieOptions(secure, 24 * 3600), path: '/complain' });
  const draftOf = async (request: FastifyRequest): Promise<Answers> =>
    (await complaints.readDraft(request.cookies[draftCookie])) ?? {};
  const today = () => services.calendar.londonDate(services.platform.clock.now());
  // Anyone may upload on the public form: each address a few files an hour (the budget for all drafts is the files service's).
  const anonymousUploads = perAddressLimit({
    max: services.platform.config.ANON_UPLOADS_PER_HOUR,
    timeWindow: '1 hour',
    field: 'file',
    message: 'You have uploaded too many files in the last hour: try again later',
  });

  const downloadDocument = async (request: FastifyRequest, reply: FastifyReply) => {
    const { document, stream } = await services.caseDocuments.open(actorOf(request), idParam(request));
    return sendDocument(reply, document, stream);
  };

  const caseContext = (request: FastifyRequest, tab: CaseTab) => staffCaseContext(services, request, tab);

  const publicRoutes: PageRoute[] = [
    {
      method: 'GET',
      url: '/complain',
      access: 'public',
      handler: async (_request, reply) =>
        reply.render('complaints/views/public-start.njk', { firstStep: STEPS[0]?.slug }),
    },
    {
      method: 'GET',
      url: '/complain/check',
      access: 'public',
      handler: async (request, reply) => {
        const answers = await draftOf(request);
        const missing = firstMissing(answers);
        if (missing)
          return reply.redirect(Object.keys(answers).length === 0 ? '/complain' : `/complain/${missing.slug}`, 303);
        const input = toNewComplaint(answers);
        const authorityName = await complaints.authorityName(input.authorityId);
        const findings = await complaints.findings(input);
        const rows = STEPS.filter((s) => s.applies(answers)).map((s) => ({
          key: { text: s.label },
          value: { text: displayAnswer(s.slug, answers, authorityName) },
          actions: {
            items: [
              { href: `/complain/${s.slug}?change=1`, text: 'Change', visuallyHiddenText: s.label.toLowerCase() },
            ],
          },
        }));
        return reply.render('complaints/views/public-check.njk', { rows, findings });
      },
    },
    {
      method: 'POST',
      url: '/complain/check',
      access: 'public',
      handler: async (request, reply) => {
        const answers = await draftOf(request);
        if (firstMissing(answers)) return reply.redirect('/complain/check', 303);
        return handleForm(request, reply, '/complain/check', async () => {
          const created = await complaints.submitDraft(request.cookies[draftCookie], toNewComplaint(answers));
          reply.clearCookie(draftCookie, { path: '/complain' });
          reply.setFlash({ values: { reference: created.reference } });
          return '/complain/confirmation';
        });
      },
    },
    {
      method: 'GET',
      url: '/complain/confirmation',
      access: 'public',
      handler: async (request, reply) =>
        reply.render('complaints/views/public-confirmation.njk', {
          reference: request.flash.values?.reference ?? null,
        }),
    },
    {
      method: 'POST',
      url: '/complain/attachments/upload',
      access: 'public',
      bodyLimit: files.settings.maxBytes + 64 * 1024,
      handler: async (request, reply) =>
        handleForm(request, reply, '/complain/attachments', async () => {
          await anonymousUploads(request);
          const upload = await readUpload(services.files, request);
          if (!upload) throw invalid([{ field: 'file', message: 'Select a file' }]);
          const attached = await complaints.attachToDraft(request.cookies[draftCookie], upload.bytes, upload.filename);
          setDraftCookie(reply, attached.token);
          reply.setFlash({ notice: `${attached.filename} uploaded` });
          return '/complain/attachments';
        }),
    },
    {
      method: 'GET',
      url: '/complain/:step',
      access: 'public',
      handler: async (request, reply) => {
        const step = stepBySlug((request.params as { step: string }).step);
        if (!step) throw notFound();
        const answers = await draftOf(request);
        if (!step.applies(answers)) return reply.redirect(`/complain/${firstMissing(answers)?.slug ?? 'check'}`, 303);
        const query = request.query as { q?: string; change?: string };
        const change = query.change === '1';
        const values =
          Object.keys(request.flash.values ?? {}).length > 0 ? (request.flash.values ?? {}) : answerValues(answers);
        const q = typeof query.q === 'string' ? query.q.slice(0, 100) : '';
        const results =
          step.kind === 'authority' && q.trim() !== '' ? (await authorities.picker(q, null)).choices : null;
        const chosenName =
          step.kind === 'authority' && typeof answers.authorityId === 'string'
            ? await complaints.authorityName(answers.authorityId)
            : null;
        const previous = previousStep(step.slug, answers);
        return reply.render('complaints/views/public-question.njk', {
          step,
          values,
          change,
          q,
          results,
          chosenName,
          documents: Array.isArray(answers.documents) ? answers.documents : [],
          acceptedKinds: ACCEPTED_KINDS,
          maxMegabytes,
          backHref: change ? '/complain/check' : previous ? `/complain/${previous.slug}` : '/complain',
          action: `/complain/${step.slug}${change ? '?change=1' : ''}`,
        });
      },
    },
    {
      method: 'POST',
      url: '/complain/:step',
      access: 'public',
      handler: async (request, reply) => {
        const step = stepBySlug((request.params as { step: string }).step);
        if (!step) throw notFound();
        const change = (request.query as { change?: string }).change === '1';
        const back = `/complain/${step.slug}${change ? '?change=1' : ''}`;
        const parsed = parseStep(step, (request.body ?? {}) as Record<string, unknown>, today());
        if ('errors' in parsed) return redirectWithErrors(request, reply, back, parsed.errors);
        const existing = await draftOf(request);
        const token = await complaints.saveDraft(request.cookies[draftCookie], {
          ...parsed.answers,
          ...markSeen(existing, step.slug),
        });
        setDraftCookie(reply, token);
        const answers = { ...existing, ...parsed.answers, ...markSeen(existing, step.slug) };
        const next = change ? firstMissing(answers) : nextStep(step.slug, answers);
        const target = next && (!change || !answered(next, answers)) ? `/complain/${next.slug}` : '/complain/check';
        return reply.redirect(target, 303);
      },
    },
  ];

  const staffRoutes: PageRoute[] = [
    {
      method: 'GET',
      url: '/staff/complaints',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const query = caseListQuery.parse(request.query ?? {});
        const actor = actorOf(request);
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
        const [page, investigators] = await Promise.all([
          complaints.list(
            actor,
            {
              ...query,
              status: query.status as ComplaintStatus | undefined,
              investigatorId: query.investigatorId === NOT_ALLOCATED ? undefined : query.investigatorId,
              unallocated: query.investigatorId === NOT_ALLOCATED,
              urgent: query.urgent === 'yes',
              overdue: query.overdue === 'yes',
            },
            query.cursor,
            query.limit,
          ),
          services.snapshots.get('complaints.investigators', () => complaints.investigators()),
        ]);
        const authorityName = query.authorityId ? await complaints.authorityName(query.authorityId) : null;
        const filters = {
          query,
          page,
          authorityName,
          authorityMatches,
          typedAuthority: errors.length > 0 ? query.authority : '',
          errors,
          rows: page.items.map(caseRow),
          statusItems: [
            { value: '', text: 'Any status' },
            ...STATUSES.map((s) => ({ value: s, text: STATUS_NAMES[s], selected: query.status === s })),
          ],
          serviceAreaItems: [
            { value: '', text: 'Any service' },
            ...SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a], selected: query.serviceArea === a })),
          ],
          investigatorItems: [
            { value: '', text: 'Anyone' },
            {
              value: NOT_ALLOCATED,
              text: 'Not allocated (under investigation)',
              selected: query.investigatorId === NOT_ALLOCATED,
            },
            ...investigators.map((i) => ({
              value: i.id,
              text: i.display_name,
              selected: query.investigatorId === i.id,
            })),
          ],
        };
        return reply.render('complaints/views/staff-list.njk', {
          ...filters,
          filterForm: caseListFilterForm(filters, investigators),
          nextHref: page.nextCursor ? `/staff/complaints${listQueryString(query, { cursor: page.nextCursor })}` : null,
          allowedTo: { intake: can(actor, 'complaints:intake') },
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/new',
      access: 'complaints:intake',
      handler: async (request, reply) => {
        const q =
          typeof (request.query as { q?: string }).q === 'string'
            ? (request.query as { q: string }).q.slice(0, 100)
            : '';
        const results = q.trim() ? (await authorities.picker(q, null)).choices : null;
        const values = request.flash.values ?? {};
        const chosenId = typeof values.authorityId === 'string' ? values.authorityId : '';
        const chosenName = chosenId ? await complaints.authorityName(chosenId) : null;
        return reply.render('complaints/views/staff-new.njk', {
          q,
          results,
          chosen: chosenName ? { id: chosenId, name: chosenName } : null,
          serviceAreaItems: [
            { value: '', text: 'Select a service' },
            ...SERVICE_AREAS.map((a) => ({
              value: a,
              text: SERVICE_AREA_NAMES[a],
              selected: values.serviceArea === a,
            })),
          ],
          urgentOptions: Object.entries(URGENT_KEYS).map(([value, flag]) => ({
            value,
            text: URGENT_NAMES[flag],
            checked: ([] as unknown[]).concat(values.urgent ?? []).includes(value),
          })),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/new',
      access: 'complaints:intake',
      handler: async (request, reply) =>
        handleForm(request, reply, '/staff/complaints/new', async () => {
          const f = parseForm(staffComplaintForm, request.body);
          const created = await complaints.receive(actorOf(request), {
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
          reply.setFlash({ notice: `Complaint ${created.reference} recorded` });
          return `/staff/complaints/${created.id}`;
        }),
    },
    {
      method: 'GET',
      url: '/staff/assessment',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const { cursor } = request.query as { cursor?: string };
        const page = await complaints.queue(actorOf(request), typeof cursor === 'string' ? cursor : undefined);
        return reply.render('complaints/views/staff-queue.njk', {
          page,
          rows: page.items.map(caseRow),
          nextHref: page.nextCursor ? `/staff/assessment?cursor=${encodeURIComponent(page.nextCursor)}` : null,
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const ctx = await caseContext(request, 'summary');
        const [requests, investigators, enquiries] = await Promise.all([
          complaints.documentRequests(actorOf(request), ctx.view.complaint.id),
          services.snapshots.get('complaints.investigators', () => complaints.investigators()),
          services.enquiries.forComplaint(actorOf(request), ctx.view.complaint.id),
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
          canSendEnquiry: ctx.view.complaint.status === 'investigation' && can(actorOf(request), 'enquiries:send'),
          outcomeItems: ASSESSMENT_OUTCOMES.map((o) => ({
            value: o,
            text: ASSESSMENT_OUTCOME_NAMES[o],
            checked: values.outcome === o,
          })),
          investigatorItems: [
            { value: '', text: 'Select an investigator' },
            ...investigators.map((i) => ({
              value: i.id,
              text: i.display_name,
              selected: values.investigatorId === i.id,
            })),
          ],
          requestWorkingDays: complaints.settings.documentRequestWorkingDays,
          canAllocate:
            ALLOCATION_STATUSES.includes(ctx.view.complaint.status) && can(actorOf(request), 'complaints:assess'),
          allocationItems: [
            { value: '', text: 'Select an investigator' },
            ...investigators.map((i) => ({
              value: i.id,
              text: i.display_name,
              selected: (values.investigatorId ?? ctx.view.complaint.investigator_id) === i.id,
            })),
          ],
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/documents',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const ctx = await caseContext(request, 'documents');
        const documents = await complaints.documents(actorOf(request), ctx.view.complaint.id);
        return reply.render('complaints/views/staff-documents.njk', {
          ...ctx,
          documents,
          acceptedKinds: ACCEPTED_KINDS,
          maxMegabytes,
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/history',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const ctx = await caseContext(request, 'history');
        const events = await complaints.timeline(actorOf(request), ctx.view.complaint.id);
        return reply.render('complaints/views/staff-history.njk', { ...ctx, ...timelineFilter(events, request.query) });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/intake/start',
      access: 'complaints:intake',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/complaints/${id}#intake`, async () => {
          await complaints.startIntake(actorOf(request), id);
          reply.setFlash({ notice: 'Intake checks started: the complaint is now at intake' });
          return `/staff/complaints/${id}#intake`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/intake',
      access: 'complaints:intake',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/complaints/${id}#intake`, async () => {
          const f = parseForm(intakeForm, request.body);
          await complaints.intake(actorOf(request), id, f);
          reply.setFlash({
            notice:
              f.action === 'premature'
                ? 'Complaint closed as premature: the authority’s link officers have been told'
                : 'Complaint sent to assessment',
          });
          return `/staff/complaints/${id}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/assessment',
      access: 'complaints:assess',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/complaints/${id}#assessment`, async () => {
          const f = parseForm(assessmentForm, request.body);
          await complaints.assess(actorOf(request), id, f);
          reply.setFlash({ notice: `Assessment recorded: ${ASSESSMENT_OUTCOME_NAMES[f.outcome]}` });
          return `/staff/complaints/${id}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/investigator',
      access: 'complaints:assess',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/complaints/${id}#allocation`, async () => {
          const f = parseForm(allocationForm, request.body);
          await complaints.allocate(actorOf(request), id, f.investigatorId);
          reply.setFlash({ notice: 'Investigator allocated' });
          return `/staff/complaints/${id}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/document-requests',
      access: 'complaints:assess',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/complaints/${id}#document-request`, async () => {
          const f = parseForm(documentRequestForm, request.body);
          const { dueOn } = await complaints.requestDocuments(actorOf(request), id, f.description);
          reply.setFlash({ notice: `Documents requested from the authority, due ${formatDate(dueOn)}` });
          return `/staff/complaints/${id}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/documents',
      access: 'complaints:read',
      bodyLimit: files.settings.maxBytes + 64 * 1024,
      handler: async (request, reply) => {
        const id = idParam(request);
        const back = `/staff/complaints/${id}/documents`;
        try {
          const upload = await readUpload(services.files, request);
          if (!upload)
            return await redirectWithErrors(request, reply, back, [{ field: 'file', message: 'Select a file' }]);
          const row = await complaints.addDocument(actorOf(request), id, upload.bytes, {
            filename: upload.filename,
            doNotDisclose: upload.fields.doNotDisclose === 'yes',
            description: upload.fields.description?.trim().slice(0, 500) || null,
          });
          reply.setFlash({ notice: `${row.filename} added` });
          return await reply.redirect(back, 303);
        } catch (error) {
          if (error instanceof DomainError && error.code === 'validation')
            return redirectWithErrors(request, reply, back, error.fields);
          throw error;
        }
      },
    },
    { method: 'GET', url: '/staff/documents/:id', access: 'complaints:read', handler: downloadDocument },
  ];

  const portalRoutes: PageRoute[] = [
    {
      method: 'GET',
      url: '/portal/complaints',
      access: 'portal:complaints',
      handler: async (request, reply) => {
        const { cursor } = request.query as { cursor?: string };
        const page = await complaints.list(actorOf(request), {}, typeof cursor === 'string' ? cursor : undefined);
        return reply.render('complaints/views/portal-list.njk', {
          page,
          rows: page.items.map(caseRow),
          nextHref: page.nextCursor ? `/portal/complaints?cursor=${encodeURIComponent(page.nextCursor)}` : null,
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/complaints/:id',
      access: 'portal:complaints',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const view = await complaints.getCase(actor, idParam(request));
        const [documents, requests] = await Promise.all([
          complaints.documents(actor, view.complaint.id),
          complaints.documentRequests(actor, view.complaint.id),
        ]);
        return reply.render('complaints/views/portal-case.njk', {
          view,
          documents,
          requests,
          statusName: statusTag(view.complaint.status),
          outcomeName: view.complaint.outcome ? OUTCOME_NAMES[view.complaint.outcome] : null,
          serviceAreaName: serviceAreaName(view.complaint.service_area),
        });
      },
    },
    { method: 'GET', url: '/portal/documents/:id', access: 'portal:complaints', handler: downloadDocument },
  ];

  return [...publicRoutes, ...staffRoutes, ...portalRoutes];
}

/**
 * A complainant or representative as the staff case page shows them: the same details for each,
 * phone numbers as written in the UK (numbers kept before they were checked are shown as given).
 */
function partyDisplay(p: PartyRow, heading: string) {
  return {
    heading,
    id: p.role,
    name: p.name,
    email: p.email,
    phone: p.phone?.startsWith('+44') ? formatUkPhone(p.phone) : p.phone,
    address: p.address,
    communicationNeeds: p.communication_needs,
    relationship: p.role === 'representative' ? (p.relationship ?? 'Not given') : null,
    consentToShare: p.consent_to_share,
  };
}

/** The answers as form values (dates split into GOV.UK's three fields). */
function answerValues(a: Answers): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  if (typeof a.phone === 'string' && a.phone.startsWith('+44')) out.phone = formatUkPhone(a.phone);
  for (const k of ['finalResponseOn', 'complainedOn', 'awareOn']) {
    const v = a[k];
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      out[`${k}-year`] = v.slice(0, 4);
      out[`${k}-month`] = String(Number(v.slice(5, 7)));
      out[`${k}-day`] = String(Number(v.slice(8, 10)));
    }
  }
  return out;
}

const longDate = (iso: string) => formatDate(iso) || iso;

/** One answer as text for check-your-answers. */
function displayAnswer(slug: string, a: Answers, authorityName: string | null): string {
  const s = (k: string) => {
    const v = a[k];
    return typeof v === 'string' ? v : '';
  };
  const step = stepBySlug(slug);
  switch (slug) {
    case 'authority':
      return authorityName ?? 'Not found: choose again';
    case 'final-response-date':
    case 'complained-date':
    case 'aware-date':
      return longDate(s(step?.name ?? ''));
    case 'urgent': {
      const list = Array.isArray(a.urgent) ? (a.urgent as string[]) : [];
      const names = list.map((k) => {
        const flag = URGENT_KEYS[k];
        return flag ? URGENT_NAMES[flag] : k;
      });
      return names.length > 0 ? names.join(', ') : 'None of these';
    }
    case 'person':
      return [s('complainantName'), s('relationship')].filter(Boolean).join(', ');
    case 'your-details':
      return [s('name'), s('email'), s('phone') && formatUkPhone(s('phone'))].filter(Boolean).join('\n');
    case 'attachments': {
      const docs = Array.isArray(a.documents) ? (a.documents as { filename: string }[]) : [];
      return docs.length > 0 ? docs.map((d) => d.filename).join('\n') : 'None';
    }
    case 'needs':
      return s('communicationNeeds') || 'None';
    case 'their-needs':
      return s('complainantNeeds') || 'None';
    default: {
      if (step?.kind === 'radios') return step.options?.find((o) => o.value === s(step.name ?? ''))?.text ?? '';
      return s(step?.name ?? '');
    }
  }
}
