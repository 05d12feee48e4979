import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { apiExtensionBody, apiResponseBody, apiSendBody } from './enquiries.schemas.ts';

const complaintParams = z.object({ id: z.uuid({ error: 'Must be a complaint id' }) });
const enquiryParams = z.object({ id: z.uuid({ error: 'Must be an enquiry id' }) });
const isoDate = z.string().describe('A London calendar date, YYYY-MM-DD');

const apiRecipient = z.object({
  email: z.string(),
  as: z.enum(['link-officer', 'cover', 'generic-inbox', 'chief-executive']),
});

const apiSent = z.object({
  id: z.uuid(),
  sentAt: z.date().transform((d) => d.toISOString()),
  dueDate: isoDate,
  addressedTo: z.object({ name: z.string(), jobTitle: z.string().nullable() }).describe('The chief executive'),
  recipients: z.array(apiRecipient).describe('Every address the enquiry went to'),
});

const apiEnquiry = z.object({
  id: z.uuid(),
  complaintId: z.uuid(),
  complaintReference: z.string(),
  authorityId: z.uuid(),
  kind: z.enum(['enquiry', 'document-request']),
  number: z.number().int(),
  status: z.enum(['open', 'responded', 'closed']),
  statementOfComplaint: z.string().nullable(),
  documentsRequested: z.string().nullable(),
  addressedTo: z.object({ name: z.string(), jobTitle: z.string().nullable() }),
  recipients: z.array(apiRecipient),
  sentAt: z.date().transform((d) => d.toISOString()),
  dueDate: isoDate,
  dueRule: z.object({
    ruleId: z.string(),
    basis: z.string(),
    workingDays: z.number().int(),
    startDate: isoDate,
    holidaySet: z.string(),
    closures: z.array(isoDate),
  }),
  respondedAt: z
    .date()
    .nullable()
    .transform((d) => d?.toISOString() ?? null),
  respondedOnTime: z.boolean().nullable(),
  questions: z.array(
    z.object({
      id: z.uuid(),
      position: z.number().int(),
      text: z.string(),
      answer: z.string().nullable(),
      answerState: z.string(),
    }),
  ),
  extensions: z.array(
    z.object({
      id: z.uuid(),
      reason: z.string(),
      status: z.enum(['pending', 'granted', 'refused']),
      decisionReason: z.string().nullable(),
      previousDueDate: isoDate,
      newDueDate: isoDate.nullable(),
    }),
  ),
});

const SCOPE =
  'Staff tokens see every enquiry; an authority’s token sees only its own authority’s (others are not found).';

/** Enquiries over the API: staff send them; authorities read, answer and ask for more time. */
export function enquiriesApi(services: Services): ApiRoute[] {
  const { enquiries } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/complaints/:id/enquiries',
      access: 'enquiries:send',
      summary: 'Send an enquiry on a complaint under investigation',
      description:
        'Addressed to the authority’s chief executive, delivered to its link officers (or cover) and generic inbox. ' +
        'Due the given number of working days after today (England and Wales bank holidays and closures skipped), ' +
        'or the kind’s default. 409 when the complaint is not under investigation.',
      tags: ['Enquiries'],
      params: complaintParams,
      body: apiSendBody,
      status: 201,
      response: apiSent,
      handler: async ({ actor, params, body }) => enquiries.send(actor, params.id, body),
    }),
    apiRoute({
      method: 'GET',
      url: '/enquiries/:id',
      access: 'signed-in',
      summary: 'One enquiry with its questions, answers, due date and the rule that produced it',
      description: SCOPE,
      tags: ['Enquiries'],
      params: enquiryParams,
      response: apiEnquiry,
      handler: async ({ actor, params }) => {
        const e = await enquiries.get(actor, params.id);
        return { ...e, dueRule: e.rule };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/enquiries/:id/responses',
      access: 'enquiries:delegate',
      summary: 'Send the authority’s response (answers saved first); marks the enquiry responded, on time or late',
      description: `${SCOPE} 409 when the enquiry is closed, already responded, or a question has no answer ready.`,
      tags: ['Enquiries'],
      params: enquiryParams,
      body: apiResponseBody,
      status: 201,
      response: z.object({
        id: z.uuid(),
        status: z.literal('responded'),
        onTime: z.boolean(),
        respondedAt: z.date().transform((d) => d.toISOString()),
      }),
      handler: async ({ actor, params, body }) => {
        const result = await enquiries.submitResponse(actor, params.id, body.answers);
        return { id: params.id, status: 'responded' as const, ...result };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/enquiries/:id/extension-requests',
      access: 'enquiries:delegate',
      summary: 'Ask for more time, with the reason',
      description: `${SCOPE} 409 when a request is already waiting for a decision or the enquiry is not open.`,
      tags: ['Enquiries'],
      params: enquiryParams,
      body: apiExtensionBody,
      status: 201,
      response: z.object({ id: z.uuid(), enquiryId: z.uuid(), status: z.literal('pending') }),
      handler: async ({ actor, params, body }) => {
        const id = await enquiries.requestExtension(actor, params.id, body.reason);
        return { id, enquiryId: params.id, status: 'pending' as const };
      },
    }),
  ];
}
