import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { pageQuery } from '../../platform/pagination.ts';
import { ADDRESSEES, ITEM_KINDS, type HoldReason } from './domain.ts';

const delivery = z.object({
  address: z.string().describe('Where it went ("[erased]:…" once the person is erased)'),
  role: z.enum([
    'link-officer',
    'cover',
    'generic-inbox',
    'chief-executive',
    'monitoring-officer',
    'head-of-service',
    'complainant',
    'representative',
  ]),
  status: z
    .enum(['queued', 'sending', 'sent', 'deferred', 'bounced', 'held', 'failed', 'unknown', 'opened'])
    .describe('held: no mail server is configured; unknown: the sender stopped mid-send, so it may not have gone'),
  smtpResponse: z.string().nullable().describe('The mail server’s answer when it accepted or refused the message'),
  bounceStatus: z.string().nullable().describe('Enhanced status code of a delivery report, e.g. 5.1.1'),
  sentAt: z.iso.datetime().nullable(),
  bouncedAt: z.iso.datetime().nullable(),
  openedAt: z.iso.datetime().nullable().describe('When the recipient opened it in the portal'),
  fallback: z.boolean().describe('Sent because an earlier recipient’s address bounced'),
});

const attachment = z.object({
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  documentId: z.uuid().nullable().describe('The case document; null when the attachment was refused'),
  rejectedReason: z.string().nullable(),
});

export const apiCorrespondenceItem = z.object({
  id: z.uuid(),
  direction: z.enum(['outbound', 'inbound']),
  audience: z.enum(['authority', 'complainant']),
  kind: z.enum(ITEM_KINDS),
  addressees: z.array(z.enum(ADDRESSEES)).describe('Outbound: the roles it was addressed to'),
  isLetter: z.boolean(),
  subject: z.string(),
  from: z.string().nullable().describe('Inbound: the sender'),
  autoReply: z.boolean().describe('Inbound: an automatic reply, which does not count as a response'),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
  receivedAt: z.iso.datetime().nullable(),
  attachments: z.array(attachment),
  deliveries: z.array(delivery).describe('Outbound: one entry per recipient'),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A case's correspondence and the holding pen over the API. */
export function correspondenceApi(services: Services): ApiRoute[] {
  const { correspondence } = services;
  return [
    apiRoute({
      method: 'GET',
      url: '/complaints/:id/correspondence',
      access: 'signed-in',
      summary: 'A case’s correspondence, oldest first, with each recipient’s delivery status',
      description:
        'Staff tokens that read cases see both sides of the case; an authority’s own token sees what passed between the ombudsman and the authority on its own cases.',
      tags: ['Correspondence'],
      params: z.object({ id: z.uuid({ error: 'Must be a complaint id' }) }),
      response: z.object({ items: z.array(apiCorrespondenceItem) }),
      handler: async ({ actor, params }) => {
        const { items } = await correspondence.caseCorrespondence(actor, params.id);
        return {
          items: items.map((i) => ({
            id: i.id,
            direction: i.direction,
            audience: i.audience,
            kind: i.kind,
            addressees: i.addressees,
            isLetter: i.isLetter,
            subject: i.subject,
            from: i.from,
            autoReply: i.autoReplyReason !== null,
            createdAt: i.createdAt.toISOString(),
            sentAt: iso(i.sentAt),
            receivedAt: iso(i.receivedAt),
            attachments: i.attachments,
            deliveries: i.deliveries.map((d) => ({
              address: d.address,
              role: d.role,
              status: d.status,
              smtpResponse: d.smtpResponse,
              bounceStatus: d.bounceStatus,
              sentAt: iso(d.sentAt),
              bouncedAt: iso(d.bouncedAt),
              openedAt: iso(d.openedAt),
              fallback: d.fallback,
            })),
          })),
        };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/holding-pen',
      access: 'holding-pen:triage',
      summary: 'Inbound mail waiting to be filed on a case, newest first',
      tags: ['Correspondence'],
      query: pageQuery,
      response: z.object({
        items: z.array(
          z.object({
            id: z.uuid(),
            receivedAt: z.iso.datetime(),
            from: z.string().nullable(),
            subject: z.string().nullable(),
            reason: z.enum(['no-match', 'unknown-sender', 'unknown-bounce', 'unreadable']),
            unreadableReason: z
              .string()
              .nullable()
              .describe('Why the message could not be read (for the reason `unreadable`); null otherwise'),
            autoReply: z.boolean(),
          }),
        ),
        total: z.number().int(),
        nextCursor: z.string().nullable(),
      }),
      handler: async ({ actor, query }) => {
        const page = await correspondence.holdingPen(actor, query);
        return {
          items: page.items.map((m) => ({
            id: m.id,
            receivedAt: m.received_at.toISOString(),
            from: m.from_address,
            subject: m.subject,
            reason: (m.hold_reason ?? 'no-match') as HoldReason,
            unreadableReason: m.hold_reason === 'unreadable' ? m.unreadable_reason : null,
            autoReply: m.auto_reply_reason !== null,
          })),
          total: page.total,
          nextCursor: page.nextCursor,
        };
      },
    }),
  ];
}
