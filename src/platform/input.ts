import { isValid, parse } from 'date-fns';
import { z } from 'zod';
import type { FieldError } from './errors.ts';

/**
 * What Liaison will hold, whichever way a value arrives (a form, the API, a query string, a CSV cell,
 * an email). PostgreSQL refuses the NUL character in text; the other control characters and lone
 * surrogates (half of a UTF-16 pair, which has no UTF-8 form) are never meant by a person and would
 * corrupt what is stored, shown or exported. Tab, line feed and carriage return are text.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** The longest single value accepted anywhere, past any field's own limit (a 1 MB body is the other bound). */
export const MAX_TEXT_LENGTH = 100_000;

export const UNSAFE_TEXT_MESSAGE = 'Remove the invisible control characters from this answer';

/** Why a string cannot be stored as it is, or null when it can. */
export function textProblem(value: string): string | null {
  if (CONTROL.test(value)) return UNSAFE_TEXT_MESSAGE;
  if (!value.isWellFormed()) return 'This answer contains a broken character: type it again';
  if (value.length > MAX_TEXT_LENGTH)
    return `This answer must be ${MAX_TEXT_LENGTH.toLocaleString('en-GB')} characters or fewer`;
  return null;
}

/** A string made safe to store: control characters and broken characters become U+FFFD (for mail, which is never refused). */
export function replaceUnsafeText(value: string): string {
  return value.replace(CONTROLS, '\uFFFD').toWellFormed();
}

/**
 * Every string in a parsed body, query or CSV row that cannot be stored, as one field error each,
 * named by its path (`name`, `chiefExecutive.email`, `questions.2`). Keys are checked too, as a
 * key is echoed in messages. Deeply nested input is refused as a whole rather than walked.
 */
export function unsafeTextFields(value: unknown, path = '', depth = 0): FieldError[] {
  const field = path || 'form';
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? [{ field, message: problem }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  if (depth > 16) return [{ field, message: 'This answer is nested too deeply' }];
  const out: FieldError[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const name = path ? `${path}.${key}` : key;
    if (textProblem(key))
      out.push({ field: path || 'form', message: 'A field name contains characters that cannot be stored' });
    else out.push(...unsafeTextFields(inner, name, depth + 1));
    if (out.length >= 50) break;
  }
  return out;
}

/** Same value with unsafe characters removed: what a form shows again after refusing it. */
export function withoutUnsafeText(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return replaceUnsafeText(value).replaceAll('\uFFFD', '').slice(0, MAX_TEXT_LENGTH);
  if (value === null || typeof value !== 'object' || depth > 16) return value;
  if (Array.isArray(value)) return value.map((v) => withoutUnsafeText(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).flatMap(([k, v]) => (textProblem(k) ? [] : [[k, withoutUnsafeText(v, depth + 1)]])),
  );
}

// ---------------------------------------------------------------------------------------------
// Calendar dates

/** The dates Liaison accepts: a complaint, a deadline or a record from the twentieth or twenty-first century. */
export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2100-12-31';

/**
 * Whether `value` is a real day in the calendar (`YYYY-MM-DD`, 31 November or 29 February 2027 are
 * not) within 1900–2100. Checked with date-fns rather than by the pattern alone.
 */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  if (value < EARLIEST_DATE || value > LATEST_DATE) return false;
  return isValid(parse(value, 'yyyy-MM-dd', new Date(2000, 0, 1)));
}

/** A day, month and year typed into three boxes, as `YYYY-MM-DD`; null when they are not a real date from 1900 to 2100. */
export function dateFromParts(day: string, month: string, year: string): string | null {
  const [d, m, y] = [day.trim(), month.trim(), year.trim()];
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isCalendarDate(iso) ? iso : null;
}

/** A zod schema for a `YYYY-MM-DD` date: a real day from 1900 to 2100. */
export const calendarDate = (message = 'Enter a real date from 1900 to 2100, as YYYY-MM-DD') =>
  z.string().refine(isCalendarDate, { message }).describe('A calendar date, YYYY-MM-DD, from 1900 to 2100');

/** A zod schema for an instant (ISO 8601 date and time), within the same years as `calendarDate`. */
export const instant = (options: { offset?: boolean } = {}) =>
  z.iso
    .datetime({ offset: options.offset ?? false })
    .refine((v) => isCalendarDate(v.slice(0, 10)), { message: 'Enter a real date and time from 1900 to 2100' });

/**
 * Replaces what cannot be stored in every string of plain objects and arrays, in place (for a parsed
 * email, which is never refused for its characters). Buffers, maps and other objects are left alone.
 */
export function replaceUnsafeTextDeep<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const inner = record[key];
    if (typeof inner === 'string') {
      if (CONTROL.test(inner) || !inner.isWellFormed()) record[key] = replaceUnsafeText(inner);
    } else replaceUnsafeTextDeep(inner, depth + 1);
  }
  return value;
}
