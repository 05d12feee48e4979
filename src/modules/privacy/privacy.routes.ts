import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { readDateParts } from '../audit/domain.ts';
import { chartGeometry } from './chart.ts';
import { safeReturnPath } from './consent.ts';
import { MAX_RANGE_DAYS, daysBetween, defaultRange, type DateRange } from './domain.ts';
import { PrivacyCookies } from './privacy.cookies.ts';
import { SETTINGS_PATH } from './privacy.hooks.ts';
import { analyticsQuery, bannerForm, settingsForm, type AnalyticsQuery } from './privacy.schemas.ts';

/** `2026-12-06` as the three boxes of a GOV.UK date input. */
const dateParts = (prefix: string, day: string): Record<string, string> => {
  const [year = '', month = '', date = ''] = day.split('-');
  return {
    [`${prefix}-day`]: String(Number(date)),
    [`${prefix}-month`]: String(Number(month)),
    [`${prefix}-year`]: year,
  };
};

/** The range the staff page was asked for (the last 28 days when none was), or the problems with it. */
function readRange(
  q: AnalyticsQuery,
  today: string,
): { range: DateRange | null; errors: FieldError[]; values: Record<string, string> } {
  const values: Record<string, string> = { ...q };
  if (Object.values(q).every((v) => v === '')) {
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
    page({
      url: SETTINGS_PATH,
      access: 'public',
      handler: async (_input, request, reply) => {
        const state = cookies.read(request);
        const sent = request.flash.values?.analytics;
        return reply.render('privacy/views/settings.njk', {
          required: cookies.required(),
          analyticsCookie: cookies.analytics(),
          gpc: state.gpc,
          // Off by default: "no" is chosen until the visitor says yes.
          analyticsChoice: typeof sent === 'string' ? sent : (state.consent?.analytics ?? 'no'),
        });
      },
    }),
    form({
      url: SETTINGS_PATH,
      access: 'public',
      body: settingsForm,
      back: SETTINGS_PATH,
      action: async ({ body }, _request, reply) => {
        cookies.saveChoice(reply, body.analytics, false);
        if (body.analytics === 'no') cookies.deleteAnalytics(reply);
        return { to: SETTINGS_PATH, notice: 'You’ve set your cookie preferences.' };
      },
    }),
    form({
      url: `${SETTINGS_PATH}/banner`,
      access: 'public',
      body: bannerForm,
      back: SETTINGS_PATH,
      action: async ({ body }, _request, reply) => {
        // The page the visitor goes back to shows the banner's confirmation, once.
        cookies.saveChoice(reply, body.analytics, true);
        if (body.analytics === 'no') cookies.deleteAnalytics(reply);
        return safeReturnPath(body.returnTo);
      },
    }),
    page({
      url: '/staff/analytics',
      access: 'analytics:read',
      query: analyticsQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const { range, errors, values } = readRange(query, privacy.today());
        if (range === null)
          return reply.code(400).render('privacy/views/analytics.njk', { errors, values, report: null });
        const report = await privacy.report(actor, range);
        return reply.render('privacy/views/analytics.njk', {
          values,
          report,
          chart: chartGeometry(report.days),
          // The table lists the newest day first; the chart runs left to right from the oldest.
          daysNewestFirst: [...report.days].reverse(),
        });
      },
    }),
  ];
}
