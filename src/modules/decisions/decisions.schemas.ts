import { z } from 'zod';
import { calendarDate } from '../../platform/input.ts';
import { TIMELINE_KINDS, type TimelineKind } from '../complaints/complaints.service.ts';
import { FINAL_OUTCOMES, REMEDY_TYPES } from './domain.ts';

/** Forms and API bodies for draft and final decisions. */

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
    .optional();

const yes = z.preprocess((v) => v === 'yes' || v === 'true' || v === true, z.boolean());

export const REMEDY_SLOTS = 3;

/** The draft form: four sections, evidence from the case's documents, up to three remedies. */
export const draftForm = z.object({
  complaint: text(50_000, 'Enter the complaint'),
  findings: text(50_000, 'Enter what I found'),
  proposedRemedy: text(50_000, 'Enter the proposed remedy'),
  decision: text(50_000, 'Enter the draft decision'),
  evidence: z.preprocess(
    (v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(z.uuid({ error: 'Choose evidence from this case’s documents' })),
  ),
});

/** The remedy rows of the draft form (`remedy-1-type`, `remedy-1-description`, …), blank rows left out. */
export function remediesFromForm(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  const s = (k: string) => {
    const v = b[k];
    return typeof v === 'string' ? v.trim() : '';
  };
  const out: {
    type: (typeof REMEDY_TYPES)[number];
    description: string;
    amountPence: number | null;
    dueInWorkingDays: number | null;
  }[] = [];
  const problems: { field: string; message: string }[] = [];
  for (let i = 1; i <= REMEDY_SLOTS; i++) {
    const type = s(`remedy-${i}-type`);
    const description = s(`remedy-${i}-description`);
    const amount = s(`remedy-${i}-amount`);
    const days = s(`remedy-${i}-days`);
    if (!type && !description && !amount && !days) continue;
    if (!(REMEDY_TYPES as readonly string[]).includes(type))
      problems.push({ field: `remedy-${i}-type`, message: `Choose the type of remedy ${i}` });
    if (!description) problems.push({ field: `remedy-${i}-description`, message: `Describe remedy ${i}` });
    let amountPence: number | null = null;
    if (amount) {
      if (!/^\d+(\.\d{1,2})?$/.test(amount.replace(/[£,]/g, '')))
        problems.push({
          field: `remedy-${i}-amount`,
          message: `Enter the amount of remedy ${i} in pounds, like 250 or 250.50`,
        });
      else amountPence = Math.round(Number(amount.replace(/[£,]/g, '')) * 100);
    }
    let dueInWorkingDays: number | null = null;
    if (days) {
      if (!/^\d{1,3}$/.test(days) || Number(days) < 1 || Number(days) > 260)
        problems.push({ field: `remedy-${i}-days`, message: `Enter working days for remedy ${i} from 1 to 260` });
      else dueInWorkingDays = Number(days);
    }
    out.push({ type: type as (typeof REMEDY_TYPES)[number], description, amountPence, dueInWorkingDays });
  }
  return { remedies: out, problems };
}

export const staffCommentForm = z.object({
  party: z.enum(['complainant', 'authority'], { error: 'Choose whose comments these are' }),
  channel: z.enum(['email', 'staff'], { error: 'Choose how the comments came' }),
  text: optionalText(50_000),
  noComments: yes,
});

export const commentForm = z.object({
  text: optionalText(50_000),
  noComments: yes,
});

export const portalCommentForm = commentForm.extend({ draftId: z.uuid({ error: 'Choose the draft' }) });

export const disclosureForm = z.object({
  draftId: z.uuid({ error: 'Choose the draft' }),
  shownTo: text(2000, 'Enter who was shown the draft (names or roles)'),
  withEvidence: yes,
});

export const finalForm = z.object({
  outcome: z.enum(FINAL_OUTCOMES, { error: 'Choose the outcome' }),
  statement: text(50_000, 'Enter the decision statement'),
  // Needed only before the draft's comment deadline: the service says so on these fields.
  earlyConfirmed: yes,
  earlyReason: z.preprocess(
    (v) => (typeof v === 'string' ? v : ''),
    z.string().max(20_000, 'The reason must be 20,000 characters or fewer'),
  ),
});

export const reviewRequestForm = z.object({ grounds: text(20_000, 'Tell us why you think the decision is wrong') });

export const reviewDecisionForm = z
  .object({
    result: z.enum(['decision-stands', 'decision-changed'], { error: 'Choose whether the decision stands' }),
    newOutcome: z.preprocess((v) => (v === '' ? undefined : v), z.enum(FINAL_OUTCOMES).optional()),
    reason: text(20_000, 'Enter the reasons for the review decision'),
  })
  .refine((v) => v.result === 'decision-stands' || v.newOutcome !== undefined, {
    path: ['newOutcome'],
    message: 'Choose the new outcome',
  });

export const findingsQuery = z.object({
  from: z.iso.date({ error: 'Enter the start of the period as YYYY-MM-DD' }).optional(),
  to: z.iso.date({ error: 'Enter the end of the period as YYYY-MM-DD' }).optional(),
});

/** The findings page's period as asked: never refused, since the page itself says what is wrong with it. */
export const findingsPageQuery = z.unknown().transform((query) => {
  const parsed = findingsQuery.safeParse(query ?? {});
  if (parsed.success) return { from: parsed.data.from, to: parsed.data.to, errors: [] };
  return {
    from: undefined,
    to: undefined,
    errors: parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'from'), message: i.message })),
  };
});

// Pages' addresses --------------------------------------------------------------------------------

/** A draft's version number in an address; anything else is a draft that does not exist. */
export const draftVersion = z.coerce.number().int().min(1).max(10_000);

export const draftParams = z.object({ id: z.uuid(), version: draftVersion });

/**
 * The version a draft is compared with (`?compare=2`): absent, a version, or `null` when it is not
 * one, which the page answers as a draft that does not exist (not as a bad address).
 */
export const compareQuery = z.object({
  compare: z
    .unknown()
    .transform((v) => (v === undefined ? undefined : (draftVersion.safeParse(v).data ?? null)))
    .optional(),
});

/** The complainant's link to their decision: 43 URL-safe characters. */
export const linkParams = z.object({ token: z.string().regex(/^[\w-]{43}$/) });

export const reviewParams = z.object({ id: z.uuid(), reviewId: z.uuid() });

const isTimelineKind = (k: string): k is TimelineKind => (TIMELINE_KINDS as readonly string[]).includes(k);

/** A timeline's filter (`?kind=draft&kind=comment`): kinds it does not know are ignored, and none is everything. */
export const timelineQuery = z.object({
  kind: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .catch(undefined)
    .transform((v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v).filter(isTimelineKind)),
});

// API --------------------------------------------------------------------------------------------

export const apiRemedy = z.object({
  type: z.enum(REMEDY_TYPES),
  description: z.string().trim().min(1).max(5000),
  amount: z.number().nonnegative().max(10_000_000).optional().describe('Financial payment in pounds (e.g. 250.50)'),
  dueInWorkingDays: z.number().int().min(1).max(260).optional(),
  dueDate: calendarDate().optional().describe('A London calendar date, YYYY-MM-DD'),
});

export const apiDraftBody = z.object({
  text: z.string().trim().min(1).max(50_000).describe('The draft decision; it fills the "draft decision" section'),
  sections: z
    .object({
      complaint: z.string().max(50_000).optional(),
      findings: z.string().max(50_000).optional(),
      proposedRemedy: z.string().max(50_000).optional(),
    })
    .optional()
    .describe('The other sections; each defaults to the text'),
  evidenceDocumentIds: z.array(z.uuid()).max(100).optional(),
  remedies: z.array(apiRemedy).max(50).optional(),
});

export const apiCommentBody = z.object({
  text: z.string().max(50_000).optional(),
  noComments: z.boolean().optional().describe('True to say there are no comments (no text needed)'),
  party: z
    .enum(['complainant', 'authority'])
    .optional()
    .describe('Staff tokens only: whose comments they are (authority tokens always comment as the authority)'),
  channel: z.enum(['email', 'staff']).optional().describe('Staff tokens only: how the comments came'),
});

export const apiFinalBody = z.object({
  outcome: z.enum(FINAL_OUTCOMES),
  text: z.string().trim().min(1).max(50_000).describe('The decision statement'),
  earlyReason: z
    .string()
    .trim()
    .min(1)
    .max(20_000)
    .optional()
    .describe(
      'Required while the latest draft’s comment deadline has not passed (comments may still come, up to and on ' +
        'that day): why the decision cannot wait. Sending it confirms issuing the decision early; it is kept with ' +
        'the decision and shown to staff only. Without it before the deadline the answer is 400 naming this field.',
    ),
});
