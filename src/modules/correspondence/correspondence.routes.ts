import { Readable } from 'node:stream';
import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import type { PageRoute } from '../../http/routes.ts';
import { sendDocument } from '../../http/uploads.ts';
import { notFound } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import { staffCaseContext } from '../complaints/case-context.ts';
import { holdReasonText, RECIPIENT_ROLE_NAMES } from './domain.ts';
import { assignForm, composeForm, discardForm, idParams, listQuery } from './correspondence.schemas.ts';

const STATUS_CLASSES: Record<string, string> = {
  queued: 'govuk-tag--blue',
  sending: 'govuk-tag--light-blue',
  sent: 'govuk-tag--green',
  opened: 'govuk-tag--turquoise',
  deferred: 'govuk-tag--yellow',
  held: 'govuk-tag--yellow',
  bounced: 'govuk-tag--red',
  failed: 'govuk-tag--red',
  unknown: 'govuk-tag--orange',
};

const id = (params: unknown, what: string) => {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw notFound(what);
  return parsed.data.id;
};

/** Case correspondence for staff, the holding pen, and what the authority has been sent. */
export function correspondenceRoutes(services: Services): PageRoute[] {
  const { correspondence } = services;
  return [
    {
      method: 'GET',
      url: '/staff/complaints/:id/correspondence',
      access: 'complaints:read',
      handler: async (request, reply) => {
        // The case's Correspondence tab: the case page's header and tabs, then every message in and out.
        const complaintId = id(request.params, 'The complaint');
        const [ctx, correspondenceView] = await Promise.all([
          staffCaseContext(services, request, 'correspondence'),
          correspondence.caseCorrespondence(request.actor, complaintId),
        ]);
        return reply.render('correspondence/views/case.njk', {
          ...ctx,
          correspondence: correspondenceView,
          statusClasses: STATUS_CLASSES,
          roleNames: RECIPIENT_ROLE_NAMES,
          canWrite: can(request.actor, 'holding-pen:triage'),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/correspondence',
      access: 'holding-pen:triage',
      handler: async (request, reply) => {
        const complaintId = id(request.params, 'The complaint');
        const back = `/staff/complaints/${complaintId}/correspondence`;
        return handleForm(request, reply, `${back}#write`, async () => {
          const input = parseForm(composeForm, request.body);
          await correspondence.compose(request.actor as NonNullable<typeof request.actor>, complaintId, input);
          reply.setFlash({ notice: 'Your message has been queued to send.' });
          return back;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/holding-pen',
      access: 'holding-pen:triage',
      handler: async (request, reply) => {
        const query = parseForm(listQuery, request.query);
        const page = await correspondence.holdingPen(request.actor, query);
        return reply.render('correspondence/views/holding-pen.njk', {
          page,
          reasonText: holdReasonText,
          firstPage: query.cursor === undefined,
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/holding-pen/:id',
      access: 'holding-pen:triage',
      handler: async (request, reply) => {
        const message = await correspondence.heldMessage(request.actor, id(request.params, 'The message'));
        return reply.render('correspondence/views/held.njk', {
          message,
          reason: holdReasonText(message.holdReason, message.unreadableReason),
        });
      },
    },
    {
      // The message exactly as it was received, to open in a mail program: never shown in the page.
      method: 'GET',
      url: '/staff/holding-pen/:id/source',
      access: 'holding-pen:triage',
      handler: async (request, reply) => {
        const { filename, source } = await correspondence.heldSource(request.actor, id(request.params, 'The message'));
        return sendDocument(
          reply,
          { filename, content_type: 'message/rfc822', size: source.length },
          Readable.from([source]),
        );
      },
    },
    {
      method: 'POST',
      url: '/staff/holding-pen/:id/assign',
      access: 'holding-pen:triage',
      handler: async (request, reply) => {
        const messageId = id(request.params, 'The message');
        return handleForm(request, reply, `/staff/holding-pen/${messageId}`, async () => {
          const input = parseForm(assignForm, request.body);
          const { complaintId } = await correspondence.assign(request.actor, messageId, input);
          reply.setFlash({ notice: 'The message has been filed on the case.' });
          return `/staff/complaints/${complaintId}/correspondence`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/holding-pen/:id/discard',
      access: 'holding-pen:triage',
      handler: async (request, reply) => {
        const messageId = id(request.params, 'The message');
        return handleForm(request, reply, `/staff/holding-pen/${messageId}`, async () => {
          const input = parseForm(discardForm, request.body);
          await correspondence.discard(request.actor, messageId, input.reason);
          reply.setFlash({ notice: 'The message has been discarded.' });
          return '/staff/holding-pen';
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/correspondence',
      access: 'portal:complaints',
      handler: async (request, reply) => {
        const query = parseForm(listQuery, request.query);
        const page = await correspondence.portalList(request.actor, query);
        return reply.render('correspondence/views/portal-list.njk', { page, firstPage: query.cursor === undefined });
      },
    },
    {
      // A case's Correspondence in the portal: the authority's own thread (what was sent to the
      // authority's people and what they replied), never the complainant's.
      method: 'GET',
      url: '/portal/complaints/:id/correspondence',
      access: 'portal:complaints',
      handler: async (request, reply) => {
        const view = await correspondence.caseCorrespondence(request.actor, id(request.params, 'The complaint'));
        return reply.render('correspondence/views/portal-case.njk', { view });
      },
    },
    {
      method: 'GET',
      url: '/portal/correspondence/:id',
      access: 'portal:complaints',
      handler: async (request, reply) => {
        const item = await correspondence.portalItem(request.actor, id(request.params, 'The message'));
        return reply.render('correspondence/views/portal-item.njk', { item });
      },
    },
  ];
}
