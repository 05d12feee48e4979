import { z } from 'zod';
import { calendarDate, instant as instantField } from '../../platform/input.ts';
import { pageQuery } from '../../platform/pagination.ts';

const text = z.string().trim().max(200);
const optionalText = text.optional().transform((v) => (v === undefined || v === '' ? undefined : v));

/** The audit log page's filter form (a GET form): every field is text until checked. */
export const auditPageQuery = z.object({
  actor: optionalText,
  recordType: optionalText,
  recordId: optionalText,
  action: optionalText,
  'from-day': text.default(''),
  'from-month': text.default(''),
  'from-year': text.default(''),
  'to-day': text.default(''),
  'to-month': text.default(''),
  'to-year': text.default(''),
  cursor: z.string().max(1000).optional(),
});

const instant = z
  .union([calendarDate(), instantField({ offset: true })])
  .describe('A date (a whole day, London time) or a date and time with its offset');

/** GET /api/v1/audit-events query. */
export const auditApiQuery = pageQuery.extend({
  actor: z.uuid().optional().describe('Only events by this user or token id'),
  recordType: z.string().max(200).optional().describe('Only events about this kind of record, e.g. `user`'),
  recordId: z.string().max(200).optional().describe('Only events about this record id'),
  action: z.string().max(200).optional().describe('Only this action, e.g. `api-token.created`'),
  from: instant.optional().describe('Events at or after this time; a date means from the start of that day'),
  to: instant.optional().describe('Events before this time; a date means up to the end of that day'),
});

export const auditEventSchema = z.object({
  id: z.string().describe('Sequence number of the event'),
  occurredAt: z.iso.datetime(),
  actor: z.object({
    type: z.enum(['user', 'token', 'system']),
    id: z.string().nullable(),
    role: z.string().nullable(),
  }),
  action: z.string(),
  recordType: z.string(),
  recordId: z.string().nullable(),
  authorityId: z.string().nullable(),
  requestId: z.string().nullable(),
});

export const auditEventsResponse = z.object({
  items: z.array(auditEventSchema),
  nextCursor: z.string().nullable(),
});
