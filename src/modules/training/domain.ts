/**
 * Training's rules: what courses and sessions are, who may book, how places, the waiting list and
 * offers move. Pure: no I/O.
 */
import type { TrainingAudience, TrainingBookingStatus, TrainingFormat } from '../../platform/db/schema.ts';

export type { TrainingAudience, TrainingBookingStatus, TrainingFormat };

export const AUDIENCES = ['councils', 'care-providers', 'councillors', 'link-officers'] as const;
export const FORMATS = ['online', 'in-person', 'elearning', 'workbook', 'event'] as const;

export const AUDIENCE_NAMES: Record<TrainingAudience, string> = {
  councils: 'Councils',
  'care-providers': 'Care providers',
  councillors: 'Councillors',
  'link-officers': 'Link officers',
};

export const FORMAT_NAMES: Record<TrainingFormat, string> = {
  online: 'Online, live',
  'in-person': 'In person',
  elearning: 'eLearning',
  workbook: 'Workbook to download',
  event: 'Event or network meeting',
};

export const BOOKING_STATUS_NAMES: Record<TrainingBookingStatus, string> = {
  pending: 'Waiting for the email to be confirmed',
  confirmed: 'Booked',
  waitlisted: 'On the waiting list',
  offered: 'Offered a place',
  cancelled: 'Cancelled',
  lapsed: 'Lapsed',
};

/** eLearning and workbooks are reached at their own address: they have no sessions to book. */
export const isBookable = (format: TrainingFormat): boolean => format !== 'elearning' && format !== 'workbook';

/** How long an offered place is held for the first person on the waiting list, by default. */
export const DEFAULT_OFFER_HOURS = 48;
/** How long the link that confirms a public booking lasts. */
export const CONFIRM_LINK_HOURS = 24;
/** Reminders go this many working days before the session's day. */
export const REMINDER_WORKING_DAYS = 2;
/** "Nobody trained" looks back this far. */
export const TRAINED_WITHIN_YEARS = 2;

/** The places a session holds: those booked and those offered and not yet lapsed. */
export const HOLDS_PLACE: readonly TrainingBookingStatus[] = ['confirmed', 'offered'];
/** Bookings still alive: one per person per session. */
export const LIVE: readonly TrainingBookingStatus[] = ['pending', 'confirmed', 'waitlisted', 'offered'];

export interface SessionState {
  startsAt: Date;
  bookingClosesAt: Date;
  cancelledAt: Date | null;
}

/** Why a session cannot be booked now, or null when it can. */
export function bookingRefusal(session: SessionState, now: Date): string | null {
  if (session.cancelledAt) return 'This session has been cancelled';
  if (session.startsAt <= now) return 'This session has already taken place';
  if (session.bookingClosesAt <= now) return 'Booking for this session has closed';
  return null;
}

/** Made once: `toLocaleString` builds a formatter on every call, a cost on pages listing many prices. */
const POUNDS = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "£45.00", or "Free". */
export function priceText(pence: number): string {
  if (pence === 0) return 'Free';
  return `£${POUNDS.format(pence / 100)}`;
}

/** "1 hour 30 minutes". */
export function durationText(minutes: number | null): string {
  if (minutes === null) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (h > 0) parts.push(`${h} hour${h === 1 ? '' : 's'}`);
  if (m > 0) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
  return parts.join(' ');
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** London's offset from UTC at an instant, in milliseconds (0 in winter, one hour in summer). */
export function londonOffsetMs(instant: Date): number {
  const p = Object.fromEntries(londonParts.formatToParts(instant).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in London on a calendar date (`2027-03-28`, `10:00`). Null for a
 * time that does not exist there (the hour skipped when the clocks go forward); a time that happens
 * twice (when they go back) is its first, summer, one.
 */
export function londonInstant(date: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const hour = Number(t[1]);
  const minute = Number(t[2]);
  if (hour > 23 || minute > 59) return null;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), hour, minute);
  for (const offset of [3_600_000, 0]) {
    const instant = new Date(wall - offset);
    if (londonOffsetMs(instant) === offset) return instant;
  }
  return null;
}

/** The London wall-clock time of an instant as `HH:MM`. */
export function londonTime(instant: Date): string {
  const p = Object.fromEntries(londonParts.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}`;
}

/** Average feedback, to one decimal place; null when nobody has given any. */
export function averageRating(ratings: readonly number[]): number | null {
  if (ratings.length === 0) return null;
  return Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 10) / 10;
}
