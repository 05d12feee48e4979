import { z } from 'zod';
import { MANAGER_ACTIONS } from './domain.ts';

/** Forms and API bodies for remedies. */

const text = (max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`);

export const evidenceForm = z.object({
  description: text(10_000, 'Describe what was done and how the evidence shows it'),
});

export const reviewForm = z.discriminatedUnion(
  'decision',
  [
    z.object({ decision: z.literal('accept'), reason: z.string().optional() }),
    z.object({ decision: z.literal('return'), reason: text(5000, 'Give the reasons the evidence is returned') }),
  ],
  { error: 'Select whether to accept or return the evidence' },
);

export const actionForm = z.object({
  action: z.enum(MANAGER_ACTIONS, { error: 'Select what was done' }),
  note: text(10_000, 'Enter a note of what was done, or the reason'),
});

export const apiEvidenceBody = z.object({
  description: text(10_000, 'Describe what was done and how the evidence shows it').describe(
    'What was done and how the evidence shows it',
  ),
  document: z
    .object({
      filename: z.string().trim().min(1).max(255),
      contentBase64: z.string().min(1).describe('The file, base64-encoded'),
    })
    .optional()
    .describe('An optional document (checked by content: PDF, Word, image and similar)'),
});

export const apiReviewBody = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('accept') }),
  z.object({
    decision: z.literal('return'),
    reason: text(5000, 'Give the reasons the evidence is returned').describe('Why the evidence is returned'),
  }),
]);
