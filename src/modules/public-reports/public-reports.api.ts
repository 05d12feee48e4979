import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { FINAL_OUTCOMES } from '../decisions/domain.ts';
import { ALERT_ROLES, CONSIDERING_BODIES, REPORT_CRITERIA, STEP_KINDS, sectionsFromText } from './domain.ts';
import type { ReportView } from './public-reports.service.ts';

const complaintParams = z.object({ id: z.uuid({ error: 'Must be a complaint id' }) });
const reportParams = z.object({ id: z.uuid({ error: 'Must be a public report id' }) });
const isoDate = z.string().describe('A London calendar date, YYYY-MM-DD');

const createBody = z.object({
  stage: z.enum(['draft', 'final'], { error: 'Must be "draft" or "final"' }),
  criteria: z
    .array(z.enum(REPORT_CRITERIA, { error: `Each criterion must be one of: ${REPORT_CRITERIA.join(', ')}` }))
    .optional()
    .describe('The criteria for reporting that apply; required for the draft'),
  text: z
    .string({ error: 'Enter the text of the report' })
    .trim()
    .min(1, { error: 'Enter the text of the report' })
    .max(100_000)
    .describe(
      'The report. For the draft, lines "The complaint", "What I found", "Proposed remedy" and "Draft decision" ' +
        'split it into the draft’s sections; for the final report, the decision statement',
    ),
  outcome: z
    .enum(FINAL_OUTCOMES)
    .optional()
    .describe('Final report only: the outcome recorded (default upheld-injustice)'),
  earlyReason: z
    .string()
    .trim()
    .min(1)
    .max(20_000)
    .optional()
    .describe(
      'Final report only, and required while the draft report’s comment deadline has not passed (comments may ' +
        'still come, up to and on that day): why the report cannot wait. Sending it confirms issuing the report ' +
        'early; it is kept with the report and shown to staff only.',
    ),
});

const apiAlerted = z.object({
  role: z.enum(ALERT_ROLES),
  name: z.string(),
  email: z.string(),
  fallback: z.boolean().describe('True when nobody holds the role and the chief executive was alerted instead'),
});

const apiStep = z.object({
  id: z.uuid(),
  round: z.number().int().describe('1 for the report, 2 and on for further reports'),
  kind: z.enum(STEP_KINDS),
  dueOn: isoDate,
  dueRule: z.string(),
  status: z.enum(['due', 'overdue', 'done', 'done-late']),
  completedOn: isoDate.nullable(),
  body: z.enum(CONSIDERING_BODIES).nullable().describe('Consideration: who considered the report'),
  evidenceDocumentId: z.uuid().nullable(),
});

const apiReport = z.object({
  id: z.uuid(),
  complaintId: z.uuid(),
  complaintReference: z.string(),
  authorityId: z.uuid(),
  status: z.enum(['draft', 'final', 'satisfied']),
  criteria: z.array(z.enum(REPORT_CRITERIA)),
  draftIssuedOn: isoDate,
  commentDueOn: isoDate,
  finalIssuedOn: isoDate.nullable(),
  round: z.number().int(),
  satisfiedOn: isoDate.nullable(),
  steps: z.array(apiStep).describe('The statutory steps of every round, with their due dates'),
  alerts: z.array(
    apiAlerted.extend({
      occasion: z.enum(['draft', 'final', 'further']),
      round: z.number().int(),
      seenInPortalAt: z
        .date()
        .nullable()
        .transform((d) => d?.toISOString() ?? null),
    }),
  ),
});

const toApi = (r: ReportView) => ({
  id: r.id,
  complaintId: r.complaintId,
  complaintReference: r.reference,
  authorityId: r.authorityId,
  status: r.status,
  criteria: r.criteria.map((c) => c.id),
  draftIssuedOn: r.draftIssuedOn,
  commentDueOn: r.commentDueOn,
  finalIssuedOn: r.finalIssuedOn,
  round: r.round,
  satisfiedOn: r.satisfiedOn,
  steps: r.steps.map((s) => ({
    id: s.id,
    round: s.round,
    kind: s.kind,
    dueOn: s.dueOn,
    dueRule: s.dueRule,
    status: s.status,
    completedOn: s.completedOn,
    body: s.body,
    evidenceDocumentId: s.evidence?.id ?? null,
  })),
  alerts: r.alerts.map((a) => ({
    role: a.role,
    name: a.name,
    email: a.email,
    fallback: a.fallback,
    occasion: a.occasion,
    round: a.round,
    seenInPortalAt: a.seenAt,
  })),
});

/** Public reports over the API: staff propose and issue them; staff and the authority read the tracker. */
export function publicReportsApi(services: Services): ApiRoute[] {
  const { publicReports } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/complaints/:id/public-reports',
      access: 'public-reports:manage',
      summary: 'Issue a draft or final public report on a complaint',
      description:
        '`stage: "draft"` proposes the report on a case under investigation, with the criteria that apply: the draft ' +
        'report takes the place of the draft decision (to both parties, three weeks for comments) and the authority’s ' +
        'chief executive, monitoring officer and head of service for the case’s service area are alerted (`alerted`). ' +
        '`stage: "final"` issues the final report as the final decision and starts the statutory steps. ' +
        '409 when the case is not under investigation (draft) or has no draft report (final).',
      tags: ['Public reports'],
      params: complaintParams,
      body: createBody,
      status: 201,
      response: apiReport.extend({ alerted: z.array(apiAlerted).describe('Who was alerted, with role and email') }),
      handler: async ({ actor, params, body }) => {
        if (body.stage === 'draft') {
          const issued = await publicReports.propose(actor, params.id, {
            criteria: body.criteria ?? [],
            sections: sectionsFromText(body.text),
          });
          return { ...toApi(issued.report), alerted: issued.alerted };
        }
        const issued = await publicReports.issueFinal(actor, params.id, {
          statement: body.text,
          ...(body.outcome ? { outcome: body.outcome } : {}),
          earlyConfirmed: body.earlyReason !== undefined,
          earlyReason: body.earlyReason ?? null,
        });
        return { ...toApi(issued.report), alerted: issued.alerted };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/public-reports/:id',
      access: 'signed-in',
      summary: 'A public report with its statutory steps and their due dates',
      description:
        'Staff tokens see every report; an authority’s token (link officer or senior officer) sees only its own ' +
        'authority’s (others are not found).',
      tags: ['Public reports'],
      params: reportParams,
      response: apiReport,
      handler: async ({ actor, params }) => toApi(await publicReports.get(actor, params.id)),
    }),
  ];
}
