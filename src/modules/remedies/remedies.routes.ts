import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { readUpload, sendDocument } from '../../http/uploads.ts';
import { type PageRoute, actorOf, idParam } from '../../http/routes.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import { staffCaseContext } from '../complaints/case-context.ts';
import { dateFromParts } from '../enquiries/enquiries.schemas.ts';
import { MANAGER_ACTIONS, MANAGER_ACTION_NAMES } from './domain.ts';
import { actionForm, evidenceForm, reviewForm } from './remedies.schemas.ts';

/** Staff pages to review evidence and act on non-compliance; portal pages to send evidence. */
export function remediesRoutes(services: Services): PageRoute[] {
  const { remedies } = services;
  const caseTab = (complaintId: string) => `/staff/complaints/${complaintId}/remedies`;
  const portalPage = (id: string) => `/portal/remedies/${id}`;

  return [
    {
      method: 'GET',
      url: '/staff/remedies',
      access: 'remedies:read',
      handler: async (request, reply) => {
        const work = await remedies.workList(actorOf(request));
        return reply.render('remedies/views/staff-list.njk', { work });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/remedies',
      access: 'remedies:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const context = await staffCaseContext(services, request, 'remedies');
        const items = await remedies.forComplaint(actor, context.view.complaint.id);
        return reply.render('remedies/views/staff-case.njk', {
          ...context,
          remedies: items,
          canReview: can(actor, 'remedies:review'),
          canEscalate: can(actor, 'remedies:escalate'),
          actions: MANAGER_ACTIONS.map((a) => ({ value: a, text: MANAGER_ACTION_NAMES[a] })),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/remedies/:id/evidence/:evidenceId/review',
      access: 'remedies:review',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        const evidenceId = idParam(request, 'evidenceId');
        const remedy = await remedies.get(actorOf(request), id);
        const back = `${caseTab(remedy.complaintId)}#remedy-${id}`;
        return handleForm(request, reply, back, async () => {
          const form = parseForm(reviewForm, request.body);
          const result = await remedies.reviewEvidence(
            actorOf(request),
            id,
            evidenceId,
            form.decision === 'accept' ? { decision: 'accept' } : { decision: 'return', reason: form.reason },
          );
          reply.setFlash({
            notice:
              result.evidenceStatus === 'accepted'
                ? `The evidence is accepted: the remedy is complied with.${result.caseClosed ? ' Nothing else is outstanding, so the case is closed.' : ''}`
                : 'The evidence is returned. The authority’s link officers have been told why.',
          });
          return back;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/remedies/:id/actions',
      access: 'remedies:escalate',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        const remedy = await remedies.get(actorOf(request), id);
        const back = `${caseTab(remedy.complaintId)}#remedy-${id}`;
        return handleForm(request, reply, back, async () => {
          const form = parseForm(actionForm, request.body);
          let newDueOn: string | null = null;
          if (form.action === 'more-time') {
            const date = dateFromParts(request.body, 'newDueOn');
            if (date === null || date === 'invalid')
              throw invalid([{ field: 'newDueOn', message: 'Enter the new due date, like 27 1 2027' }]);
            newDueOn = date;
          }
          const result = await remedies.takeAction(actorOf(request), id, {
            action: form.action,
            note: form.note,
            newDueOn,
          });
          reply.setFlash({ notice: `Recorded: ${MANAGER_ACTION_NAMES[form.action]}.` });
          return result.linkedComplaintId ? `/staff/complaints/${result.linkedComplaintId}` : back;
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/remedies',
      access: 'remedies:portal',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        if (!actor.authorityId) throw notFound('The authority');
        const [items, remedyRates] = await Promise.all([
          remedies.forAuthority(actor, actor.authorityId),
          remedies.rates(actor, actor.authorityId),
        ]);
        return reply.render('remedies/views/portal-list.njk', { items, remedyRates });
      },
    },
    {
      method: 'GET',
      url: '/portal/remedies/:id',
      access: 'remedies:portal',
      handler: async (request, reply) => {
        const remedy = await remedies.get(actorOf(request), idParam(request, 'id'));
        return reply.render('remedies/views/portal-remedy.njk', { remedy });
      },
    },
    {
      method: 'POST',
      url: '/portal/remedies/:id/evidence',
      access: 'remedies:portal',
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, `${portalPage(id)}#send-evidence`, async () => {
          // The portal's evidence is a document with a description of what it shows.
          const upload = await readUpload(services.files, request);
          if (!upload || upload.filename === '')
            throw invalid([{ field: 'file', message: 'Select the document that shows the remedy was carried out' }]);
          const form = parseForm(evidenceForm, upload.fields);
          const result = await remedies.submitEvidence(actorOf(request), id, {
            description: form.description,
            file: { content: upload.bytes, filename: upload.filename },
          });
          reply.setFlash({
            notice: result.late
              ? 'Your evidence has been sent. It arrived after the due date, so the remedy is recorded as late.'
              : 'Your evidence has been sent. The ombudsman will tell you when it has been reviewed.',
          });
          return portalPage(id);
        });
      },
    },
    ...(['portal', 'staff'] as const).map((face): PageRoute => ({
      method: 'GET',
      url: `/${face}/remedies/:id/documents/:documentId`,
      access: face === 'portal' ? 'remedies:portal' : 'remedies:read',
      handler: async (request, reply) => {
        const { document, stream } = await remedies.openDocument(
          actorOf(request),
          idParam(request, 'id'),
          idParam(request, 'documentId'),
        );
        return sendDocument(reply, document, stream);
      },
    })),
  ];
}
