import { handleForm, parseForm, zodFieldErrors } from '../../http/forms.ts';
import { type PageRoute, actorOf } from '../../http/routes.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { readDateParts } from '../audit/domain.ts';
import { chartGeometry } from './chart.ts';
import { safeReturnPath } from './consent.ts';
import { MAX_RANGE_DAYS, daysBetween, defaultRange, type DateRange } from './domain.ts';
import { PrivacyCookies } from './privacy.cookies.ts';
import { SETTINGS_PATH } from './privacy.hooks.ts';
import { analyticsQuery, bannerForm, settingsForm } from './privacy.schemas.ts';

const ANALYTICS_PATH = '/staff/analytics';

/** `2026-12-06` as the three boxes of a GOV.UK date input. */
const dateParts = (prefix: string, day: string): Record<string, string> => {
  const [year = '', month = '', date = ''] = day.split('-');
  return {
    [`${prefix}-day`]: String(Number(date)),
    [`${prefix}-month`]: String(Number(month)),
    [`${prefix}-year`]: year,
  };
};

/** The range the staff page was asked for, or the problems with it. */
function readRange(
  query: unknown,
  today: string,
): { range: DateRange | null; errors: FieldError[]; values: Record<string, string> } {
  const parsed = analyticsQuery.safeParse(query ?? {});
  if (!parsed.success) return { range: null, errors: zodFieldErrors(parsed.error), values: {} };
  const q = parsed.data;
  const values: Record<string, string> = { ...q };
  const asked = Object.values(q).some((v) => v !== '');
  if (!asked) {
    const range = defaultRange(today);
    return { range, errors: [], values: { ...dateParts('from', range.from), ...dateParts('to', range.to) } };
  }
  const from = readDateParts({ day: q['from-day'], month: q['from-month'], year: q['from-year'] }, 'Date from', 'from');
  const to = readDateParts({ day: q['to-day'], month: q['to-month'], year: q['to-year'] }, 'Date to', 'to');
  const errors: FieldError[] = [];
  if (from.error) errors.push(from.error);
  else if (from.date === null) errors.push({ field: 'from-day', message: 'Enter the date from' });
  if (to.error) errors.push(to.error);
  else if (to.date === null) errors.push({ field: 'to-day', message: 'Enter the date to' });
  if (errors.length > 0 || from.date === null || to.date === null) return { range: null, errors, values };
  const range = { from: from.date, to: to.date };
  if (range.to < range.from)
    errors.push({ field: 'to-day', message: 'Date to must be the same as or after date from' });
  else if (daysBetween(range) > MAX_RANGE_DAYS)
    errors.push({ field: 'to-day', message: `The dates must be ${MAX_RANGE_DAYS} days apart or fewer` });
  return errors.length > 0 ? { range: null, errors, values } : { range, errors, values };
}

/** The privacy settings page and the banner's form (public), and the staff analytics page. */
export function privacyRoutes(services: Services): PageRoute[] {
  const { privacy } = services;
  const cookies = new PrivacyCookies(services.platform.config);

  return [
    {
      method: 'GET',
      url: SETTINGS_PATH,
      access: 'public',
      handler: async (request, reply) => {
        const state = cookies.read(request);
        const flashed = request.flash.values?.analytics;
        return reply.render('privacy/views/settings.njk', {
          required: cookies.required(),
          analyticsCookie: cookies.analytics(),
          gpc: state.gpc,
          // Off by default: "no" is chosen until the visitor says yes.
          analyticsChoice: typeof flashed === 'string' ? flashed : (state.consent?.analytics ?? 'no'),
        });
      },
    },
    {
      method: 'POST',
      url: SETTINGS_PATH,
      access: 'public',
      handler: async (request, reply) =>
        handleForm(request, reply, SETTINGS_PATH, async () => {
          const form = parseForm(settingsForm, request.body);
          cookies.saveChoice(reply, form.analytics, false);
          if (form.analytics === 'no') cookies.deleteAnalytics(reply);
          reply.setFlash({ notice: 'You’ve set your cookie preferences.' });
          return SETTINGS_PATH;
        }),
    },
    {
      method: 'POST',
      url: `${SETTINGS_PATH}/banner`,
      access: 'public',
      handler: async (request, reply) =>
        handleForm(request, reply, SETTINGS_PATH, async () => {
          const form = parseForm(bannerForm, request.body);
          cookies.saveChoice(reply, form.analytics, true);
          if (form.analytics === 'no') cookies.deleteAnalytics(reply);
          return safeReturnPath(form.returnTo);
        }),
    },
    {
      method: 'GET',
      url: ANALYTICS_PATH,
      access: 'analytics:read',
      handler: async (request, reply) => {
        const { range, errors, values } = readRange(request.query, privacy.today());
        if (range === null)
          return reply.code(400).render('privacy/views/analytics.njk', { errors, values, report: null });
        const report = await privacy.report(actorOf(request), range);
        return reply.render('privacy/views/analytics.njk', {
          values,
          report,
          chart: chartGeometry(report.days),
          // The table lists the newest day first; the chart runs left to right from the oldest.
          daysNewestFirst: [...report.days].reverse(),
        });
      },
    },
  ];
}
