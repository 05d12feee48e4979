import { z } from 'zod';
import { pageQuery } from '../../platform/pagination.ts';

export const listQuery = pageQuery;

export const assignForm = z.object({
  reference: z
    .string({ error: 'Enter the case reference' })
    .trim()
    .regex(/^\d{2}[ -]?\d{3}[ -]?\d{3}$/, { error: 'Enter a case reference like 26 001 234' }),
  audience: z.enum(['authority', 'complainant'], { error: 'Select whose side of the case the message is from' }),
});

export const discardForm = z.object({
  reason: z
    .string({ error: 'Enter why the message is being discarded' })
    .trim()
    .min(1, { error: 'Enter why the message is being discarded' })
    .max(500, { error: 'The reason must be 500 characters or fewer' }),
});

export const composeForm = z.object({
  addressee: z.enum(['link-officers', 'chief-executive', 'complainant'], { error: 'Select who the message is for' }),
  subject: z
    .string()
    .trim()
    .min(1, { error: 'Enter a subject' })
    .max(200, { error: 'The subject must be 200 characters or fewer' }),
  text: z
    .string()
    .trim()
    .min(1, { error: 'Enter the message' })
    .max(20_000, { error: 'The message must be 20,000 characters or fewer' }),
});
