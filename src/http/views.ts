import path from 'node:path';
import nunjucks from 'nunjucks';
import { ROOT_DIR, SRC_DIR } from '../platform/paths.ts';

export { ROOT_DIR, SRC_DIR };
const nodeModules = path.join(ROOT_DIR, 'node_modules');

const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    // A bare calendar date is a London date: read it at noon UTC so no timezone moves it.
    const d =
      typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/**
 * Templates resolve from Liaison's own views, then module folders (`accounts/views/x.njk`), then
 * GOV.UK Frontend (`govuk/...`) and MOJ Frontend (`moj/...`). Autoescape is on: every value is inert
 * text unless a template says otherwise.
 */
export function createViewEnvironment(options: { watch?: boolean } = {}): nunjucks.Environment {
  const env = nunjucks.configure(
    [
      path.join(SRC_DIR, 'views'),
      path.join(SRC_DIR, 'modules'),
      path.join(nodeModules, 'govuk-frontend', 'dist'),
      path.join(nodeModules, '@ministryofjustice', 'frontend'),
    ],
    { autoescape: true, throwOnUndefined: false, watch: options.watch ?? false, noCache: false },
  );
  // The built-in trim uses a regular expression that costs quadratic time on the long, indented HTML the
  // GOV.UK macros pass through it (about a sixth of a page's rendering); String.prototype.trim is linear.
  const { SafeString } = nunjucks.runtime;
  env.addFilter('trim', (value: unknown) => {
    if (value instanceof SafeString) return new SafeString(value.toString().trim());
    return typeof value === 'string' ? value.trim() : value;
  });
  env.addFilter('date', (value: unknown) => {
    const d = toDate(value);
    return d ? londonDate.format(d) : '';
  });
  env.addFilter('datetime', (value: unknown) => {
    const d = toDate(value);
    return d ? londonDateTime.format(d).replace(' at ', ', ') : '';
  });
  env.addFilter('isoDate', (value: unknown) => toDate(value)?.toISOString() ?? '');
  env.addFilter('number', (value: unknown) =>
    typeof value === 'number' ? value.toLocaleString('en-GB') : typeof value === 'string' ? value : '',
  );
  /** Error message for one field from the page's error list, in the shape GOV.UK macros take. */
  env.addFilter('fieldError', (errors: unknown, field: string) => {
    if (!Array.isArray(errors)) return undefined;
    const found = (errors as { field: string; message: string }[]).find((e) => e.field === field);
    return found ? { text: found.message } : undefined;
  });
  /** The error list in the shape govukErrorSummary takes. */
  env.addFilter('errorSummaryList', (errors: unknown) =>
    Array.isArray(errors)
      ? (errors as { field: string; message: string }[]).map((e) => ({ text: e.message, href: `#${e.field}` }))
      : [],
  );
  return env;
}
