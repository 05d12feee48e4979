import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { TIMELINE_KINDS } from '../complaints/complaints.service.ts';
import { FINAL_OUTCOMES } from './domain.ts';
import { apiCommentBody, apiDraftBody, apiFinalBody } from './decisions.schemas.ts';

const complaintParams = z.object({ id: z.uuid({ error: 'Must be a complaint id' }) });
const draftParams = z.object({ id: z.uuid({ error: 'Must be a draft decision id' }) });
const isoDate = z.string().describe('A London calendar date, YYYY-MM-DD');

/** Draft and final decisions and the case timeline over the API. */
export function decisionsApi(services: Services): ApiRoute[] {
  const { decisions, complaints } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/complaints/:id/draft-decisions',
      access: 'decisions:write',
      summary: 'Issue a draft decision (or a revised one) to both parties at once',
      description:
        'Staff tokens. The case must be under investigation (or already have a draft). The draft goes to the ' +
        'complainant and to the authority (addressed to the chief executive, delivered to the link officers and ' +
        'generic inbox), each with a comment deadline. Remedy types: apology, financial (amount in pounds), ' +
        'other-action, service-improvement. 409 when the case is not under investigation or is decided; 422 for a ' +
        'remedy due date in the past.',
      tags: ['Decisions'],
      params: complaintParams,
      body: apiDraftBody,
      status: 201,
      response: z.object({
        id: z.uuid(),
        version: z.number().int(),
        commentDueOn: isoDate,
      }),
      handler: async ({ actor, params, body }) => {
        const result = await decisions.issueDraft(actor, params.id, {
          sections: {
            complaint: body.sections?.complaint?.trim() || body.text,
            findings: body.sections?.findings?.trim() || body.text,
            proposedRemedy: body.sections?.proposedRemedy?.trim() || body.text,
            decision: body.text,
          },
          ...(body.evidenceDocumentIds ? { evidenceDocumentIds: body.evidenceDocumentIds } : {}),
          remedies: (body.remedies ?? []).map((r) => ({
            type: r.type,
            description: r.description,
            amountPence: r.amount === undefined ? null : Math.round(r.amount * 100),
            dueInWorkingDays: r.dueInWorkingDays ?? null,
            dueDate: r.dueDate ?? null,
          })),
        });
        return { id: result.draftId, version: result.version, commentDueOn: result.commentDueOn };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/draft-decisions/:id/comments',
      access: 'signed-in',
      summary: 'Comment on a draft decision, or say there are no comments',
      description:
        'Authority tokens comment as their authority (others’ drafts are not found). Staff tokens enter comments ' +
        'received another way, saying whose they are. Comments after the deadline are accepted and marked late.',
      tags: ['Decisions'],
      params: draftParams,
      body: apiCommentBody,
      status: 201,
      response: z.object({ id: z.uuid(), late: z.boolean(), commentDueOn: isoDate }),
      handler: async ({ actor, params, body }) => {
        const result = await decisions.comment(actor, params.id, body);
        return { id: result.id, late: result.late, commentDueOn: result.dueOn };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/complaints/:id/final-decision',
      access: 'decisions:write',
      summary: 'Issue the final decision to both parties',
      description:
        'Staff tokens. Needs a draft first, except for closed-after-initial-enquiries. The case then closes with ' +
        'the outcome, or moves to remedy while remedies (or a public report’s statutory steps) are outstanding. ' +
        'Before the latest draft’s comment deadline it needs `earlyReason`.',
      tags: ['Decisions'],
      params: complaintParams,
      body: apiFinalBody,
      status: 201,
      response: z.object({
        id: z.uuid(),
        outcome: z.enum(FINAL_OUTCOMES),
        reviewDueOn: isoDate,
        caseStatus: z.string(),
      }),
      handler: async ({ actor, params, body }) => {
        const result = await decisions.issueFinal(actor, params.id, {
          outcome: body.outcome,
          statement: body.text,
          // The reason is the confirmation: an API client that sends it means to issue the decision early.
          earlyConfirmed: body.earlyReason !== undefined,
          earlyReason: body.earlyReason ?? null,
        });
        const view = await complaints.getCase(actor, params.id);
        return {
          id: result.finalDecisionId,
          outcome: body.outcome,
          reviewDueOn: result.reviewDueOn,
          caseStatus: view.complaint.status,
        };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/complaints/:id/timeline',
      access: 'signed-in',
      summary: 'The end-to-end timeline of a case, newest first',
      description:
        'Every event with its date, kind, actor role and documents. Staff tokens see every event and who acted; an ' +
        'authority’s token sees only its own cases and the events meant for it.',
      tags: ['Decisions'],
      params: complaintParams,
      query: z.object({ kind: z.enum(TIMELINE_KINDS).optional().describe('Only events of this kind') }),
      response: z.object({
        events: z.array(
          z.object({
            at: z.date().transform((d) => d.toISOString()),
            kind: z.enum(TIMELINE_KINDS),
            label: z.string(),
            text: z.string().nullable(),
            actorRole: z.string().nullable(),
            by: z.string().nullable().describe('Staff tokens only'),
            documents: z.array(z.object({ id: z.uuid(), filename: z.string() })),
          }),
        ),
      }),
      handler: async ({ actor, params, query }) => {
        const events = await complaints.timeline(actor, params.id);
        return {
          events: events
            .filter((e) => !query.kind || e.kind === query.kind)
            .map((e) => ({
              at: e.at,
              kind: e.kind,
              label: e.label,
              text: e.text ?? null,
              actorRole: e.actorRole ?? null,
              by: actor.authorityId === null ? (e.by ?? null) : null,
              documents: [...(e.documents ?? [])],
            })),
        };
      },
    }),
  ];
}
