import { z } from 'zod';
import { AUTHORITY_KINDS } from '../authorities/domain.ts';

/** A year as it arrives in an address: `2026` means 1 April 2026 to 31 March 2027; empty means the newest. */
export const yearValue = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.coerce
    .number({ error: 'Enter a year as four digits, like 2026' })
    .int({ error: 'Enter a year as four digits, like 2026' })
    .min(1900, { error: 'Enter a year from 1900 to 2100' })
    .max(2100, { error: 'Enter a year from 1900 to 2100' })
    .optional(),
);

export const yearQuery = z.object({ year: yearValue });

export const nationalQuery = z.object({ year: yearValue, q: z.string().max(200).optional().default('') });

/** An authority's address on the public site (or its id, which is sent on to the address). */
export const authorityParams = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
    .max(140),
});

/** A year in a path: `/performance/2026/data.csv`. */
export const yearParams = z.object({ year: z.coerce.number().int().min(1900).max(2100) });

/** An authority's year in a path: `/authorities/<slug>/performance/2026/letter.pdf`. */
export const authorityYearParams = authorityParams.extend(yearParams.shape);

export const apiYearsQuery = z.object({
  year: yearValue.describe(
    'The year starting 1 April: 2026 means 1 April 2026 to 31 March 2027. The newest published when left out.',
  ),
  kind: z.enum(AUTHORITY_KINDS).optional().describe('Only authorities of this kind'),
});

export const apiAuthorityQuery = z.object({
  year: yearValue.describe(
    'The year starting 1 April: 2026 means 1 April 2026 to 31 March 2027. The newest published when left out.',
  ),
});

/** The publication date form: the day in three boxes, or none to withdraw. */
export const publicationForm = z.object({
  'publish-day': z.string().max(10).optional().default(''),
  'publish-month': z.string().max(10).optional().default(''),
  'publish-year': z.string().max(10).optional().default(''),
});
