/**
 * Reading the audit log: the filters a reader can apply, and the London calendar days they are
 * given in. Pure: no I/O.
 */
import type { FieldError } from '../../platform/errors.ts';
import { dateFromParts } from '../../platform/input.ts';

export interface AuditFilter {
  actorId?: string | undefined;
  recordType?: string | undefined;
  recordId?: string | undefined;
  action?: string | undefined;
  /** Events at or after this instant. */
  from?: Date | undefined;
  /** Events before this instant. */
  before?: Date | undefined;
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

/** Minutes London is ahead of UTC at an instant (0 in winter, 60 in summer). */
function londonOffsetMinutes(at: Date): number {
  const parts = Object.fromEntries(londonParts.formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a London calendar day (YYYY-MM-DD) starts. Clocks change at 01:00 UTC, never at midnight. */
export function startOfLondonDay(isoDate: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number);
  const utcMidnight = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
  return new Date(utcMidnight.getTime() - londonOffsetMinutes(utcMidnight) * 60_000);
}

/** The instant the London day after `isoDate` starts: the exclusive end of that day. */
export function endOfLondonDay(isoDate: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number);
  const next = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + 1));
  return startOfLondonDay(next.toISOString().slice(0, 10));
}

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

/**
 * Reads a GOV.UK date input (day, month, year). Returns the date as YYYY-MM-DD, null when all three
 * are empty, or the error to show against the first field that needs fixing.
 */
export function readDateParts(
  parts: DateParts,
  label: string,
  fieldPrefix: string,
): { date: string | null; error: FieldError | null } {
  const day = parts.day.trim();
  const month = parts.month.trim();
  const year = parts.year.trim();
  if (day === '' && month === '' && year === '') return { date: null, error: null };
  const missing = [
    ['day', day],
    ['month', month],
    ['year', year],
  ].filter(([, v]) => v === '');
  if (missing.length > 0) {
    const names = missing.map(([n]) => n).join(' and ');
    return {
      date: null,
      error: { field: `${fieldPrefix}-${missing[0]?.[0] ?? 'day'}`, message: `${label} must include a ${names}` },
    };
  }
  const realDate = { date: null, error: { field: `${fieldPrefix}-day`, message: `${label} must be a real date` } };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month)) return realDate;
  if (!/^\d{4}$/.test(year)) {
    return { date: null, error: { field: `${fieldPrefix}-year`, message: `Year must include 4 numbers` } };
  }
  const date = dateFromParts(day, month, year);
  return date === null ? realDate : { date, error: null };
}

/**
 * Who acted, as the audit log page shows them: the person (or token) by name and the role they acted
 * in, with their authority for the authority's people: "Grace Mensah (Link officer, Anytown Council)",
 * "Eleanor Price (Casework manager)". One since deleted is shown by kind and role ("User, Investigator").
 */
export function auditActorText(e: {
  type: 'user' | 'token' | 'system';
  name: string | null;
  roleName: string | null;
  authority: string | null;
}): string {
  if (e.type === 'system') return 'System';
  const kind = e.type === 'user' ? 'User' : 'API token';
  if (e.name === null) return e.roleName ? `${kind}, ${e.roleName}` : kind;
  const who = e.type === 'user' ? e.name : `API token ‘${e.name}’`;
  const as = [e.roleName, e.authority].filter((p): p is string => p !== null && p !== '');
  return as.length > 0 ? `${who} (${as.join(', ')})` : who;
}
