/**
 * First-party analytics: which page views are counted, under what path, and the date range the staff
 * page reads. Pure: no I/O.
 */
import { addDays, type IsoDate } from '../../platform/calendar/calendar.ts';
import { isStaffOrPortal } from './consent.ts';

/**
 * Route parameters kept in a counted path: public names (a publication's slug, a step of a public
 * form). Any other parameter (a link's token, a record's id) is written as its name
 * (`/decision/:token`), so no secret or identifier from an address is ever stored.
 */
const PUBLIC_PARAMETERS = new Set(['slug', 'step']);
const PUBLIC_NAME = /^[a-z0-9][a-z0-9-]{0,199}$/;
export const MAX_PATH_LENGTH = 500;

/** The path a page view is counted under, from its route's address and the request's parameters. */
export function countedPath(routeUrl: string, params: unknown): string {
  const values = params !== null && typeof params === 'object' ? (params as Record<string, unknown>) : {};
  const path = routeUrl
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment;
      const name = segment.slice(1);
      const value = values[name];
      return PUBLIC_PARAMETERS.has(name) && typeof value === 'string' && PUBLIC_NAME.test(value) ? value : segment;
    })
    .join('/');
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(0, MAX_PATH_LENGTH) || '/';
}

export interface PageView {
  method: string;
  status: number;
  /** The route's declared access; undefined for a request no route answered. */
  access: unknown;
  routeUrl: string | undefined;
  contentType: unknown;
}

/**
 * Counted: a public page (a route anyone may reach, outside the staff and portal faces and the
 * API) fetched with GET and answered 200 with HTML. Not counted: redirects, errors, form posts,
 * HEAD requests, files, feeds and the health checks.
 */
export function isCountedPageView(view: PageView): view is PageView & { routeUrl: string } {
  if (view.method !== 'GET' || view.status !== 200 || view.access !== 'public') return false;
  if (view.routeUrl === undefined || isStaffOrPortal(view.routeUrl)) return false;
  if (view.routeUrl.startsWith('/api/') || view.routeUrl.startsWith('/assets/')) return false;
  return typeof view.contentType === 'string' && view.contentType.startsWith('text/html');
}

/** The staff page's default range: the last 28 London days, today included. */
export const DEFAULT_RANGE_DAYS = 28;
/** The longest range the page shows, so the chart stays readable and the read bounded. */
export const MAX_RANGE_DAYS = 366;

export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}

export const defaultRange = (today: IsoDate): DateRange => ({
  from: addDays(today, 1 - DEFAULT_RANGE_DAYS),
  to: today,
});

/** Days from `from` to `to`, both included. */
export function daysBetween(range: DateRange): number {
  return Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Every day of a range, in order. */
export function eachDay(range: DateRange): IsoDate[] {
  const out: IsoDate[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) out.push(day);
  return out;
}

export interface DailyFigures {
  day: IsoDate;
  views: number;
  visitors: number;
}

/** The figures of every day in the range, zeros where nothing was counted. */
export function fillDays(range: DateRange, counted: readonly DailyFigures[]): DailyFigures[] {
  const byDay = new Map(counted.map((row) => [row.day, row]));
  return eachDay(range).map((day) => byDay.get(day) ?? { day, views: 0, visitors: 0 });
}
