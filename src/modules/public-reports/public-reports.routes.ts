import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { type PageRoute, actorOf, idParam } from '../../http/routes.ts';
import { readUpload } from '../../http/uploads.ts';
import { staffCaseContext } from '../complaints/case-context.ts';
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
    {
      method: 'GET',
      url: '/staff/complaints/:id/public-report',
      access: 'complaints:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const context = await staffCaseContext(services, request, 'public-report');
        const report = await publicReports.forComplaint(actor, context.view.complaint.id);
        return reply.render('public-reports/views/staff-case.njk', {
          ...context,
          report,
          canManage: can(actor, 'public-reports:manage'),
          criteriaItems,
          reasonItems,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/public-report',
      access: 'public-reports:manage',
      handler: async (request, reply) => {
        const complaintId = idParam(request);
        return handleForm(request, reply, `${casePage(complaintId)}#propose`, async () => {
          const form = parseForm(proposeForm, request.body);
          const issued = await publicReports.propose(actorOf(request), complaintId, {
            criteria: form.criteria,
            sections: {
              complaint: form.complaint,
              findings: form.findings,
              proposedRemedy: form.proposedRemedy,
              decision: form.decision,
            },
          });
          reply.setFlash({
            notice: `Draft report issued. Alerted: ${issued.alerted.map((a) => `${a.roleName.toLowerCase()} (${a.email})`).join(', ')}.`,
          });
          return casePage(complaintId);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/public-report/final',
      access: 'public-reports:manage',
      handler: async (request, reply) => {
        const complaintId = idParam(request);
        return handleForm(request, reply, `${casePage(complaintId)}#final`, async () => {
          const form = parseForm(finalForm, request.body);
          await publicReports.issueFinal(actorOf(request), complaintId, form);
          reply.setFlash({ notice: 'Final report issued. The statutory steps and their due dates are below.' });
          return casePage(complaintId);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/public-reports/:id/further',
      access: 'public-reports:manage',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const report = await publicReports.get(actor, idParam(request));
        return handleForm(request, reply, `${casePage(report.complaintId)}#further`, async () => {
          const form = parseForm(furtherForm, request.body);
          await publicReports.furtherReport(actor, report.id, form);
          reply.setFlash({ notice: 'Further report issued. A new round of statutory steps has started.' });
          return casePage(report.complaintId);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/public-reports/:id/satisfaction',
      access: 'public-reports:manage',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const report = await publicReports.get(actor, idParam(request));
        return handleForm(request, reply, `${casePage(report.complaintId)}#satisfaction`, async () => {
          const form = parseForm(satisfactionForm, request.body);
          const result = await publicReports.satisfy(actor, report.id, form);
          reply.setFlash({
            notice: result.closed
              ? 'Letter of satisfaction sent. The public report and the case are closed.'
              : 'Letter of satisfaction sent. The public report is closed; other work keeps the case open.',
          });
          return casePage(report.complaintId);
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/public-reports',
      access: 'public-reports:portal',
      handler: async (request, reply) => {
        const query = request.query as { cursor?: unknown };
        const page = await publicReports.listForAuthority(
          actorOf(request),
          typeof query.cursor === 'string' ? query.cursor : undefined,
        );
        return reply.render('public-reports/views/portal-list.njk', { page });
      },
    },
    {
      method: 'GET',
      url: '/portal/public-reports/:id',
      access: 'public-reports:portal',
      handler: async (request, reply) => {
        const report = await publicReports.get(actorOf(request), idParam(request));
        return reply.render('public-reports/views/portal-report.njk', { report, bodyItems });
      },
    },
    {
      method: 'POST',
      url: '/portal/public-reports/:id/steps/:stepId',
      access: 'public-reports:portal',
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      handler: async (request, reply) => {
        const id = idParam(request);
        const stepId = idParam(request, 'stepId');
        return handleForm(request, reply, `${portalPage(id)}#step-${stepId}`, async () => {
          const result = await forOneOf(stepId, async () => {
            const upload = await readUpload(services.files, request);
            const fields = parseForm(stepFields, {
              note: upload?.fields.note || undefined,
              body: upload?.fields.body || undefined,
            });
            return publicReports.completeStep(
              actorOf(request),
              id,
              stepId,
              upload ? { filename: upload.filename, bytes: upload.bytes, note: fields.note, body: fields.body } : null,
            );
          });
          reply.setFlash({
            notice: result.late
              ? 'Evidence received. The step is recorded as done, after its due date.'
              : 'Evidence received. The step is recorded as done.',
          });
          return portalPage(id);
        });
      },
    },
  ];
}
