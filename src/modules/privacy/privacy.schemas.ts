import { z } from 'zod';

const analytics = z.enum(['yes', 'no'], { message: 'Select yes if you want to accept analytical cookies' });

/** The privacy settings page's form. */
export const settingsForm = z.object({ analytics });

/** The cookie banner's form: a choice, and the page to go back to (checked by `safeReturnPath`). */
export const bannerForm = z.object({ analytics, returnTo: z.string().optional() });

// Any text: what is not a real date is the page's own error, shown in its error summary.
const part = z.string().trim().default('');

/** The staff analytics page's date range (a GET form of two GOV.UK date inputs), read by `readRange`. */
export const analyticsQuery = z.object({
  'from-day': part,
  'from-month': part,
  'from-year': part,
  'to-day': part,
  'to-month': part,
  'to-year': part,
});

export type AnalyticsQuery = z.output<typeof analyticsQuery>;
