import { z } from 'zod';
import { calendarDate, dateFromParts } from '../../platform/input.ts';
import { CHANNELS, KINDS, REVIEW_OUTCOMES, type RecordInput, type Terms } from './domain.ts';

/** Forms and API bodies for warnings, restrictions and their reviews. */

const text = (max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`);

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null));

const optionalWhole = (message: string, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > max) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return Number(v);
    });

const optionalId = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null));

const yes = z
  .string()
  .optional()
  .transform((v) => v === 'yes');

const channelList = z.preprocess(
  (v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.enum(CHANNELS, { error: 'Choose channels from the list' })),
);

/** The three boxes of the review date: all empty is none (the default), otherwise a real date. */
const reviewDateFields = {
  'reviewDate-day': z.string().optional(),
  'reviewDate-month': z.string().optional(),
  'reviewDate-year': z.string().optional(),
};

function withReviewDate<T extends Partial<Record<keyof typeof reviewDateFields, string | undefined>>>(
  v: T,
  ctx: z.RefinementCtx,
): Omit<T, keyof typeof reviewDateFields> & { reviewOn: string | null } {
  const { 'reviewDate-day': d = '', 'reviewDate-month': m = '', 'reviewDate-year': y = '', ...rest } = v;
  if (`${d}${m}${y}`.trim() === '') return Object.assign(rest, { reviewOn: null });
  const date = dateFromParts(d, m, y);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'Enter a real review date, like 27 3 2027', path: ['reviewDate'] });
    return z.NEVER;
  }
  return Object.assign(rest, { reviewOn: date });
}

const termFields = {
  channels: channelList,
  writtenOnly: yes,
  namedOfficerId: optionalId,
  callTimes: optionalText(500),
  maxCallMinutes: optionalWhole('Enter the longest a call may last in minutes, like 20', 600),
  weeklyContactCap: optionalWhole('Enter the most contacts a week as a whole number, like 3', 100),
  settledComplaintId: optionalId,
  tellAuthority: yes,
};

export const recordForm = z
  .object({
    kind: z.enum(KINDS, { error: 'Choose a warning or a restriction' }),
    reason: text(20_000, 'Enter the reason: the behaviour, with dates and examples'),
    staffSafetyRisk: yes,
    noWarningReason: optionalText(5_000),
    ...termFields,
    ...reviewDateFields,
  })
  .transform(withReviewDate);

export const recordInput = (f: z.output<typeof recordForm>): RecordInput => ({
  kind: f.kind,
  reason: f.reason,
  channels: f.channels,
  writtenOnly: f.writtenOnly,
  namedOfficerId: f.namedOfficerId,
  callTimes: f.callTimes,
  maxCallMinutes: f.maxCallMinutes,
  weeklyContactCap: f.weeklyContactCap,
  settledComplaintId: f.settledComplaintId,
  tellAuthority: f.tellAuthority,
  reviewOn: f.reviewOn,
  staffSafetyRisk: f.staffSafetyRisk,
  noWarningReason: f.noWarningReason,
});

export const reviewForm = z
  .object({
    outcome: z.enum(REVIEW_OUTCOMES, { error: 'Choose whether to extend, vary or lift it' }),
    reason: text(20_000, 'Enter the reason for the decision'),
    ...termFields,
    ...reviewDateFields,
  })
  .transform(withReviewDate);

export const formTerms = (f: z.output<typeof reviewForm>): Terms => ({
  channels: f.channels,
  writtenOnly: f.writtenOnly,
  namedOfficerId: f.namedOfficerId,
  callTimes: f.callTimes,
  maxCallMinutes: f.maxCallMinutes,
  weeklyContactCap: f.weeklyContactCap,
  settledComplaintId: f.settledComplaintId,
  tellAuthority: f.tellAuthority,
});

/** A phone call to log: the date in three boxes, the time as HH:MM (24-hour), minutes, who took it, a note. */
export const callForm = z
  .object({
    complaintId: optionalId,
    'calledOn-day': z.string().optional(),
    'calledOn-month': z.string().optional(),
    'calledOn-year': z.string().optional(),
    calledTime: z
      .string({ error: 'Enter the time the call began, like 14:30' })
      .trim()
      .regex(/^([01]?\d|2[0-3])[:.][0-5]\d$/, 'Enter the time the call began as hours and minutes, like 14:30'),
    minutes: z
      .string({ error: 'Enter how long the call lasted in minutes, like 15' })
      .trim()
      .regex(/^\d{1,3}$/, 'Enter how long the call lasted in minutes, like 15')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 600, 'Enter how long the call lasted: from 1 to 600 minutes'),
    officerId: z
      .string({ error: 'Choose the member of staff who took the call' })
      .trim()
      .min(1, 'Choose the member of staff who took the call'),
    note: z
      .string()
      .trim()
      .max(2_000, 'The note must be 2,000 characters or fewer')
      .optional()
      .transform((v) => v ?? ''),
  })
  .transform((v, ctx) => {
    const { 'calledOn-day': d = '', 'calledOn-month': m = '', 'calledOn-year': y = '', calledTime, ...rest } = v;
    const date = dateFromParts(d, m, y);
    if (!date) {
      ctx.addIssue({ code: 'custom', message: 'Enter the date of the call, like 2 3 2027', path: ['calledOn'] });
      return z.NEVER;
    }
    const [h = '0', min = '0'] = calledTime.split(/[:.]/);
    return Object.assign(rest, { date, startMinutes: Number(h) * 60 + Number(min) });
  });

// The API ----------------------------------------------------------------------------------------

export const apiRecordBody = z.object({
  kind: z.enum(KINDS),
  reason: z.string().trim().min(1, 'Enter the reason').max(20_000),
  channels: z.array(z.enum(CHANNELS)).max(4).optional().describe('The channels the person may use; none: any'),
  writtenOnly: z.boolean().optional(),
  namedOfficerId: z.uuid({ error: 'Must be a staff user id' }).optional().describe('An active member of staff'),
  callTimes: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe('When calls are taken, e.g. "Tuesdays 10:00 to 12:00"'),
  maxCallMinutes: z.number().int().min(1).max(600).optional(),
  weeklyContactCap: z.number().int().min(1).max(100).optional(),
  settledComplaintId: z
    .uuid({ error: 'Must be a complaint id' })
    .optional()
    .describe('No reply to further contact about this settled complaint of theirs'),
  tellAuthority: z
    .boolean()
    .optional()
    .describe('Tell the authority, in its portal, that contact goes through the named officer (never why)'),
  reviewDate: calendarDate().describe('In the future, at most 12 months ahead'),
  staffSafetyRisk: z
    .boolean()
    .optional()
    .describe('Allows a restriction without a warning first, with `noWarningReason`'),
  noWarningReason: z.string().trim().min(1).max(5_000).optional(),
});

export const apiReviewBody = z.object({
  outcome: z.enum(REVIEW_OUTCOMES),
  reason: z.string().trim().min(1, 'Enter the reason').max(20_000),
  reviewDate: calendarDate().optional().describe('Required to extend; in the future, at most 12 months ahead'),
  channels: z.array(z.enum(CHANNELS)).max(4).optional().describe('To vary: the new terms (those left out are removed)'),
  writtenOnly: z.boolean().optional(),
  namedOfficerId: z.uuid().optional(),
  callTimes: z.string().trim().min(1).max(500).optional(),
  maxCallMinutes: z.number().int().min(1).max(600).optional(),
  weeklyContactCap: z.number().int().min(1).max(100).optional(),
  settledComplaintId: z.uuid().optional(),
  tellAuthority: z.boolean().optional(),
});

export const apiTerms = (b: z.output<typeof apiReviewBody> | z.output<typeof apiRecordBody>): Terms => ({
  channels: b.channels ?? [],
  writtenOnly: b.writtenOnly ?? false,
  namedOfficerId: b.namedOfficerId ?? null,
  callTimes: b.callTimes ?? null,
  maxCallMinutes: b.maxCallMinutes ?? null,
  weeklyContactCap: b.weeklyContactCap ?? null,
  settledComplaintId: b.settledComplaintId ?? null,
  tellAuthority: b.tellAuthority ?? false,
});
