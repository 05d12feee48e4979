import { Readable } from 'node:stream';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { sendDocument } from '../../http/uploads.ts';
import { can } from '../accounts/domain.ts';
import { caseContext } from '../complaints/case-context.ts';
import { holdReasonText, RECIPIENT_ROLE_NAMES } from './domain.ts';
import { assignForm, composeForm, discardForm, listQuery } from './correspondence.schemas.ts';

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

/** Case correspondence for staff, the holding pen, and what the authority has been sent. */
export function correspondenceRoutes(services: Services): PageRoute[] {
  const { correspondence } = services;
  return [
    page({
      url: '/staff/complaints/:id/correspondence',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        // The case's Correspondence tab: the case page's header and tabs, then every message in and out.
        const [ctx, correspondenceView] = await Promise.all([
          caseContext(services, actor, params.id, 'correspondence'),
          correspondence.caseCorrespondence(actor, params.id),
        ]);
        return reply.render('correspondence/views/case.njk', {
          ...ctx,
          correspondence: correspondenceView,
          statusClasses: STATUS_CLASSES,
          roleNames: RECIPIENT_ROLE_NAMES,
          canWrite: can(actor, 'holding-pen:triage'),
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/correspondence',
      access: 'holding-pen:triage',
      params: withId,
      body: composeForm,
      back: ({ params }) => `/staff/complaints/${params.id}/correspondence#write`,
      action: async ({ actor, params, body }) => {
        await correspondence.compose(actor, params.id, body);
        return { to: `/staff/complaints/${params.id}/correspondence`, notice: 'Your message has been queued to send.' };
      },
    }),
    page({
      url: '/staff/holding-pen',
      access: 'holding-pen:triage',
      query: listQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const list = await correspondence.holdingPen(actor, query);
        return reply.render('correspondence/views/holding-pen.njk', {
          page: list,
          reasonText: holdReasonText,
          firstPage: query.cursor === undefined,
        });
      },
    }),
    page({
      url: '/staff/holding-pen/:id',
      access: 'holding-pen:triage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const message = await correspondence.heldMessage(actor, params.id);
        return reply.render('correspondence/views/held.njk', {
          message,
          reason: holdReasonText(message.holdReason, message.unreadableReason),
        });
      },
    }),
    page({
      // The message exactly as it was received, to open in a mail program: never shown in the page.
      url: '/staff/holding-pen/:id/source',
      access: 'holding-pen:triage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { filename, source } = await correspondence.heldSource(actor, params.id);
        return sendDocument(
          reply,
          { filename, content_type: 'message/rfc822', size: source.length },
          Readable.from([source]),
        );
      },
    }),
    form({
      url: '/staff/holding-pen/:id/assign',
      access: 'holding-pen:triage',
      params: withId,
      body: assignForm,
      back: ({ params }) => `/staff/holding-pen/${params.id}`,
      action: async ({ actor, params, body }) => {
        const { complaintId } = await correspondence.assign(actor, params.id, body);
        return {
          to: `/staff/complaints/${complaintId}/correspondence`,
          notice: 'The message has been filed on the case.',
        };
      },
    }),
    form({
      url: '/staff/holding-pen/:id/discard',
      access: 'holding-pen:triage',
      params: withId,
      body: discardForm,
      back: ({ params }) => `/staff/holding-pen/${params.id}`,
      action: async ({ actor, params, body }) => {
        await correspondence.discard(actor, params.id, body.reason);
        return { to: '/staff/holding-pen', notice: 'The message has been discarded.' };
      },
    }),
    page({
      url: '/portal/correspondence',
      access: 'portal:complaints',
      query: listQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const list = await correspondence.portalList(actor, query);
        return reply.render('correspondence/views/portal-list.njk', {
          page: list,
          firstPage: query.cursor === undefined,
        });
      },
    }),
    page({
      // A case's Correspondence in the portal: the authority's own thread (what was sent to the
      // authority's people and what they replied), never the complainant's.
      url: '/portal/complaints/:id/correspondence',
      access: 'portal:complaints',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const view = await correspondence.caseCorrespondence(actor, params.id);
        return reply.render('correspondence/views/portal-case.njk', { view });
      },
    }),
    page({
      url: '/portal/correspondence/:id',
      access: 'portal:complaints',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const item = await correspondence.portalItem(actor, params.id);
        return reply.render('correspondence/views/portal-item.njk', { item });
      },
    }),
  ];
}
