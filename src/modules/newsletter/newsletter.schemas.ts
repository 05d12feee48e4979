import { z } from 'zod';
import { TOPICS } from './domain.ts';

/** What the newsletter's forms and API read. */

const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, { error: `${what} must be ${max} characters or fewer` })
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v));

export const emailField = z
  .string({ error: 'Enter your email address' })
  .trim()
  .min(1, { error: 'Enter your email address' })
  .max(254, { error: 'The email address must be 254 characters or fewer' })
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' }));

export const subscribeForm = z.object({
  email: emailField,
  name: optionalText(200, 'Your name'),
  organisation: optionalText(200, 'Your organisation'),
});

/** One or many checkboxes (or none) of the newsletter's topics. */
export const topicsField = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.enum(TOPICS, { error: 'Choose topics from the list' })).max(TOPICS.length));

export const preferencesForm = z.object({ topics: topicsField });

export const issueForm = z.object({
  subject: z.string().max(1000).default(''),
  preheader: z.string().max(1000).default(''),
  body: z.string().max(200_000).default(''),
  topics: topicsField,
  /** Present when an "Insert" button was pressed: the item to add to the content (nothing is saved). */
  insert: z.string().max(300).optional(),
});

export type IssueForm = z.output<typeof issueForm>;

export const scheduleForm = z.object({
  when: z.enum(['now', 'later'], { error: 'Choose when to send the issue' }),
  date: z.string().max(20).default(''),
  time: z.string().max(10).default(''),
});

export const tokenParams = z.object({ token: z.string().min(1).max(200) });
export const slugParams = z.object({ slug: z.string().min(1).max(200) });
export const archiveQuery = z.object({ q: z.string().max(200).optional().catch(undefined) });

export const apiSubscriptionBody = z.object({
  email: emailField,
  name: z.string().trim().max(200).optional(),
  organisation: z.string().trim().max(200).optional(),
});

export const apiIssueBody = z.object({
  subject: z.string().max(150).describe('Must not be empty'),
  body: z.string().max(100_000).describe('Markdown, rendered and sanitised as publications are'),
  preheader: z.string().max(200).optional(),
  topics: z.array(z.enum(TOPICS)).max(TOPICS.length).optional(),
});

export const apiSendBody = z
  .object({
    scheduledFor: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('Send at this instant instead of now; must be in the future'),
  })
  .optional();

export const ISSUE_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'sent'] as const;
