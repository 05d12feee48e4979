import type { Services } from '../../services.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { notFound } from '../../platform/errors.ts';
import type { Row } from '../../platform/db/schema.ts';
import { can } from '../accounts/domain.ts';
import { outboxListQuery, outboxMessageParams, resendForm } from './outbox.schemas.ts';

const STATUS_TAGS: Record<OutboxStatus, { text: string; classes: string }> = {
  queued: { text: 'Queued', classes: 'govuk-tag--blue' },
  sending: { text: 'Sending', classes: 'govuk-tag--light-blue' },
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  held: { text: 'Held', classes: 'govuk-tag--yellow' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
  // Handed to the mail server without an answer (the sender stopped): never sent again automatically,
  // only by an administrator who accepts that it may arrive twice.
  unknown: { text: 'Not known if sent', classes: 'govuk-tag--orange' },
};

type OutboxStatus = Row<'outbox_messages'>['status'];

/** Administrators' view of outgoing mail. */
export function outboxRoutes(services: Services): PageRoute[] {
  const { outbox } = services;
  return [
    page({
      url: '/staff/outbox',
      access: 'outbox:read',
      query: outboxListQuery,
      handler: async ({ actor, query }, _request, reply) => {
        return reply.render('outbox/views/list.njk', {
          page: await outbox.list(actor, query),
          statusTags: STATUS_TAGS,
          firstPage: query.cursor === undefined,
          smtpConfigured: services.mailSender.configured,
        });
      },
    }),
    page({
      url: '/staff/outbox/:id',
      access: 'outbox:read',
      params: outboxMessageParams,
      handler: async ({ actor, params }, _request, reply) => {
        const [message, attachments] = await Promise.all([
          outbox.get(actor, params.id),
          outbox.attachments(actor, params.id),
        ]);
        return reply.render('outbox/views/show.njk', {
          message,
          attachments,
          headers: Object.entries(message.headers),
          statusTag: STATUS_TAGS[message.status],
          canResend: message.status === 'unknown' && can(actor, 'outbox:resend'),
        });
      },
    }),
    // Sends a message of unknown delivery again (same Message-ID), once the box saying the
    // recipient may receive it twice is ticked; refused with the reason for any other message.
    form({
      url: '/staff/outbox/:id/resend',
      access: 'outbox:resend',
      params: outboxMessageParams,
      body: resendForm,
      back: ({ params }) => `/staff/outbox/${params.id}`,
      action: async ({ actor, params, body, back }) => {
        await outbox.resend(actor, params.id, { confirmed: body.confirm === 'yes' });
        return {
          to: back,
          notice: 'The message has been queued to be sent again, with the same Message-ID as before.',
        };
      },
    }),
    // The message's HTML as its recipient sees it, as a document of its own under a sandboxing
    // policy: no scripts, no forms, nothing loaded from anywhere, its own opaque origin.
    page({
      url: '/staff/outbox/:id/html',
      access: 'outbox:read',
      params: outboxMessageParams,
      handler: async ({ actor, params }, _request, reply) => {
        const message = await outbox.get(actor, params.id);
        if (!message.html_body) throw notFound('The HTML version');
        return reply
          .type('text/html; charset=utf-8')
          .header(
            'content-security-policy',
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
          )
          .header('cache-control', 'private, no-store')
          .send(message.html_body);
      },
    }),
  ];
}
