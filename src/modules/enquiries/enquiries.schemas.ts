import { z } from 'zod';
import { dateFromParts as calendarDateFromParts } from '../../platform/input.ts';
import { ENQUIRY_KINDS, MAX_WORKING_DAYS } from './domain.ts';

/** Forms, API bodies for enquiries. */

const text = (max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`);

/** One or more form fields of the same name arrive as a string or an array. */
const manyStrings = z.preprocess(
  (v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.string().max(5000, 'Each question must be 5,000 characters or fewer')),
);

const optionalWorkingDays = z.preprocess(
  (v) => (v === '' || v === undefined || v === null ? undefined : v),
  z.coerce
    .number({ error: 'Enter a number of working days' })
    .int('Enter a whole number of working days')
    .min(1, `Enter a number of working days from 1 to ${MAX_WORKING_DAYS}`)
    .max(MAX_WORKING_DAYS, `Enter a number of working days from 1 to ${MAX_WORKING_DAYS}`)
    .optional(),
);

export const composeForm = z.object({
  kind: z.enum(ENQUIRY_KINDS, { error: 'Select what kind of enquiry this is' }),
  statementOfComplaint: z.string().max(20_000).optional(),
  questions: manyStrings.refine((qs) => qs.some((q) => q.trim() !== ''), 'Enter at least one question'),
  documentsRequested: z.string().max(5000).optional(),
  dueInWorkingDays: optionalWorkingDays,
});

/** A date typed as three fields (day, month, year) → YYYY-MM-DD, or a validation error on `field`. */
export function dateFromParts(body: unknown, prefix: string): string | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const field = (name: string) => (typeof b[name] === 'string' ? b[name] : '').trim();
  const day = field(`${prefix}-day`);
  const month = field(`${prefix}-month`);
  const year = field(`${prefix}-year`);
  if (day === '' && month === '' && year === '') return null;
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return 'invalid';
  return calendarDateFromParts(day, month, year) ?? 'invalid';
}

export const decisionForm = z.discriminatedUnion(
  'decision',
  [
    // Loose, so the three fields of a new due date (`newDate-day`…) reach dateFromParts.
    z
      .object({
        decision: z.literal('grant'),
        grantBy: z.enum(['working-days', 'date'], { error: 'Select how to set the new due date' }),
        workingDays: z.string().optional(),
        reason: text(5000, 'Enter the reason for the decision'),
      })
      .loose(),
    z.object({ decision: z.literal('refuse'), reason: text(5000, 'Enter the reason for refusing') }),
  ],
  { error: 'Select whether to grant or refuse more time' },
);

export const reasonForm = z.object({ reason: text(5000, 'Enter why the authority needs more time') });
export const closeForm = z.object({ closeReason: text(5000, 'Enter why the enquiry is being closed') });
export const answerForm = z.object({
  answer: text(20_000, 'Enter the answer'),
  intent: z.enum(['ready', 'draft']).default('ready'),
});
export const delegateForm = z.object({
  target: z.string({ error: 'Select what to delegate' }).min(1, 'Select what to delegate'),
  delegateUserId: z.uuid({ error: 'Select a colleague' }),
});
export const settingsForm = z.object({
  delegateSubmission: z.enum(['direct', 'review'], { error: 'Select how delegates’ answers reach the ombudsman' }),
});

/** The portal's enquiries inbox: a `cursor` that is not one string is the first page. */
export const inboxQuery = z.object({ cursor: z.string().optional().catch(undefined) });

// API --------------------------------------------------------------------------------------------

export const apiSendBody = z.object({
  kind: z.enum(ENQUIRY_KINDS).default('enquiry'),
  statementOfComplaint: z
    .string()
    .trim()
    .max(20_000)
    .optional()
    .describe('Defaults to the complaint’s summary on the first enquiry'),
  questions: z
    .array(z.string().trim().min(1).max(5000))
    .min(1)
    .max(50)
    .describe('Each question is answered separately'),
  documentsRequested: z.string().trim().max(5000).optional(),
  dueInWorkingDays: z
    .number()
    .int()
    .min(1)
    .max(MAX_WORKING_DAYS)
    .optional()
    .describe('Working days after today (Europe/London); the kind’s default when absent'),
});

export const apiResponseBody = z.object({
  answers: z
    .array(z.object({ questionId: z.uuid(), answer: z.string().trim().min(1).max(20_000) }))
    .max(50)
    .default([])
    .describe('Answers to save before sending; every question must have an answer ready'),
});

export const apiExtensionBody = z.object({ reason: z.string().trim().min(1).max(5000) });
