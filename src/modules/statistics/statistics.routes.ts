import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { dateFromParts } from '../../platform/input.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { can } from '../accounts/domain.ts';
import { LICENCE, MINIMUM_VOLUME, yearLabel } from './domain.ts';
import { dictionaryCsv, yearCsv, yearJson } from './open-data.ts';
import {
  authorityParams,
  authorityYearParams,
  nationalQuery,
  publicationForm,
  yearParams,
  yearQuery,
} from './statistics.schemas.ts';
import { YearNotFound, type OpenDataFile } from './statistics.service.ts';
import { authorityPageView, nationalView } from './statistics.views.ts';
import type { FastifyReply } from 'fastify';

/**
 * A year with no figures for this reader: a 404 page that says why and lists the years there are.
 * `pageWithoutYears`: the page itself, asked for no year, is there even before it has any (200).
 */
async function orNoYear<T>(
  reply: FastifyReply,
  basePath: string,
  work: () => Promise<T>,
  pageWithoutYears = false,
): Promise<T | FastifyReply> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof YearNotFound)) throw error;
    return reply
      .code(pageWithoutYears && error.years.length === 0 ? 200 : 404)
      .render('statistics/views/no-year.njk', { message: error.message, years: error.years, basePath });
  }
}

/** A published year's open data file, sent as written at the refresh. */
const sendFile = (reply: FastifyReply, file: OpenDataFile) =>
  reply.header('content-length', file.size).header('cache-control', 'public, max-age=300').send(file.stream);

/**
 * The performance pages: every authority's page and the national summary (public, each year once
 * published; staff and the authority itself see a year before), the open data, the link officer's own
 * figures in the portal, and the relationship lead's publication dates.
 */
export function statisticsRoutes(services: Services): PageRoute[] {
  const { statistics, authorities, annualReview } = services;
  /** The address of the authority's sent annual review letter for the year, when there is one. */
  const letterHref = async (authority: { id: string; slug: string | null }, year: number) =>
    (await annualReview.publishedLetter(authority.id, year))
      ? `/authorities/${authority.slug ?? authority.id}/performance/${year}/letter.pdf`
      : null;
  return [
    page({
      url: '/performance',
      access: 'public',
      // The same for every visitor not signed in (published years only): kept whole for a few seconds.
      publicCache: true,
      query: nationalQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const years = await statistics.visibleYears(actor, null);
        if (years.length === 0) return reply.render('statistics/views/national-none.njk', {});
        return orNoYear(reply, '/performance', async () => {
          const summary = await statistics.nationalSummary(actor, query.year);
          const picker = await authorities.picker(query.q, null);
          const slugs = await statistics.slugsOf(picker.choices.map((c) => c.id));
          return reply.render('statistics/views/national.njk', {
            summary,
            view: nationalView(summary.kinds),
            picker,
            found: picker.choices.map((c) => ({ name: c.name, slug: slugs.get(c.id) ?? c.id })),
            licence: LICENCE,
            minimumVolume: MINIMUM_VOLUME,
          });
        });
      },
    }),
    page({
      url: '/performance/dictionary.csv',
      access: 'public',
      handler: async (_input, _request, reply) =>
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="performance-data-dictionary.csv"')
          .send(dictionaryCsv()),
    }),
    page({
      url: '/performance/:year/data.csv',
      access: 'public',
      params: yearParams,
      handler: async ({ actor, params }, _request, reply) =>
        orNoYear(reply, '/performance', async () => {
          reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="authority-performance-${params.year}.csv"`);
          const file = await statistics.openDataFile(actor, params.year, 'csv');
          if (file) return sendFile(reply, file);
          const data = await statistics.yearObjects(actor, params.year, null);
          return reply
            .header('cache-control', data.published ? 'public, max-age=300' : 'no-store')
            .send(yearCsv(data.authorities));
        }),
    }),
    page({
      url: '/performance/:year/data.json',
      access: 'public',
      params: yearParams,
      handler: async ({ actor, params }, _request, reply) =>
        orNoYear(reply, '/performance', async () => {
          reply.header('content-type', 'application/json; charset=utf-8');
          const file = await statistics.openDataFile(actor, params.year, 'json');
          if (file) return sendFile(reply, file);
          const data = await statistics.yearObjects(actor, params.year, null);
          return reply
            .header('cache-control', data.published ? 'public, max-age=300' : 'no-store')
            .send(yearJson(data.year, data.authorities));
        }),
    }),
    page({
      url: '/authorities/:slug/performance',
      access: 'public',
      // The same for every visitor not signed in (published years only): kept whole for a few seconds.
      publicCache: true,
      params: authorityParams,
      query: yearQuery,
      handler: async ({ actor, params, query }, _request, reply) =>
        orNoYear(reply, `/authorities/${params.slug}/performance`, async () => {
          const p = await statistics.authorityPerformance(actor, params.slug, query.year);
          if (p.authority.slug !== null && p.authority.slug !== params.slug)
            return reply.redirect(
              `/authorities/${p.authority.slug}/performance${query.year === undefined ? '' : `?year=${query.year}`}`,
            );
          return reply.render('statistics/views/authority.njk', {
            authority: p.authority,
            years: p.years,
            figures: p.figures,
            view: authorityPageView(p.figures),
            basePath: `/authorities/${p.authority.slug ?? p.authority.id}/performance`,
            caseListHref: actor?.authorityId === p.authority.id ? '/portal/complaints' : null,
            letterHref: await letterHref(p.authority, p.figures.year.year),
            licence: LICENCE,
          });
        }),
    }),
    page({
      url: '/authorities/:slug/performance/:year/letter.pdf',
      access: 'public',
      params: authorityYearParams,
      handler: async ({ actor, params }, _request, reply) =>
        orNoYear(reply, `/authorities/${params.slug}/performance`, async () => {
          const { authority, year } = await statistics.authorityYear(actor, params.slug, params.year);
          const { filename, pdf } = await annualReview.publishedLetterPdf(authority.id, year.year);
          return reply
            .header('content-type', 'application/pdf')
            .header('content-disposition', `inline; filename="${filename}"`)
            .header('cache-control', year.published ? 'public, max-age=300' : 'no-store')
            .send(pdf);
        }),
    }),
    page({
      url: '/portal/performance',
      access: 'portal:home',
      query: yearQuery,
      handler: async ({ actor, query }, _request, reply) =>
        orNoYear(
          reply,
          '/portal/performance',
          async () => {
            if (actor.authorityId === null) throw notFound();
            const p = await statistics.authorityPerformance(actor, actor.authorityId, query.year);
            return reply.render('statistics/views/authority.njk', {
              authority: p.authority,
              years: p.years,
              figures: p.figures,
              view: authorityPageView(p.figures),
              basePath: '/portal/performance',
              caseListHref: '/portal/complaints',
              letterHref: await letterHref(p.authority, p.figures.year.year),
              licence: LICENCE,
            });
          },
          query.year === undefined,
        ),
    }),
    page({
      url: '/staff/statistics',
      access: 'staff:home',
      handler: async ({ actor }, _request, reply) => {
        const years = await statistics.yearsForStaff(actor);
        return reply.render('statistics/views/staff.njk', { years, canManage: can(actor, 'statistics:manage') });
      },
    }),
    form({
      url: '/staff/statistics/:year/publication',
      access: 'statistics:manage',
      params: yearParams,
      body: publicationForm,
      back: ({ params }) => `/staff/statistics#year-${params.year}`,
      action: async ({ actor, params, body }) => {
        const typed = [body['publish-day'], body['publish-month'], body['publish-year']].some((v) => v.trim() !== '');
        const date = typed ? dateFromParts(body['publish-day'], body['publish-month'], body['publish-year']) : null;
        if (typed && date === null)
          throw invalid([{ field: `publish-${params.year}`, message: 'Enter a real date, like 1 9 2027' }]);
        await statistics.setPublication(actor, params.year, date);
        return {
          to: '/staff/statistics',
          notice:
            date === null
              ? `The figures for ${yearLabel(params.year)} are no longer published.`
              : `The figures for ${yearLabel(params.year)} are published from that day.`,
        };
      },
    }),
  ];
}
