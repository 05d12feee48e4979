import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { invalid } from '../../platform/errors.ts';
import { REMEDY_TYPES } from '../decisions/domain.ts';
import { apiEvidenceBody, apiReviewBody } from './remedies.schemas.ts';

const complaintParams = z.object({ id: z.uuid({ error: 'Must be a complaint id' }) });
const remedyParams = z.object({ id: z.uuid({ error: 'Must be a remedy id' }) });
const reviewParams = z.object({
  id: z.uuid({ error: 'Must be a remedy id' }),
  evidenceId: z.uuid({ error: 'Must be an evidence id' }),
});
const isoDate = z.string().describe('A London calendar date, YYYY-MM-DD');
const instant = z.date().transform((d) => d.toISOString());
const nullableInstant = z
  .date()
  .nullable()
  .transform((d) => d?.toISOString() ?? null);

const apiRemedy = z.object({
  id: z.uuid(),
  complaintId: z.uuid(),
  draftVersion: z.number().int().describe('The version of the draft that proposed it'),
  type: z.enum(REMEDY_TYPES),
  description: z.string(),
  amount: z.number().int().nullable().describe('For a financial payment: the amount in pence'),
  status: z.enum(['proposed', 'superseded', 'withdrawn', 'agreed', 'complied', 'not-satisfied']),
  dueDate: isoDate.nullable().describe('The current due date, once agreed'),
  agreedDueDate: isoDate.nullable(),
  late: z.boolean().describe('Past the due date without accepted evidence, or complied with late'),
  compliedOn: isoDate.nullable(),
  compliedOnTime: z.boolean().nullable(),
  evidence: z.array(
    z.object({
      id: z.uuid(),
      description: z.string(),
      documentId: z.uuid().nullable(),
      submittedAt: instant,
      late: z.boolean(),
      status: z.enum(['submitted', 'accepted', 'returned']),
      reviewedAt: nullableInstant,
      reviewReason: z.string().nullable(),
    }),
  ),
});

const SCOPE =
  'Staff tokens see every remedy; an authority’s token sees only its own authority’s agreed remedies (others are not found).';

/** Remedies over the API: a case's remedies, the authority's evidence of compliance, and its review. */
export function remediesApi(services: Services): ApiRoute[] {
  const { remedies, files } = services;
  return [
    apiRoute({
      method: 'GET',
      url: '/complaints/:id/remedies',
      access: 'signed-in',
      summary: 'A complaint’s remedies: proposed, agreed with due dates, and the evidence of compliance',
      description: SCOPE,
      tags: ['Remedies'],
      params: complaintParams,
      response: z.object({ items: z.array(apiRemedy) }),
      handler: async ({ actor, params }) => {
        const items = await remedies.forComplaint(actor, params.id);
        return {
          items: items.map((r) => ({ ...r, amount: r.amountPence, dueDate: r.dueOn, agreedDueDate: r.agreedDueOn })),
        };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/remedies/:id/evidence',
      access: 'remedies:portal',
      summary: 'Send evidence of compliance with a remedy (authority tokens, own authority only)',
      description:
        'Marked late when it arrives after the due date. 404 for another authority’s remedy; 409 when the remedy ' +
        'is not agreed, is already complied with, or has evidence waiting for review.',
      tags: ['Remedies'],
      params: remedyParams,
      body: apiEvidenceBody,
      status: 201,
      response: z.object({ id: z.uuid(), remedyId: z.uuid(), status: z.literal('submitted'), late: z.boolean() }),
      handler: async ({ actor, params, body }) => {
        let file: { content: Buffer; filename: string; field: string } | null = null;
        if (body.document) {
          const content = Buffer.from(body.document.contentBase64, 'base64');
          if (content.length === 0)
            throw invalid([{ field: 'document.contentBase64', message: 'The document is empty or not base64' }]);
          if (content.length > files.settings.maxBytes) throw files.tooLarge('document.contentBase64');
          file = { content, filename: body.document.filename, field: 'document.contentBase64' };
        }
        const result = await remedies.submitEvidence(actor, params.id, { description: body.description, file });
        return { id: result.id, remedyId: params.id, status: 'submitted' as const, late: result.late };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/remedies/:id/evidence/:evidenceId/review',
      access: 'remedies:review',
      summary: 'Accept evidence of compliance, or return it with reasons (team coordinators, casework managers)',
      description:
        'Accepting marks the remedy complied with (on time when the evidence arrived by the due date) and closes ' +
        'the case when nothing else is outstanding. 409 when the evidence was already reviewed.',
      tags: ['Remedies'],
      params: reviewParams,
      body: apiReviewBody,
      response: z.object({
        remedyStatus: z.enum(['proposed', 'superseded', 'withdrawn', 'agreed', 'complied', 'not-satisfied']),
        evidenceStatus: z.enum(['accepted', 'returned']),
        caseClosed: z.boolean(),
      }),
      handler: async ({ actor, params, body }) =>
        remedies.reviewEvidence(
          actor,
          params.id,
          params.evidenceId,
          body.decision === 'accept' ? { decision: 'accept' } : { decision: 'return', reason: body.reason },
        ),
    }),
  ];
}
