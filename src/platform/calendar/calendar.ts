import Holidays from 'date-holidays';

/**
 * Working days in England and Wales: Monday to Friday, less the bank holidays and any extra days
 * the office is closed. Pure functions over ISO calendar dates (`YYYY-MM-DD`, a date in London);
 * deadlines are computed here so a page can show its working.
 */

export type IsoDate = string;

/** Why a day is not a working day. `name` is what a page shows, e.g. "Saturday" or "Christmas Day". */
export interface NonWorkingDay {
  date: IsoDate;
  reason: 'weekend' | 'bank-holiday' | 'closure';
  name: string;
}

export interface BankHoliday {
  date: IsoDate;
  name: string;
}

export interface CalendarOptions {
  /** Extra days the office is closed (e.g. a closure between Christmas and New Year). */
  closures?: readonly IsoDate[];
}

export interface WorkingDaysResult {
  /** The n-th working day after the start day. */
  date: IsoDate;
  /** Every day passed over between the start day and the result, with the reason. */
  skipped: NonWorkingDay[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function toUtcMs(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`Not an ISO date (YYYY-MM-DD): ${date}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`Not a real calendar date: ${date}`);
  return ms;
}

const fromUtcMs = (ms: number): IsoDate => new Date(ms).toISOString().slice(0, 10);

/** The calendar date `days` after (or before, if negative) `date`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

let holidaysSource: Holidays | null = null;
const holidaysByYear = new Map<number, BankHoliday[]>();

/**
 * England and Wales bank holidays in a year: public holidays only, with a weekend holiday replaced by
 * its substitute weekday (the original weekend date is dropped, the "(substitute day)" kept).
 */
export function bankHolidays(year: number): BankHoliday[] {
  const cached = holidaysByYear.get(year);
  if (cached) return cached;
  holidaysSource ??= new Holidays('GB', 'ENG');
  const entries = holidaysSource.getHolidays(year).filter((h) => h.type === 'public');
  const substituted = new Set(
    entries.filter((h) => h.substitute).map((h) => h.name.replace(/\s*\(substitute day\)\s*$/i, '')),
  );
  const list = entries
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name, substitute: h.substitute === true }))
    .filter((h) => {
      const weekend = dayOfWeek(h.date) === 0 || dayOfWeek(h.date) === 6;
      return !(weekend && !h.substitute && substituted.has(h.name));
    })
    .map(({ date, name }) => ({ date, name }))
    .sort((a, b) => a.date.localeCompare(b.date));
  holidaysByYear.set(year, list);
  return list;
}

/** Why `date` is not a working day, or null if it is one (a weekend first, then a bank holiday, then a closure). */
export function nonWorkingReason(date: IsoDate, options: CalendarOptions = {}): NonWorkingDay | null {
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return { date, reason: 'weekend', name: WEEKDAY_NAMES[dow] ?? 'Weekend' };
  const holiday = bankHolidays(Number(date.slice(0, 4))).find((h) => h.date === date);
  if (holiday) return { date, reason: 'bank-holiday', name: holiday.name };
  if (options.closures?.includes(date)) return { date, reason: 'closure', name: 'Office closed' };
  return null;
}

export function isWorkingDay(date: IsoDate, options: CalendarOptions = {}): boolean {
  return nonWorkingReason(date, options) === null;
}

/**
 * The n-th working day after `start` (n ≥ 0; n = 0 gives `start` itself), with the non-working days
 * passed over on the way so a page can show how a deadline was reached.
 */
export function addWorkingDays(start: IsoDate, n: number, options: CalendarOptions = {}): WorkingDaysResult {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Working days to add must be a whole number ≥ 0: ${n}`);
  toUtcMs(start);
  let date = start;
  let counted = 0;
  const skipped: NonWorkingDay[] = [];
  while (counted < n) {
    date = addDays(date, 1);
    const reason = nonWorkingReason(date, options);
    if (reason) skipped.push(reason);
    else counted++;
  }
  return { date, skipped };
}

/**
 * Working days after `start` up to and including `end`: the n for which addWorkingDays(start, n)
 * reaches `end` (when `end` is a working day). Negative when `end` is before `start`.
 */
export function workingDaysBetween(start: IsoDate, end: IsoDate, options: CalendarOptions = {}): number {
  const from = toUtcMs(start);
  const to = toUtcMs(end);
  if (to < from) return -workingDaysBetween(end, start, options);
  // Counted, not walked: the weekdays in (start, end], less the bank holidays and closures among them.
  // Case lists work out a clock for every row, so this must not cost a loop over every day.
  const fromDay = Math.round(from / DAY_MS);
  const toDay = Math.round(to / DAY_MS);
  let count = weekdaysBefore(toDay + 1) - weekdaysBefore(fromDay + 1);
  const days = new Set<IsoDate>(options.closures ?? []);
  for (let year = Number(start.slice(0, 4)); year <= Number(end.slice(0, 4)); year++) {
    for (const h of bankHolidays(year)) days.add(h.date);
  }
  for (const date of days) {
    const dow = dayOfWeek(date);
    if (date > start && date <= end && dow !== 0 && dow !== 6) count--;
  }
  return count;
}

/** 1 January 1970 (day 0) was a Thursday. */
const EPOCH_DAY_OF_WEEK = 4;

/** How many of the days numbered from 0 (1 January 1970) up to, not including, `day` are Monday to Friday. */
function weekdaysBefore(day: number): number {
  const weeks = Math.floor(day / 7);
  let count = weeks * 5;
  for (let i = 0; i < day - weeks * 7; i++) {
    const dow = (EPOCH_DAY_OF_WEEK + i) % 7;
    if (dow !== 0 && dow !== 6) count++;
  }
  return count;
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const HOUR_MS = 3_600_000;
/** London dates by UTC hour: the offset is whole hours and changes on the hour, so an hour has one date. */
const londonDatesByHour = new Map<number, IsoDate>();

/** The calendar date in London at an instant (Greenwich Mean Time in winter, British Summer Time in summer). */
export function londonDate(instant: Date): IsoDate {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  const known = londonDatesByHour.get(hour);
  if (known !== undefined) return known;
  const parts = Object.fromEntries(londonParts.formatToParts(instant).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  if (londonDatesByHour.size >= 10_000) londonDatesByHour.clear();
  if (!Number.isNaN(hour)) londonDatesByHour.set(hour, date);
  return date;
}

/** A calendar with the configured closures bound in, for services to take through their constructor. */
export interface WorkingCalendar {
  readonly closures: readonly IsoDate[];
  isWorkingDay(date: IsoDate): boolean;
  nonWorkingReason(date: IsoDate): NonWorkingDay | null;
  addWorkingDays(start: IsoDate, n: number): WorkingDaysResult;
  workingDaysBetween(start: IsoDate, end: IsoDate): number;
  bankHolidays(year: number): BankHoliday[];
  londonDate(instant: Date): IsoDate;
}

export function workingCalendar(closures: readonly IsoDate[] = []): WorkingCalendar {
  for (const d of closures) toUtcMs(d);
  const options = { closures: [...closures] };
  return {
    closures: options.closures,
    isWorkingDay: (date) => isWorkingDay(date, options),
    nonWorkingReason: (date) => nonWorkingReason(date, options),
    addWorkingDays: (start, n) => addWorkingDays(start, n, options),
    workingDaysBetween: (start, end) => workingDaysBetween(start, end, options),
    bankHolidays,
    londonDate,
  };
}
