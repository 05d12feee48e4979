/**
 * Dates and times as people read them, in the GOV.UK style: "18 December 2026", "9:30am", "12pm"
 * (noon), "12am" (midnight), "18 December 2026, 9:30am". The Nunjucks `date` and `datetime` filters
 * and every message built in code (notices, timeline text, letters) use these, so a page never shows
 * an ISO date or a 24-hour time. A calendar date (`YYYY-MM-DD`) is shown as it is; an instant is
 * shown as its date and time in London.
 */
import { londonDate } from './calendar/calendar.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MEMO_LIMIT = 10_000;

const calendarDateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Formatting a date in a time zone costs microseconds; pages show the same few dates over and over. */
function memo<K>(format: (key: K) => string): (key: K) => string {
  const known = new Map<K, string>();
  return (key) => {
    let text = known.get(key);
    if (text === undefined) {
      text = format(key);
      if (known.size >= MEMO_LIMIT) known.clear();
      known.set(key, text);
    }
    return text;
  };
}

/** A value as an instant: a bare calendar date is read at noon UTC so no time zone moves it. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = typeof value === 'string' && ISO_DATE.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** "13 January 2027" for a calendar date (`YYYY-MM-DD`); empty for anything else. */
const calendarDateText = memo((date: string) => {
  const noon = new Date(`${date}T12:00:00Z`);
  return ISO_DATE.test(date) && !Number.isNaN(noon.getTime()) ? calendarDateFormat.format(noon) : '';
});

/** "9:30am", "9am", "12pm" (noon), "12am" (midnight) from a 24-hour hour and minute. */
export function clockText(hour: number, minute: number): string {
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'am' : 'pm';
  return minute === 0 ? `${h12}${suffix}` : `${h12}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** An instant's London date, by the minute (no time zone moves a date by less than a minute). */
const dateTextOfMinute = memo((minute: number) => calendarDateText(londonDate(new Date(minute * 60_000))));
/** An instant's London time of day, by the minute. */
const timeTextOfMinute = memo((minute: number) => {
  const parts = londonClock.formatToParts(new Date(minute * 60_000));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return clockText(part('hour') % 24, part('minute'));
});
/** Instants read from JSON arrive as strings: each distinct string is read once. */
const dateTextOfString = memo((value: string) => {
  if (ISO_DATE.test(value)) return calendarDateText(value);
  const d = toDate(value);
  return d ? dateTextOfMinute(Math.floor(d.getTime() / 60_000)) : '';
});

/**
 * "18 December 2026": a calendar date as it is, an instant as its date in London. Empty for a value
 * that is not a date.
 */
export function formatDate(value: unknown): string {
  if (typeof value === 'string') return dateTextOfString(value);
  const d = toDate(value);
  return d ? dateTextOfMinute(Math.floor(d.getTime() / 60_000)) : '';
}

/** "9:30am", "12pm": an instant's time of day in London. Empty for a value that is not an instant. */
export function formatTime(value: unknown): string {
  const d = toDate(value);
  return d ? timeTextOfMinute(Math.floor(d.getTime() / 60_000)) : '';
}

/** "18 December 2026, 9:30am": an instant's date and time in London. Empty for a value that is not an instant. */
export function formatDateTime(value: unknown): string {
  const d = toDate(value);
  if (!d) return '';
  const minute = Math.floor(d.getTime() / 60_000);
  return `${dateTextOfMinute(minute)}, ${timeTextOfMinute(minute)}`;
}

const isoTextOfString = memo((value: string) => toDate(value)?.toISOString() ?? '');
const isoTextOfTime = memo((time: number) => new Date(time).toISOString());
/** The ISO form of an instant, for machine-readable attributes (`<time datetime>`), never for text. */
export function formatIso(value: unknown): string {
  if (typeof value === 'string') return isoTextOfString(value);
  const d = toDate(value);
  return d ? isoTextOfTime(d.getTime()) : '';
}
