/**
 * Unreasonable behaviour: warnings and contact restrictions, their terms, reviews and letters, and
 * what a contact from a restricted person breaches. Pure rules, no I/O.
 */
import { addMonths, format, parseISO } from 'date-fns';
import { addDays, type IsoDate } from '../../platform/calendar/calendar.ts';
import type { FieldError } from '../../platform/errors.ts';
import { mondayOf } from '../home/dates.ts';
import { CALL_TIMES_HINT, parseCallTimes, withinCallTimes } from './call-times.ts';

export const KINDS = ['warning', 'restriction'] as const;
export type Kind = (typeof KINDS)[number];
export const KIND_NAMES: Record<Kind, string> = { warning: 'Warning', restriction: 'Contact restriction' };

export const CHANNELS = ['post', 'email', 'phone', 'portal'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_NAMES: Record<Channel, string> = {
  post: 'post',
  email: 'email',
  phone: 'phone',
  portal: 'the online complaint form',
};

export const REVIEW_OUTCOMES = ['extend', 'vary', 'lift'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];
export const REVIEW_OUTCOME_NAMES: Record<ReviewOutcome, string> = {
  extend: 'Extended',
  vary: 'Varied',
  lift: 'Lifted',
};

/** A review is six months away unless staff choose otherwise, and never more than twelve. */
export const DEFAULT_REVIEW_MONTHS = 6;
export const MAX_REVIEW_MONTHS = 12;
/** The casework manager is reminded this many days before the review date. */
export const REMINDER_DAYS = 14;

/** What a contact from a restricted person breached. It is filed all the same. */
export const FLAGS = [
  'outside-channel',
  'not-to-named-officer',
  'over-weekly-cap',
  'settled-matter',
  'outside-call-times',
  'call-too-long',
  'call-not-named-officer',
] as const;
export type Flag = (typeof FLAGS)[number];
export const FLAG_NAMES: Record<Flag, string> = {
  'outside-channel': 'Received outside the restriction: a channel they may not use',
  'not-to-named-officer': 'Received outside the restriction: not sent to their named officer',
  'over-weekly-cap': 'Received outside the restriction: beyond the weekly limit of contacts',
  'settled-matter': 'About a settled matter: no reply is sent',
  'outside-call-times': 'Received outside the restriction: a call outside the days and times allowed',
  'call-too-long': 'Received outside the restriction: a call longer than allowed',
  'call-not-named-officer': 'Received outside the restriction: a call taken by someone other than their named officer',
};

const months = (date: IsoDate, n: number): IsoDate => format(addMonths(parseISO(date), n), 'yyyy-MM-dd');
export const defaultReviewOn = (startsOn: IsoDate): IsoDate => months(startsOn, DEFAULT_REVIEW_MONTHS);
export const latestReviewOn = (from: IsoDate): IsoDate => months(from, MAX_REVIEW_MONTHS);

/** The terms of a restriction, as recorded. */
export interface Terms {
  channels: readonly Channel[];
  namedOfficerId: string | null;
  callTimes: string | null;
  maxCallMinutes: number | null;
  writtenOnly: boolean;
  weeklyContactCap: number | null;
  settledComplaintId: string | null;
  /** The authority is told, in its portal, that contact goes through the named officer (nothing more). */
  tellAuthority: boolean;
}

export const hasTerms = (t: Terms): boolean =>
  t.channels.length > 0 ||
  t.namedOfficerId !== null ||
  t.callTimes !== null ||
  t.maxCallMinutes !== null ||
  t.writtenOnly ||
  t.weeklyContactCap !== null ||
  t.settledComplaintId !== null;

const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;

/** The terms in plain sentences, as the marker, the pages and the letter say them. */
export function termLines(t: Terms, names: { officer: string | null; settledReference: string | null }): string[] {
  const out: string[] = [];
  if (t.channels.length > 0) out.push(`Contact by ${list(t.channels.map((c) => CHANNEL_NAMES[c]))} only`);
  if (t.writtenOnly) out.push('Written contact only: no phone calls');
  if (t.namedOfficerId !== null) out.push(`One point of contact: ${names.officer ?? 'a named officer'}`);
  if (t.callTimes !== null) out.push(`Calls only at these times: ${t.callTimes}`);
  if (t.maxCallMinutes !== null) out.push(`Calls of at most ${t.maxCallMinutes} minutes`);
  if (t.weeklyContactCap !== null) {
    out.push(`At most ${t.weeklyContactCap} ${t.weeklyContactCap === 1 ? 'contact' : 'contacts'} a week`);
  }
  if (t.settledComplaintId !== null) {
    out.push(`No reply to further contact about the settled complaint ${names.settledReference ?? ''}`.trim());
  }
  return out;
}

export interface RecordInput extends Terms {
  kind: Kind;
  reason: string;
  reviewOn: IsoDate | null;
  staffSafetyRisk: boolean;
  noWarningReason: string | null;
}

/** What the rules need to know beyond the input. */
export interface RecordContext {
  today: IsoDate;
  /** Whether the person has been warned before. */
  warned: boolean;
  /** Whether a restriction is in force on the person now. */
  restricted: boolean;
  /** Whether the named officer (if any) is an active member of staff. */
  officerActive: boolean;
  /** Whether the settled complaint (if any) is one of the person's. */
  settledIsTheirs: boolean;
}

/** The review date's problems: in the future, at most twelve months ahead. */
export function reviewDateProblems(reviewOn: IsoDate, today: IsoDate, field = 'reviewDate'): FieldError[] {
  if (reviewOn <= today) return [{ field, message: 'The review date must be in the future' }];
  if (reviewOn > latestReviewOn(today)) {
    return [{ field, message: `The review date must be no more than ${MAX_REVIEW_MONTHS} months from today` }];
  }
  return [];
}

/** The authority can only be told of a named officer. */
export function tellAuthorityProblems(t: Terms): FieldError[] {
  return t.tellAuthority && t.namedOfficerId === null
    ? [
        {
          field: 'tellAuthority',
          message: 'Choose a named officer to tell the authority of, or untick telling the authority',
        },
      ]
    : [];
}

/** Call times that cannot be read as days and times. */
export function callTimesProblems(callTimes: string): FieldError[] {
  return parseCallTimes(callTimes) === null
    ? [{ field: 'callTimes', message: `Enter the call times as ${CALL_TIMES_HINT.toLowerCase()}` }]
    : [];
}

/** Every problem with a warning or restriction; none means it may be recorded. */
export function recordProblems(input: RecordInput, ctx: RecordContext): FieldError[] {
  const out: FieldError[] = [];
  if (input.kind === 'restriction') {
    if (!ctx.warned && !input.staffSafetyRisk) {
      out.push({
        field: 'kind',
        message: 'Give a warning first: a restriction without one is only for when staff safety is at risk',
      });
    }
    if (!ctx.warned && input.staffSafetyRisk && !input.noWarningReason) {
      out.push({ field: 'noWarningReason', message: 'Say why no warning was given first' });
    }
    if (ctx.restricted) {
      out.push({ field: 'kind', message: 'A restriction is already in force: review it to vary its terms' });
    }
    if (!hasTerms(input)) out.push({ field: 'terms', message: 'Choose at least one restriction' });
    if (input.writtenOnly && input.channels.includes('phone')) {
      out.push({ field: 'channels', message: 'Written contact only cannot allow phone calls: untick phone' });
    }
  }
  out.push(...tellAuthorityProblems(input));
  if (input.callTimes !== null) out.push(...callTimesProblems(input.callTimes));
  if (input.namedOfficerId !== null && !ctx.officerActive) {
    out.push({ field: 'namedOfficerId', message: 'Choose an active member of staff as the named officer' });
  }
  if (input.settledComplaintId !== null && !ctx.settledIsTheirs) {
    out.push({ field: 'settledComplaintId', message: 'Choose one of this person’s complaints as the settled matter' });
  }
  if (input.reviewOn !== null) out.push(...reviewDateProblems(input.reviewOn, ctx.today));
  return out;
}

/** Where a review stands on a day. */
export function reviewState(reviewOn: IsoDate, today: IsoDate): 'overdue' | 'due-soon' | 'later' {
  if (reviewOn < today) return 'overdue';
  if (reviewOn <= addDays(today, REMINDER_DAYS)) return 'due-soon';
  return 'later';
}

/** The Monday of the London week of `date` (contacts are counted per week from Monday). */
export const weekStart = mondayOf;

/** What one contact breaches: the channel, the named officer, the weekly limit, the settled matter. */
export function contactFlags(
  t: Terms,
  contact: {
    channel: Channel;
    complaintId: string | null;
    /** Where an email was sent (lower case). */
    toAddresses: readonly string[];
    officerEmail: string | null;
    /** Contacts already received this week. */
    earlierThisWeek: number;
    /** A phone call: when (London date and minutes from midnight), how long, and who took it. */
    call?: { date: IsoDate; startMinutes: number; minutes: number; officerId: string };
  },
): Flag[] {
  const out: Flag[] = [];
  const call = contact.call;
  if (
    (t.channels.length > 0 && !t.channels.includes(contact.channel)) ||
    (t.writtenOnly && contact.channel === 'phone')
  ) {
    out.push('outside-channel');
  }
  if (
    t.namedOfficerId !== null &&
    contact.channel === 'email' &&
    (contact.officerEmail === null || !contact.toAddresses.includes(contact.officerEmail.toLowerCase()))
  ) {
    out.push('not-to-named-officer');
  }
  if (call && t.namedOfficerId !== null && call.officerId !== t.namedOfficerId) out.push('call-not-named-officer');
  if (call && t.callTimes !== null) {
    const windows = parseCallTimes(t.callTimes);
    if (windows !== null && !withinCallTimes(windows, call)) out.push('outside-call-times');
  }
  if (call && t.maxCallMinutes !== null && call.minutes > t.maxCallMinutes) out.push('call-too-long');
  if (t.weeklyContactCap !== null && contact.earlierThisWeek >= t.weeklyContactCap) out.push('over-weekly-cap');
  if (t.settledComplaintId !== null && contact.complaintId === t.settledComplaintId) out.push('settled-matter');
  return out;
}
