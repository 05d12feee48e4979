/**
 * Unreasonable behaviour: warnings and contact restrictions, their terms, reviews and letters, and
 * what a contact from a restricted person breaches. Pure rules, no I/O.
 */
import { addMonths, format, parseISO } from 'date-fns';
import { addDays, dayOfWeek, type IsoDate } from '../../platform/calendar/calendar.ts';
import type { FieldError } from '../../platform/errors.ts';

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
  if (input.callTimes !== null && parseCallTimes(input.callTimes) === null) {
    out.push({ field: 'callTimes', message: `Enter the call times as ${CALL_TIMES_HINT.toLowerCase()}` });
  }
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
export function weekStart(date: IsoDate): IsoDate {
  return addDays(date, -((dayOfWeek(date) + 6) % 7));
}

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

// Call times ---------------------------------------------------------------------------------------

/** A time when calls are taken: days of the week (0 = Sunday … 6 = Saturday) and minutes from midnight. */
export interface CallWindow {
  days: number[];
  from: number;
  until: number;
}

export const CALL_TIMES_HINT = 'Days and times, like Tuesdays 10:00 to 12:00, or Monday to Friday 9am to 11am';

const DAY_PREFIXES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_WORD = /^(sun|mon|tue|wed|thu|fri|sat)[a-z]*$/;
const FILLER = new Set([
  'on',
  'and',
  'from',
  'between',
  'only',
  'at',
  'every',
  'each',
  'to',
  'until',
  'till',
  'through',
]);
const TIME_RANGE =
  /(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*(?:to|until|till|and|-|–)\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?/i;

function minutesOf(h: string | undefined, m: string | undefined, half: string | undefined): number | null {
  let hour = Number(h);
  const minute = m === undefined ? 0 : Number(m);
  if (!Number.isInteger(hour) || minute > 59) return null;
  if (half) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (half.toLowerCase() === 'pm' ? 12 : 0);
  } else if (hour > 24 || (hour === 24 && minute > 0)) return null;
  return hour * 60 + minute;
}

/** The days named in words: "Tuesdays and Thursdays", "Monday to Friday", "weekdays"; none named: every day. */
function daysOf(text: string): number[] | null {
  const words = text
    .toLowerCase()
    .replace(/[–-]/g, ' to ')
    .split(/[\s,&/]+/)
    .filter((w) => w !== '');
  const days = new Set<number>();
  let rangeFrom: number | null = null;
  let last: number | null = null;
  for (const word of words) {
    if (word === 'weekdays' || word === 'weekday') {
      [1, 2, 3, 4, 5].forEach((d) => days.add(d));
      last = null;
    } else if (word === 'weekends' || word === 'weekend') {
      [0, 6].forEach((d) => days.add(d));
      last = null;
    } else if (DAY_WORD.test(word)) {
      const day = DAY_PREFIXES.indexOf(word.slice(0, 3));
      if (rangeFrom !== null) {
        for (let d: number = rangeFrom; d !== day; d = (d + 1) % 7) days.add(d);
        rangeFrom = null;
      }
      days.add(day);
      last = day;
    } else if (word === 'to' || word === 'through' || word === 'until' || word === 'till') {
      if (last === null) return null;
      rangeFrom = last;
    } else if (!FILLER.has(word)) return null;
  }
  if (rangeFrom !== null) return null;
  return days.size === 0 ? [0, 1, 2, 3, 4, 5, 6] : [...days].sort((a, b) => a - b);
}

/**
 * The call times of a restriction as written ("Tuesdays 10:00 to 12:00; Thursdays 2pm to 4pm"), or
 * null when they cannot be read that way: then no call is flagged for its time.
 */
export function parseCallTimes(text: string): CallWindow[] | null {
  const parts = text
    .split(/[;\n]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return null;
  const out: CallWindow[] = [];
  for (const part of parts) {
    const match = TIME_RANGE.exec(part);
    if (!match) return null;
    const from = minutesOf(match[1], match[2], match[3] ?? match[6]);
    const until = minutesOf(match[4], match[5], match[6]);
    if (from === null || until === null || from >= until) return null;
    const rest = `${part.slice(0, match.index)} ${part.slice(match.index + match[0].length)}`;
    const days = daysOf(rest);
    if (days === null) return null;
    out.push({ days, from, until });
  }
  return out;
}

/** Whether a call began and ended within one of the windows. */
export function withinCallTimes(
  windows: readonly CallWindow[],
  call: { date: IsoDate; startMinutes: number; minutes: number },
): boolean {
  const day = dayOfWeek(call.date);
  return windows.some(
    (w) => w.days.includes(day) && call.startMinutes >= w.from && call.startMinutes + call.minutes <= w.until,
  );
}

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The instant of a London date and time of day (minutes from midnight). */
export function londonInstant(date: IsoDate, minutes: number): Date {
  const [y, m, d] = date.split('-').map(Number);
  const asUtc = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1, 0, minutes);
  const offset = (at: number) => {
    const parts = Object.fromEntries(LONDON_PARTS.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    const local = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
    );
    return local - at;
  };
  const first = asUtc - offset(asUtc);
  return new Date(asUtc - offset(first));
}

const longDate = (date: IsoDate) => format(parseISO(date), 'd MMMM yyyy');

const RECONSIDER =
  'If you think this decision is wrong, you may ask us to reconsider it. Write to us within one month of the date of this letter saying why, ' +
  'and a manager who was not involved in the decision will look at it again.';
const policyParagraph = (url: string | null): string[] =>
  url ? [`Our policy on unreasonable complainant behaviour explains how we make these decisions: ${url}`] : [];

const COMPLAIN =
  'You also have the right to complain about this decision through our complaints procedure. It does not affect how we handle your complaints: ' +
  'we will continue to consider them.';

/** The decision letter for a new warning or restriction. */
export function decisionLetter(input: {
  /** The published policy's address, when there is one. */
  policyUrl?: string | null;
  name: string;
  kind: Kind;
  reason: string;
  terms: readonly string[];
  startsOn: IsoDate;
  reviewOn: IsoDate;
}): { subject: string; text: string } {
  const { name, kind, reason, terms, startsOn, reviewOn } = input;
  if (kind === 'warning') {
    return {
      subject: 'A warning about your contact with us',
      text: [
        `Dear ${name},`,
        'We are writing to warn you about the way you have been contacting us.',
        `What has happened:\n${reason}`,
        'This behaviour makes it harder for us to consider your complaints and those of others. If it continues, we may decide to restrict how you can contact us.',
        `We will review this warning by ${longDate(reviewOn)}.`,
        ...policyParagraph(input.policyUrl ?? null),
        RECONSIDER,
        COMPLAIN,
        'Yours sincerely,\nCasework manager',
      ].join('\n\n'),
    };
  }
  return {
    subject: 'Our decision to restrict your contact with us',
    text: [
      `Dear ${name},`,
      'We have decided to restrict how you can contact us.',
      `Why we have decided this:\n${reason}`,
      `What this means, from ${longDate(startsOn)}:\n${terms.map((t) => `- ${t}`).join('\n')}`,
      'Anything you send us in another way will still be kept on your file and read, but we may not reply to it.',
      `How long it lasts: until we review it, by ${longDate(reviewOn)}. We will write to you again then.`,
      ...policyParagraph(input.policyUrl ?? null),
      RECONSIDER,
      COMPLAIN,
      'Yours sincerely,\nCasework manager',
    ].join('\n\n'),
  };
}

/** The letter telling the person what a review decided. */
export function reviewLetter(input: {
  policyUrl?: string | null;
  name: string;
  kind: Kind;
  outcome: ReviewOutcome;
  reason: string;
  terms: readonly string[];
  reviewOn: IsoDate | null;
}): { subject: string; text: string } {
  const what = input.kind === 'warning' ? 'warning' : 'restriction on your contact with us';
  const body: string[] = [`Dear ${input.name},`, `We have reviewed the ${what}.`];
  if (input.outcome === 'lift') {
    body.push(`We have decided to lift it, with effect from today.\n\n${input.reason}`);
    if (input.kind === 'restriction') body.push('You may contact us in any of the usual ways again.');
  } else {
    body.push(
      `${input.outcome === 'extend' ? 'We have decided to keep it in place' : 'We have decided to change its terms'}, because:\n${input.reason}`,
    );
    if (input.kind === 'restriction') body.push(`What this means now:\n${input.terms.map((t) => `- ${t}`).join('\n')}`);
    if (input.reviewOn) body.push(`We will review it again by ${longDate(input.reviewOn)}.`);
    body.push(...policyParagraph(input.policyUrl ?? null), RECONSIDER, COMPLAIN);
  }
  body.push('Yours sincerely,\nCasework manager');
  return { subject: `The review of the ${what}`, text: body.join('\n\n') };
}
