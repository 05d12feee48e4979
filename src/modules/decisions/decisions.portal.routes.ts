import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { addDays } from '../../platform/calendar/calendar.ts';
import { formatDate } from '../../platform/dates.ts';
import {
  compareQuery,
  disclosureForm,
  draftParams,
  findingsPageQuery,
  portalCommentForm,
  timelineQuery,
} from './decisions.schemas.ts';
import { findingsCsv, serviceAreaName } from './presenters.ts';
import { timelineFilter } from './timeline.ts';

/** The authority's decision and timeline pages, and its findings. */
export function decisionsPortalRoutes(services: Services): PageRoute[] {
  const { decisions, complaints, calendar, platform } = services;
  const portalBase = (id: string) => `/portal/complaints/${id}/decision`;

  /** The period of the findings page: the last twelve months unless chosen. */
  function findingsPeriod(asked: {
    from?: string | undefined;
    to?: string | undefined;
    errors: { field: string; message: string }[];
  }) {
    const today = calendar.londonDate(platform.clock.now());
    const errors = [...asked.errors];
    const from = asked.from || addDays(today, -365);
    const to = asked.to || today;
    if (errors.length === 0 && from > to)
      errors.push({ field: 'to', message: 'The end of the period must be after its start' });
    return { from, to, errors };
  }

  return [
    page({
      url: '/portal/complaints/:id/decision',
      access: 'decisions:portal',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const decision = await decisions.caseDecision(actor, params.id);
        return reply.render('decisions/views/portal-decision.njk', { decision });
      },
    }),
    page({
      url: '/portal/complaints/:id/decision/drafts/:version',
      access: 'decisions:portal',
      params: draftParams,
      query: compareQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        if (query.compare === null) throw notFound('The draft');
        const [decision, view] = await Promise.all([
          decisions.caseDecision(actor, params.id),
          decisions.draftVersion(actor, params.id, params.version, query.compare),
        ]);
        return reply.render('decisions/views/draft-version.njk', {
          ...view,
          reference: decision.complaint.reference,
          face: 'portal',
          base: portalBase(params.id),
          documentBase: '/portal/documents/',
        });
      },
    }),
    form({
      url: '/portal/complaints/:id/decision/comments',
      access: 'decisions:portal',
      params: withId,
      body: portalCommentForm,
      back: ({ params }) => `${portalBase(params.id)}#comments`,
      action: async ({ actor, params, body }) => {
        const result = await decisions.comment(actor, body.draftId, body);
        return {
          to: portalBase(params.id),
          notice: body.noComments
            ? 'You have told us you have no comments on the draft.'
            : result.late
              ? `Your comments have been sent. They arrived after the deadline (${formatDate(result.dueOn)}) and are marked late, but they will be considered.`
              : 'Your comments have been sent to the ombudsman.',
        };
      },
    }),
    form({
      url: '/portal/complaints/:id/decision/disclosures',
      access: 'decisions:portal',
      params: withId,
      // Loose, so the three fields of the date shown (`shownOn-day`…) survive.
      body: disclosureForm.loose(),
      back: ({ params }) => `${portalBase(params.id)}#disclosure`,
      action: async ({ actor, params, body }) => {
        const part = (name: string) => {
          const value = body[`shownOn-${name}`];
          return typeof value === 'string' ? value : undefined;
        };
        const shownOn = [part('year'), part('month')?.padStart(2, '0'), part('day')?.padStart(2, '0')]
          .map((p) => (p ?? '').trim())
          .join('-');
        await decisions.recordDisclosure(actor, body.draftId, {
          shownTo: body.shownTo,
          shownOn,
          withEvidence: body.withEvidence,
        });
        return { to: portalBase(params.id), notice: 'Recorded: the people criticised have been shown the draft.' };
      },
    }),
    page({
      url: '/portal/complaints/:id/timeline',
      access: 'portal:complaints',
      params: withId,
      query: timelineQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const view = await complaints.getCase(actor, params.id);
        const events = await complaints.timeline(actor, view.complaint.id);
        return reply.render('decisions/views/portal-timeline.njk', {
          view,
          ...timelineFilter(events, query),
        });
      },
    }),
    page({
      url: '/portal/findings',
      access: 'findings:portal',
      query: findingsPageQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const period = findingsPeriod(query);
        const rows = period.errors.length > 0 ? [] : await decisions.findings(actor, period.from, period.to);
        return reply.render('decisions/views/portal-findings.njk', {
          rows: rows.map((r) => ({ ...r, serviceAreaName: serviceAreaName(r.serviceArea) })),
          from: period.from,
          to: period.to,
          errors: period.errors,
          csvHref: `/portal/findings.csv?from=${period.from}&to=${period.to}`,
        });
      },
    }),
    page({
      url: '/portal/findings.csv',
      access: 'findings:portal',
      query: findingsPageQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const period = findingsPeriod(query);
        if (period.errors.length > 0) throw invalid(period.errors);
        const rows = await decisions.findings(actor, period.from, period.to);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="findings-${period.from}-to-${period.to}.csv"`)
          .send(findingsCsv(rows));
      },
    }),
  ];
}
