import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { DomainError, invalid, notFound } from '../../platform/errors.ts';
import { formatDate } from '../../platform/dates.ts';
import { can } from '../accounts/domain.ts';
import { caseContext } from '../complaints/case-context.ts';
import { SECTION_KEYS } from './domain.ts';
import {
  REMEDY_SLOTS,
  compareQuery,
  draftForm,
  draftParams,
  finalForm,
  remediesFromForm,
  reviewDecisionForm,
  reviewParams,
  reviewRequestForm,
  staffCommentForm,
} from './decisions.schemas.ts';
import { checkedOutcomeItems, draftFormValues, evidenceItems, outcomeItems, remedyTypeItems } from './presenters.ts';

/** The Decision tab of a staff case: drafts, comments, the final decision and its review. */
export function decisionsStaffRoutes(services: Services): PageRoute[] {
  const { decisions, complaints } = services;
  const staffBase = (id: string) => `/staff/complaints/${id}/decision`;

  return [
    page({
      url: '/staff/complaints/:id/decision',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'decision');
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
    }),
    page({
      url: '/staff/complaints/:id/decision/drafts/new',
      access: 'decisions:write',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'decision');
        const [decision, documents] = await Promise.all([
          decisions.caseDecision(actor, ctx.view.complaint.id),
          complaints.documents(actor, ctx.view.complaint.id),
        ]);
        const latest = decision.drafts[0];
        const kept = request.flash.values ?? {};
        const values = Object.keys(kept).length > 0 ? kept : draftFormValues(latest);
        return reply.render('decisions/views/staff-draft-form.njk', {
          ...ctx,
          values,
          nextVersion: (latest?.version ?? 0) + 1,
          sectionKeys: SECTION_KEYS,
          evidenceItems: evidenceItems(documents, values, latest),
          remedySlots: Array.from({ length: REMEDY_SLOTS }, (_v, i) => i + 1),
          remedyTypeItems: remedyTypeItems(),
          commentWorkingDays: decisions.settings.commentWorkingDays,
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/decision/drafts',
      access: 'decisions:write',
      params: withId,
      // Loose, so the remedy rows (`remedy-1-type`…) reach remediesFromForm.
      body: draftForm.loose(),
      back: ({ params }) => `${staffBase(params.id)}/drafts/new`,
      action: async ({ actor, params, body }) => {
        const { remedies, problems } = remediesFromForm(body);
        if (problems.length > 0) throw invalid(problems);
        const issued = await decisions.issueDraft(actor, params.id, {
          sections: {
            complaint: body.complaint,
            findings: body.findings,
            proposedRemedy: body.proposedRemedy,
            decision: body.decision,
          },
          evidenceDocumentIds: body.evidence,
          remedies,
        });
        return {
          to: staffBase(params.id),
          notice: `Draft decision version ${issued.version} sent to the complainant and the authority. Comments are due by ${formatDate(issued.commentDueOn)}.`,
        };
      },
    }),
    page({
      url: '/staff/complaints/:id/decision/drafts/:version',
      access: 'complaints:read',
      params: draftParams,
      query: compareQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'decision');
        if (query.compare === null) throw notFound('The draft');
        const view = await decisions.draftVersion(actor, ctx.view.complaint.id, params.version, query.compare);
        return reply.render('decisions/views/draft-version.njk', {
          ...ctx,
          ...view,
          face: 'staff',
          base: staffBase(ctx.view.complaint.id),
          documentBase: '/staff/documents/',
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/decision/comments',
      access: 'decisions:write',
      params: withId,
      body: staffCommentForm,
      back: ({ params }) => `${staffBase(params.id)}#comments`,
      action: async ({ actor, params, body }) => {
        const current = (await decisions.caseDecision(actor, params.id)).drafts[0];
        if (!current) throw new DomainError('conflict', 'There is no draft on this case to comment on');
        const result = await decisions.comment(actor, current.id, body);
        return {
          to: staffBase(params.id),
          notice: result.late
            ? `Comments recorded. They arrived after the deadline (${formatDate(result.dueOn)}) and are marked late.`
            : 'Comments recorded.',
        };
      },
    }),
    page({
      url: '/staff/complaints/:id/decision/final',
      access: 'decisions:write',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'decision');
        const decision = await decisions.caseDecision(actor, ctx.view.complaint.id);
        return reply.render('decisions/views/staff-final-form.njk', {
          ...ctx,
          decision,
          outcomeItems: checkedOutcomeItems(request.flash.values?.outcome),
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/decision/final',
      access: 'decisions:write',
      params: withId,
      body: finalForm,
      back: ({ params }) => `${staffBase(params.id)}/final`,
      action: async ({ actor, params, body }) => {
        await decisions.issueFinal(actor, params.id, body);
        return { to: staffBase(params.id), notice: 'Final decision sent to the complainant and the authority.' };
      },
    }),
    form({
      url: '/staff/complaints/:id/decision/review',
      access: 'decisions:write',
      params: withId,
      body: reviewRequestForm,
      back: ({ params }) => `${staffBase(params.id)}#review`,
      action: async ({ actor, params, body }) => {
        await decisions.requestReview(actor, params.id, body.grounds);
        return { to: staffBase(params.id), notice: 'Review request recorded.' };
      },
    }),
    form({
      url: '/staff/complaints/:id/decision/review/:reviewId',
      access: 'decisions:review',
      params: reviewParams,
      body: reviewDecisionForm,
      back: ({ params }) => `${staffBase(params.id)}#review`,
      action: async ({ actor, params, body }) => {
        await decisions.decideReview(actor, params.reviewId, body);
        return { to: staffBase(params.id), notice: 'Review decided. Both parties have been told.' };
      },
    }),
  ];
}
