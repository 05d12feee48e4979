/**
 * The call times of a restriction, as staff write them ("Tuesdays 10:00 to 12:00"), read as windows a
 * call must fall within, and the instant of a London date and time of day. Pure rules, no I/O.
 */
import { dayOfWeek, type IsoDate } from '../../platform/calendar/calendar.ts';

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
