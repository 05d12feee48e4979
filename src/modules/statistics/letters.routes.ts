import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { Services } from '../../services.ts';
import { PLACEHOLDERS } from './letter-template.ts';
import { roleName, yearLabel } from './domain.ts';
import { yearParams, yearQuery } from './statistics.schemas.ts';

const templateForm = z.object({ template: z.string().max(100_000).default('') });
const sendForm = z.object({ confirmResend: z.literal('yes').optional() });
const letterForm = z.object({ body: z.string().max(100_000).default('') });

/** The relationship lead's annual review letters: the template, generation, review, sending and progress. */
export function lettersRoutes(services: Services): PageRoute[] {
  const { annualReview, statistics } = services;
  return [
    page({
      url: '/staff/statistics/letters',
      access: 'statistics:manage',
      query: yearQuery,
      handler: async ({ actor, query }, request, reply) => {
        const year = query.year ?? statistics.currentYear() - 1;
        const [template, runs, letters] = await Promise.all([
          annualReview.template(actor, year),
          annualReview.runs(actor, year),
          annualReview.letters(actor, year),
        ]);
        const kept = request.flash.values ?? {};
        return reply.render('statistics/views/letters.njk', {
          year,
          yearText: yearLabel(year),
          template: typeof kept.template === 'string' ? kept.template : template,
          placeholders: Object.entries(PLACEHOLDERS).map(([name, text]) => ({ name: `{{${name}}}`, text })),
          runs: runs.map((r) => Object.assign({ running: r.finished_at === null }, r)),
          letters,
          anySent: letters.some((l) => l.sends > 0),
        });
      },
    }),
    form({
      url: '/staff/statistics/letters/:year/generate',
      access: 'statistics:manage',
      params: yearParams,
      body: templateForm,
      back: ({ params }) => `/staff/statistics/letters?year=${params.year}`,
      action: async ({ actor, params, body }) => {
        await annualReview.startGeneration(actor, params.year, body.template, null);
        return {
          to: `/staff/statistics/letters?year=${params.year}`,
          notice: `The letters for ${yearLabel(params.year)} are being made. This page shows how far it has got.`,
        };
      },
    }),
    form({
      url: '/staff/statistics/letters/:year/send',
      access: 'statistics:manage',
      params: yearParams,
      body: sendForm,
      back: ({ params }) => `/staff/statistics/letters?year=${params.year}`,
      action: async ({ actor, params, body }) => {
        await annualReview.startSending(actor, params.year, {
          confirmResend: body.confirmResend === 'yes',
          authorityIds: null,
        });
        return {
          to: `/staff/statistics/letters?year=${params.year}`,
          notice: `The letters for ${yearLabel(params.year)} are being sent. This page shows how far it has got.`,
        };
      },
    }),
    page({
      url: '/staff/statistics/letters/review/:id',
      access: 'statistics:manage',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const view = await annualReview.letter(actor, params.id);
        const kept = request.flash.values ?? {};
        return reply.render('statistics/views/letter.njk', {
          ...view,
          yearText: yearLabel(view.letter.year),
          body: typeof kept.body === 'string' ? kept.body : view.letter.body,
          recipients: view.recipients.map((r) => Object.assign({ roleName: roleName(r.role) }, r)),
          sent: view.sent.map((r) => Object.assign({ roleName: roleName(r.role) }, r)),
        });
      },
    }),
    form({
      url: '/staff/statistics/letters/review/:id',
      access: 'statistics:manage',
      params: withId,
      body: letterForm,
      back: ({ params }) => `/staff/statistics/letters/review/${params.id}`,
      action: async ({ actor, params, body }) => {
        await annualReview.editLetter(actor, params.id, body.body);
        return { to: `/staff/statistics/letters/review/${params.id}`, notice: 'The letter is saved.' };
      },
    }),
    page({
      url: '/staff/statistics/letters/review/:id/pdf',
      access: 'statistics:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { filename, pdf } = await annualReview.letterPdf(actor, params.id);
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `inline; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    }),
  ];
}
