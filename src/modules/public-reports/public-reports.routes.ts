import { z } from 'zod';
import type { Services } from '../../services.ts';
import { parseForm } from '../../http/forms.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { readUpload } from '../../http/uploads.ts';
import { caseContext } from '../complaints/case-context.ts';
import { DomainError } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import {
  BODY_NAMES,
  CONSIDERING_BODIES,
  CRITERION_NAMES,
  FURTHER_REASONS,
  FURTHER_REASON_NAMES,
  REPORT_CRITERIA,
} from './domain.ts';
import { finalForm, furtherForm, proposeForm, satisfactionForm, stepFields } from './public-reports.schemas.ts';

const criteriaItems = REPORT_CRITERIA.map((c) => ({ value: c, text: CRITERION_NAMES[c] }));
const reasonItems = FURTHER_REASONS.map((r) => ({ value: r, text: FURTHER_REASON_NAMES[r] }));
const bodyItems = CONSIDERING_BODIES.map((b) => ({ value: b, text: BODY_NAMES[b] }));

const stepParams = z.object({ id: z.uuid(), stepId: z.uuid() });
/** A cursor that is not one string is no cursor: the first page. */
const portalListQuery = z.object({ cursor: z.string().optional().catch(undefined) });

/** A form's field errors renamed for one of several forms on a page (e.g. `file` → `file-<step id>`). */
async function forOneOf<T>(suffix: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'validation') {
      throw new DomainError(
        'validation',
        error.message,
        error.fields.map((f) => ({ ...f, field: `${f.field}-${suffix}` })),
      );
    }
    throw error;
  }
}

/** Staff pages to propose and follow a public report on a case; portal pages for the authority's tracker. */
export function publicReportsRoutes(services: Services): PageRoute[] {
  const { publicReports } = services;
  const casePage = (complaintId: string) => `/staff/complaints/${complaintId}/public-report`;
  const portalPage = (id: string) => `/portal/public-reports/${id}`;

  return [
    page({
      url: '/staff/complaints/:id/public-report',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const context = await caseContext(services, actor, params.id, 'public-report');
        const report = await publicReports.forComplaint(actor, context.view.complaint.id);
        return reply.render('public-reports/views/staff-case.njk', {
          ...context,
          report,
          canManage: can(actor, 'public-reports:manage'),
          criteriaItems,
          reasonItems,
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/public-report',
      access: 'public-reports:manage',
      params: withId,
      body: proposeForm,
      back: ({ params }) => `${casePage(params.id)}#propose`,
      action: async ({ actor, params, body }) => {
        const issued = await publicReports.propose(actor, params.id, {
          criteria: body.criteria,
          sections: {
            complaint: body.complaint,
            findings: body.findings,
            proposedRemedy: body.proposedRemedy,
            decision: body.decision,
          },
        });
        return {
          to: casePage(params.id),
          notice: `Draft report issued. Alerted: ${issued.alerted.map((a) => `${a.roleName.toLowerCase()} (${a.email})`).join(', ')}.`,
        };
      },
    }),
    form({
      url: '/staff/complaints/:id/public-report/final',
      access: 'public-reports:manage',
      params: withId,
      body: finalForm,
      back: ({ params }) => `${casePage(params.id)}#final`,
      action: async ({ actor, params, body }) => {
        await publicReports.issueFinal(actor, params.id, body);
        return {
          to: casePage(params.id),
          notice: 'Final report issued. The statutory steps and their due dates are below.',
        };
      },
    }),
    form({
      url: '/staff/public-reports/:id/further',
      access: 'public-reports:manage',
      params: withId,
      body: furtherForm,
      back: async ({ actor, params }) => `${casePage((await publicReports.get(actor, params.id)).complaintId)}#further`,
      action: async ({ actor, params, body }) => {
        const report = await publicReports.get(actor, params.id);
        await publicReports.furtherReport(actor, report.id, body);
        return {
          to: casePage(report.complaintId),
          notice: 'Further report issued. A new round of statutory steps has started.',
        };
      },
    }),
    form({
      url: '/staff/public-reports/:id/satisfaction',
      access: 'public-reports:manage',
      params: withId,
      body: satisfactionForm,
      back: async ({ actor, params }) =>
        `${casePage((await publicReports.get(actor, params.id)).complaintId)}#satisfaction`,
      action: async ({ actor, params, body }) => {
        const report = await publicReports.get(actor, params.id);
        const result = await publicReports.satisfy(actor, report.id, body);
        return {
          to: casePage(report.complaintId),
          notice: result.closed
            ? 'Letter of satisfaction sent. The public report and the case are closed.'
            : 'Letter of satisfaction sent. The public report is closed; other work keeps the case open.',
        };
      },
    }),
    page({
      url: '/portal/public-reports',
      access: 'public-reports:portal',
      query: portalListQuery,
      handler: async ({ actor, query }, _request, reply) =>
        reply.render('public-reports/views/portal-list.njk', {
          page: await publicReports.listForAuthority(actor, query.cursor),
        }),
    }),
    page({
      url: '/portal/public-reports/:id',
      access: 'public-reports:portal',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const report = await publicReports.get(actor, params.id);
        return reply.render('public-reports/views/portal-report.njk', { report, bodyItems });
      },
    }),
    form({
      url: '/portal/public-reports/:id/steps/:stepId',
      access: 'public-reports:portal',
      params: stepParams,
      // A multipart form: its fields are read with the file (readUpload), not as a body.
      body: z.unknown(),
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      back: ({ params }) => `${portalPage(params.id)}#step-${params.stepId}`,
      action: async ({ actor, params }, request) => {
        const result = await forOneOf(params.stepId, async () => {
          const upload = await readUpload(services.files, request);
          const fields = parseForm(stepFields, {
            note: upload?.fields.note || undefined,
            body: upload?.fields.body || undefined,
          });
          return publicReports.completeStep(
            actor,
            params.id,
            params.stepId,
            upload ? { filename: upload.filename, bytes: upload.bytes, note: fields.note, body: fields.body } : null,
          );
        });
        return {
          to: portalPage(params.id),
          notice: result.late
            ? 'Evidence received. The step is recorded as done, after its due date.'
            : 'Evidence received. The step is recorded as done.',
        };
      },
    }),
  ];
}
