import type { Services } from '../../services.ts';
import { parseForm } from '../../http/forms.ts';
import { form, page, withId } from '../../http/page-route.ts';
import { readUpload, sendDocument } from '../../http/uploads.ts';
import type { PageRoute } from '../../http/routes.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import { caseContext } from '../complaints/case-context.ts';
import { dateFromParts } from '../enquiries/enquiries.schemas.ts';
import { z } from 'zod';
import { MANAGER_ACTIONS, MANAGER_ACTION_NAMES } from './domain.ts';
import { actionForm, evidenceForm, reviewForm } from './remedies.schemas.ts';

const evidenceParams = z.object({ id: z.uuid(), evidenceId: z.uuid() });
const documentParams = z.object({ id: z.uuid(), documentId: z.uuid() });

/** Staff pages to review evidence and act on non-compliance; portal pages to send evidence. */
export function remediesRoutes(services: Services): PageRoute[] {
  const { remedies } = services;
  const caseTab = (complaintId: string) => `/staff/complaints/${complaintId}/remedies`;
  const portalPage = (id: string) => `/portal/remedies/${id}`;

  return [
    page({
      url: '/staff/remedies',
      access: 'remedies:read',
      handler: async ({ actor }, _request, reply) => {
        const work = await remedies.workList(actor);
        return reply.render('remedies/views/staff-list.njk', { work });
      },
    }),
    page({
      url: '/staff/complaints/:id/remedies',
      access: 'remedies:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const context = await caseContext(services, actor, params.id, 'remedies');
        const items = await remedies.forComplaint(actor, context.view.complaint.id);
        return reply.render('remedies/views/staff-case.njk', {
          ...context,
          remedies: items,
          canReview: can(actor, 'remedies:review'),
          canEscalate: can(actor, 'remedies:escalate'),
          actions: MANAGER_ACTIONS.map((a) => ({ value: a, text: MANAGER_ACTION_NAMES[a] })),
        });
      },
    }),
    form({
      url: '/staff/remedies/:id/evidence/:evidenceId/review',
      access: 'remedies:review',
      params: evidenceParams,
      body: reviewForm,
      back: async ({ actor, params }) =>
        `${caseTab((await remedies.get(actor, params.id)).complaintId)}#remedy-${params.id}`,
      action: async ({ actor, params, body, back }) => {
        const result = await remedies.reviewEvidence(
          actor,
          params.id,
          params.evidenceId,
          body.decision === 'accept' ? { decision: 'accept' } : { decision: 'return', reason: body.reason },
        );
        return {
          to: back,
          notice:
            result.evidenceStatus === 'accepted'
              ? `The evidence is accepted: the remedy is complied with.${result.caseClosed ? ' Nothing else is outstanding, so the case is closed.' : ''}`
              : 'The evidence is returned. The authority’s link officers have been told why.',
        };
      },
    }),
    form({
      url: '/staff/remedies/:id/actions',
      access: 'remedies:escalate',
      params: withId,
      body: actionForm.loose(),
      back: async ({ actor, params }) =>
        `${caseTab((await remedies.get(actor, params.id)).complaintId)}#remedy-${params.id}`,
      action: async ({ actor, params, body, back }) => {
        let newDueOn: string | null = null;
        if (body.action === 'more-time') {
          const date = dateFromParts(body, 'newDueOn');
          if (date === null || date === 'invalid')
            throw invalid([{ field: 'newDueOn', message: 'Enter the new due date, like 27 1 2027' }]);
          newDueOn = date;
        }
        const result = await remedies.takeAction(actor, params.id, { action: body.action, note: body.note, newDueOn });
        return {
          to: result.linkedComplaintId ? `/staff/complaints/${result.linkedComplaintId}` : back,
          notice: `Recorded: ${MANAGER_ACTION_NAMES[body.action]}.`,
        };
      },
    }),
    page({
      url: '/portal/remedies',
      access: 'remedies:portal',
      handler: async ({ actor }, _request, reply) => {
        if (!actor.authorityId) throw notFound('The authority');
        const [items, remedyRates] = await Promise.all([
          remedies.forAuthority(actor, actor.authorityId),
          remedies.rates(actor, actor.authorityId),
        ]);
        return reply.render('remedies/views/portal-list.njk', { items, remedyRates });
      },
    }),
    page({
      url: '/portal/remedies/:id',
      access: 'remedies:portal',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const remedy = await remedies.get(actor, params.id);
        return reply.render('remedies/views/portal-remedy.njk', { remedy });
      },
    }),
    form({
      url: '/portal/remedies/:id/evidence',
      access: 'remedies:portal',
      params: withId,
      // A multipart form: its fields are read with the file (readUpload), not as a body.
      body: z.unknown(),
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      back: ({ params }) => `${portalPage(params.id)}#send-evidence`,
      action: async ({ actor, params }, request) => {
        // The portal's evidence is a document with a description of what it shows.
        const upload = await readUpload(services.files, request);
        if (!upload || upload.filename === '')
          throw invalid([{ field: 'file', message: 'Select the document that shows the remedy was carried out' }]);
        const fields = parseForm(evidenceForm, upload.fields);
        const result = await remedies.submitEvidence(actor, params.id, {
          description: fields.description,
          file: { content: upload.bytes, filename: upload.filename },
        });
        return {
          to: portalPage(params.id),
          notice: result.late
            ? 'Your evidence has been sent. It arrived after the due date, so the remedy is recorded as late.'
            : 'Your evidence has been sent. The ombudsman will tell you when it has been reviewed.',
        };
      },
    }),
    ...(['portal', 'staff'] as const).map((face) =>
      page({
        url: `/${face}/remedies/:id/documents/:documentId`,
        access: face === 'portal' ? 'remedies:portal' : 'remedies:read',
        params: documentParams,
        handler: async ({ actor, params }, _request, reply) => {
          const { document, stream } = await remedies.openDocument(actor, params.id, params.documentId);
          return sendDocument(reply, document, stream);
        },
      }),
    ),
  ];
}
