import { z } from 'zod';
import { CONSIDERING_BODIES, FURTHER_REASONS, REPORT_CRITERIA } from './domain.ts';

const text = (message: string, max = 50_000) =>
  z
    .string({ error: message })
    .trim()
    .min(1, { error: message })
    .max(max, { error: `Use ${max} characters or fewer` });

/** Checkboxes arrive as one string or several: always a list. */
const list = z.preprocess(
  (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.string()),
);

export const proposeForm = z.object({
  criteria: list.pipe(
    z
      .array(z.enum(REPORT_CRITERIA, { error: 'Select the criteria for a public report that apply' }))
      .min(1, { error: 'Select the criteria for a public report that apply' }),
  ),
  complaint: text('Enter the complaint'),
  findings: text('Enter what I found'),
  proposedRemedy: text('Enter the proposed remedy'),
  decision: text('Enter the draft decision'),
});

export const finalForm = z.object({
  outcome: z.enum(['upheld-injustice', 'upheld-no-injustice'], { error: 'Select the outcome' }),
  statement: text('Enter the final report’s decision statement'),
  // Needed only before the draft's comment deadline: the service says so on these fields.
  earlyConfirmed: z.preprocess((v) => v === 'yes', z.boolean()),
  earlyReason: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(20_000)),
});

export const furtherForm = z.object({
  reason: z.enum(FURTHER_REASONS, { error: 'Select why a further report is needed' }),
  text: text('Enter what the further report says'),
});

export const satisfactionForm = z.object({
  text: text('Enter the letter of satisfaction'),
});

export const stepFields = z.object({
  note: z.string().trim().max(2000, { error: 'Use 2000 characters or fewer' }).optional(),
  body: z.enum(CONSIDERING_BODIES, { error: 'Select who considered the report' }).optional(),
});
