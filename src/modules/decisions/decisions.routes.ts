import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { type PageRoute, actorOf, idParam } from '../../http/routes.ts';
import { DomainError, invalid, notFound } from '../../platform/errors.ts';
import { addDays } from '../../platform/calendar/calendar.ts';
import { can } from '../accounts/domain.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { staffCaseContext } from '../complaints/case-context.ts';
import { FINAL_OUTCOMES, FINAL_OUTCOME_NAMES, REMEDY_TYPES, REMEDY_TYPE_NAMES, SECTION_KEYS } from './domain.ts';
import {
  REMEDY_SLOTS,
  disclosureForm,
  draftForm,
  finalForm,
  findingsQuery,
  portalCommentForm,
  commentForm,
  remediesFromForm,
  reviewDecisionForm,
  reviewRequestForm,
  staffCommentForm,
} from './decisions.schemas.ts';
import { timelineFilter } from './timeline.ts';
import { formatDate } from '../../platform/dates.ts';

const versionParam = z.coerce.number().int().min(1).max(10_000);
const tokenParam = z.string().regex(/^[\w-]{43}$/);

const versionOf = (params: unknown, name = 'version'): number => {
  const parsed = versionParam.safeParse((params as Record<string, unknown>)[name]);
  if (!parsed.success) throw notFound('The draft');
  return parsed.data;
};

const tokenOf = (params: unknown): string => {
  const parsed = tokenParam.safeParse((params as Record<string, unknown>).token);
  if (!parsed.success) throw notFound('The decision');
  return parsed.data;
};

const serviceAreaName = (id: string) => SERVICE_AREA_NAMES[id as ServiceArea] ?? id;

/** Staff decision pages, the authority's decision and timeline pages, findings, and the complainant's link. */
export function decisionsRoutes(services: Services): PageRoute[] {
  const { decisions, complaints, calendar, platform } = services;
  const staffBase = (id: string) => `/staff/complaints/${id}/decision`;
  const portalBase = (id: string) => `/portal/complaints/${id}/decision`;
  const outcomeItems = FINAL_OUTCOMES.map((o) => ({ value: o, text: FINAL_OUTCOME_NAMES[o] }));

  const staffRoutes: PageRoute[] = [
    {
      method: 'GET',
      url: '/staff/complaints/:id/decision',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const ctx = await staffCaseContext(services, request, 'decision');
        const decision = await decisions.caseDecision(actor, ctx.view.complaint.id);
        const status = decision.complaint.status;
        return reply.render('decisions/views/staff-decision.njk', {
          ...ctx,
          decision,
          outcomeItems,
          canWrite: can(actor, 'decisions:write'),
          canReview: can(actor, 'decisions:review'),
          mayDraft: !decision.final && (status === 'investigation' || status === 'decision'),
          mayDecide: !decision.final && (status === 'investigation' || status === 'decision'),
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/decision/drafts/new',
      access: 'decisions:write',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const ctx = await staffCaseContext(services, request, 'decision');
        const [decision, documents] = await Promise.all([
          decisions.caseDecision(actor, ctx.view.complaint.id),
          complaints.documents(actor, ctx.view.complaint.id),
        ]);
        const latest = decision.drafts[0];
        const fromLatest: Record<string, unknown> = {};
        if (latest) {
          for (const s of latest.sections) fromLatest[s.key] = s.text;
          latest.remedies.forEach((r, i) => {
            fromLatest[`remedy-${i + 1}-type`] = r.type;
            fromLatest[`remedy-${i + 1}-description`] = r.description;
            fromLatest[`remedy-${i + 1}-amount`] = r.amountPence != null ? (r.amountPence / 100).toFixed(2) : '';
            fromLatest[`remedy-${i + 1}-days`] = r.dueInWorkingDays ?? '';
          });
        }
        const kept = request.flash.values ?? {};
        const values = Object.keys(kept).length > 0 ? kept : fromLatest;
        const chosen = new Set(
          ([] as unknown[]).concat(values.evidence ?? latest?.evidence.map((e) => e.id) ?? []).map(String),
        );
        return reply.render('decisions/views/staff-draft-form.njk', {
          ...ctx,
          values,
          nextVersion: (latest?.version ?? 0) + 1,
          sectionKeys: SECTION_KEYS,
          evidenceItems: documents.map((d) => ({ value: d.id, text: d.filename, checked: chosen.has(d.id) })),
          remedySlots: Array.from({ length: REMEDY_SLOTS }, (_v, i) => i + 1),
          remedyTypeItems: [
            { value: '', text: 'No remedy' },
            ...REMEDY_TYPES.map((t) => ({ value: t, text: REMEDY_TYPE_NAMES[t] })),
          ],
          commentWorkingDays: decisions.settings.commentWorkingDays,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/decision/drafts',
      access: 'decisions:write',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${staffBase(id)}/drafts/new`, async () => {
          const form = parseForm(draftForm, request.body);
          const { remedies, problems } = remediesFromForm(request.body);
          if (problems.length > 0) throw invalid(problems);
          const issued = await decisions.issueDraft(actorOf(request), id, {
            sections: {
              complaint: form.complaint,
              findings: form.findings,
              proposedRemedy: form.proposedRemedy,
              decision: form.decision,
            },
            evidenceDocumentIds: form.evidence,
            remedies,
          });
          reply.setFlash({
            notice: `Draft decision version ${issued.version} sent to the complainant and the authority. Comments are due by ${formatDate(issued.commentDueOn)}.`,
          });
          return staffBase(id);
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/decision/drafts/:version',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const ctx = await staffCaseContext(services, request, 'decision');
        const compare = (request.query as Record<string, unknown>).compare;
        const view = await decisions.draftVersion(
          actorOf(request),
          ctx.view.complaint.id,
          versionOf(request.params),
          compare === undefined ? undefined : versionOf({ version: compare }),
        );
        return reply.render('decisions/views/draft-version.njk', {
          ...ctx,
          ...view,
          face: 'staff',
          base: staffBase(ctx.view.complaint.id),
          documentBase: '/staff/documents/',
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/decision/comments',
      access: 'decisions:write',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${staffBase(id)}#comments`, async () => {
          const form = parseForm(staffCommentForm, request.body);
          const current = (await decisions.caseDecision(actorOf(request), id)).drafts[0];
          if (!current) throw new DomainError('conflict', 'There is no draft on this case to comment on');
          const result = await decisions.comment(actorOf(request), current.id, form);
          reply.setFlash({
            notice: result.late
              ? `Comments recorded. They arrived after the deadline (${formatDate(result.dueOn)}) and are marked late.`
              : 'Comments recorded.',
          });
          return staffBase(id);
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/decision/final',
      access: 'decisions:write',
      handler: async (request, reply) => {
        const ctx = await staffCaseContext(services, request, 'decision');
        const decision = await decisions.caseDecision(actorOf(request), ctx.view.complaint.id);
        return reply.render('decisions/views/staff-final-form.njk', {
          ...ctx,
          decision,
          outcomeItems: outcomeItems.map((o) => ({ ...o, checked: request.flash.values?.outcome === o.value })),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/decision/final',
      access: 'decisions:write',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${staffBase(id)}/final`, async () => {
          const form = parseForm(finalForm, request.body);
          await decisions.issueFinal(actorOf(request), id, form);
          reply.setFlash({ notice: 'Final decision sent to the complainant and the authority.' });
          return staffBase(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/decision/review',
      access: 'decisions:write',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${staffBase(id)}#review`, async () => {
          const form = parseForm(reviewRequestForm, request.body);
          await decisions.requestReview(actorOf(request), id, form.grounds);
          reply.setFlash({ notice: 'Review request recorded.' });
          return staffBase(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/decision/review/:reviewId',
      access: 'decisions:review',
      handler: async (request, reply) => {
        const id = idParam(request);
        const reviewId = idParam(request, 'reviewId');
        return handleForm(request, reply, `${staffBase(id)}#review`, async () => {
          const form = parseForm(reviewDecisionForm, request.body);
          await decisions.decideReview(actorOf(request), reviewId, form);
          reply.setFlash({ notice: 'Review decided. Both parties have been told.' });
          return staffBase(id);
        });
      },
    },
  ];

  const portalRoutes: PageRoute[] = [
    {
      method: 'GET',
      url: '/portal/complaints/:id/decision',
      access: 'decisions:portal',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const decision = await decisions.caseDecision(actor, idParam(request));
        return reply.render('decisions/views/portal-decision.njk', { decision });
      },
    },
    {
      method: 'GET',
      url: '/portal/complaints/:id/decision/drafts/:version',
      access: 'decisions:portal',
      handler: async (request, reply) => {
        const id = idParam(request);
        const compare = (request.query as Record<string, unknown>).compare;
        const [decision, view] = await Promise.all([
          decisions.caseDecision(actorOf(request), id),
          decisions.draftVersion(
            actorOf(request),
            id,
            versionOf(request.params),
            compare === undefined ? undefined : versionOf({ version: compare }),
          ),
        ]);
        return reply.render('decisions/views/draft-version.njk', {
          ...view,
          reference: decision.complaint.reference,
          face: 'portal',
          base: portalBase(id),
          documentBase: '/portal/documents/',
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/complaints/:id/decision/comments',
      access: 'decisions:portal',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${portalBase(id)}#comments`, async () => {
          const form = parseForm(portalCommentForm, request.body);
          const result = await decisions.comment(actorOf(request), form.draftId, form);
          reply.setFlash({
            notice: form.noComments
              ? 'You have told us you have no comments on the draft.'
              : result.late
                ? `Your comments have been sent. They arrived after the deadline (${formatDate(result.dueOn)}) and are marked late, but they will be considered.`
                : 'Your comments have been sent to the ombudsman.',
          });
          return portalBase(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/complaints/:id/decision/disclosures',
      access: 'decisions:portal',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `${portalBase(id)}#disclosure`, async () => {
          const form = parseForm(disclosureForm, request.body);
          const b = request.body as Record<string, string>;
          const shownOn = [b['shownOn-year'], b['shownOn-month']?.padStart(2, '0'), b['shownOn-day']?.padStart(2, '0')]
            .map((p) => (p ?? '').trim())
            .join('-');
          await decisions.recordDisclosure(actorOf(request), form.draftId, {
            shownTo: form.shownTo,
            shownOn,
            withEvidence: form.withEvidence,
          });
          reply.setFlash({ notice: 'Recorded: the people criticised have been shown the draft.' });
          return portalBase(id);
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/complaints/:id/timeline',
      access: 'portal:complaints',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const view = await complaints.getCase(actor, idParam(request));
        const events = await complaints.timeline(actor, view.complaint.id);
        return reply.render('decisions/views/portal-timeline.njk', {
          view,
          ...timelineFilter(events, request.query),
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/findings',
      access: 'findings:portal',
      handler: async (request, reply) => {
        const period = findingsPeriod(request.query);
        const rows = period.errors.length > 0 ? [] : await decisions.findings(actorOf(request), period.from, period.to);
        return reply.render('decisions/views/portal-findings.njk', {
          rows: rows.map((r) => ({ ...r, serviceAreaName: serviceAreaName(r.serviceArea) })),
          from: period.from,
          to: period.to,
          errors: period.errors,
          csvHref: `/portal/findings.csv?from=${period.from}&to=${period.to}`,
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/findings.csv',
      access: 'findings:portal',
      handler: async (request, reply) => {
        const period = findingsPeriod(request.query);
        if (period.errors.length > 0) throw invalid(period.errors);
        const rows = await decisions.findings(actorOf(request), period.from, period.to);
        const csv = stringify(
          rows.map((r) => [
            r.reference,
            serviceAreaName(r.serviceArea),
            r.decidedOn,
            r.outcomeName,
            r.formName,
            r.remedies.join('; '),
            r.statement,
          ]),
          {
            header: true,
            columns: ['Reference', 'Service', 'Decided on', 'Finding', 'Decision or report', 'Remedies', 'Statement'],
          },
        );
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="findings-${period.from}-to-${period.to}.csv"`)
          .send(csv);
      },
    },
  ];

  /** The period of the findings page: the last twelve months unless chosen. */
  function findingsPeriod(query: unknown) {
    const today = calendar.londonDate(platform.clock.now());
    const parsed = findingsQuery.safeParse(query ?? {});
    const errors = parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'from'), message: i.message }));
    const from = (parsed.success && parsed.data.from) || addDays(today, -365);
    const to = (parsed.success && parsed.data.to) || today;
    if (errors.length === 0 && from > to)
      errors.push({ field: 'to', message: 'The end of the period must be after its start' });
    return { from, to, errors };
  }

  const publicRoutes: PageRoute[] = [
    {
      method: 'GET',
      url: '/decision/:token',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenOf(request.params);
        const final = await decisions.finalByLink(token);
        if (final) return reply.render('decisions/views/public-final.njk', { final, token });
        const view = await decisions.draftByLink(token);
        return reply.render('decisions/views/public-draft.njk', { ...view, token });
      },
    },
    {
      method: 'POST',
      url: '/decision/:token/comments',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenOf(request.params);
        return handleForm(request, reply, `/decision/${token}#comments`, async () => {
          const form = parseForm(commentForm, request.body);
          const result = await decisions.commentByLink(token, form);
          reply.setFlash({
            notice: form.noComments
              ? 'Thank you. You have told us you have no comments.'
              : result.late
                ? 'Thank you. Your comments arrived after the deadline, but we have kept them and will consider them.'
                : 'Thank you. We have your comments.',
          });
          return `/decision/${token}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/decision/:token/review',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenOf(request.params);
        return handleForm(request, reply, `/decision/${token}#review`, async () => {
          const form = parseForm(reviewRequestForm, request.body);
          await decisions.requestReviewByLink(token, form.grounds);
          reply.setFlash({
            notice: 'We have your request for a review. A manager who was not involved will decide it.',
          });
          return `/decision/${token}`;
        });
      },
    },
  ];

  return [...staffRoutes, ...portalRoutes, ...publicRoutes];
}
