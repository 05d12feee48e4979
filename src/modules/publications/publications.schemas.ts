import { z } from 'zod';
import { instant } from '../../platform/input.ts';
import { PUBLICATION_KINDS, linesOf, questionsFromText } from './domain.ts';

/** Forms, query strings and API bodies for publications. */

const text = (max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`);

const optionalText = (max: number) =>
  z
    .string()
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .default('');

const kind = z.enum(PUBLICATION_KINDS, { error: 'Select the kind of publication' });
const title = text(200, 'Enter a title');
const summary = text(1000, 'Enter a summary of up to 1,000 characters');
const body = text(100_000, 'Enter the text of the publication');

/** A form's checkboxes arrive as one value or several. */
const manyValues = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const publicationForm = z.object({
  kind,
  title,
  summary,
  body,
  topics: manyValues,
  newTopic: optionalText(80),
  councillorQuestions: optionalText(20_000).transform(questionsFromText),
  partners: optionalText(5_000).transform(linesOf),
});

export const correctionForm = publicationForm.extend({
  note: text(2000, 'Say what was corrected, for the note on the page'),
});

export const publishForm = z.object({
  when: z.enum(['now', 'schedule'], { error: 'Select when to publish it' }),
  'publishAt-day': z.string().max(10).optional().default(''),
  'publishAt-month': z.string().max(10).optional().default(''),
  'publishAt-year': z.string().max(10).optional().default(''),
  'publishAt-time': z.string().max(20).optional().default(''),
});

export const withdrawForm = z.object({
  notice: text(1000, 'Enter a short notice saying why it was withdrawn'),
});

export const attachmentForm = z.object({
  title: text(200, 'Enter a title for the file'),
});

export const sitePageForm = z.object({
  title: text(200, 'Enter the page’s title'),
  body: text(100_000, 'Enter the page’s text'),
});

/** The library's query string, on the page and in the API. */
export const libraryQuery = z.object({
  q: z.string().max(200, 'Search for 200 characters or fewer').optional(),
  kind: z
    .union([z.literal(''), z.enum(PUBLICATION_KINDS, { error: 'Choose a kind of publication from the list' })])
    .optional(),
  topic: z
    .string()
    .max(80)
    .regex(/^$|^[a-z0-9]+(-[a-z0-9]+)*$/, 'Choose a topic from the list')
    .optional(),
  year: z
    .union([z.literal(''), z.coerce.number().int().min(1900).max(2100)], {
      error: 'Enter a year from 1900 to 2100',
    })
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  cursor: z.string().max(1000).optional(),
});

export const apiPublicationBody = z.object({
  kind: kind.describe(`One of: ${PUBLICATION_KINDS.join(', ')}`),
  title: title.describe('The title; the web address is made from it and must be the publication’s own'),
  summary: summary.describe('A summary of up to 1,000 characters, shown in lists and the feed'),
  body: body.describe('The text, in Markdown (headings, lists, links, tables, block quotes)'),
  topics: z.array(z.string().max(80)).max(30).optional().describe('Topic slugs, from the list of topics'),
  councillorQuestions: z
    .array(z.string().trim().min(1).max(2000))
    .max(50)
    .optional()
    .describe('Questions for councillors, shown in a section of their own'),
  partners: z
    .array(z.string().trim().min(1).max(200))
    .max(20)
    .optional()
    .describe('For a joint report: the partner organisations (required for one)'),
});

export const apiPublishBody = z
  .object({
    publishAt: instant({ offset: true })
      .optional()
      .describe('When to publish it (ISO 8601 with an offset); now when left out. Must be in the future.'),
  })
  .optional()
  .default({});
