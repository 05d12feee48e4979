import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { statusKind, type Dsn } from '../../platform/mail/classify.ts';
import { retryDelayMs } from '../../platform/mail/sender.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { SYSTEM, type CorrespondenceContext } from './context.ts';
import type { DeliveryRow } from './correspondence.repository.ts';
import { RECIPIENT_ROLE_NAMES } from './domain.ts';
import { deliver } from './outbound.ts';
import { standInRecipients } from './recipients.ts';

// Delivery reports and refusals: a bounce marks its delivery and the failing address, and the item
// goes to whoever stands in; staff see the bounces and the authorities whose addresses fail.

const SENIOR_ROLES: readonly DeliveryRow['recipient_role'][] = [
  'chief-executive',
  'monitoring-officer',
  'head-of-service',
];
const AUTHORITY_ROLES: readonly DeliveryRow['recipient_role'][] = [
  'link-officer',
  'cover',
  'generic-inbox',
  'chief-executive',
];

/**
 * Applies a delivery report to the delivery of outbox message `outboxId`. A permanent failure marks
 * the delivery bounced, the link officer's address failing, and sends the item to whoever stands in;
 * a temporary one marks it deferred and, if the remote server gave up, queues it again with backoff.
 * Returns false when the report concerns no message of ours.
 */
export async function applyDsn(ctx: CorrespondenceContext, trx: Tx, outboxId: string, dsn: Dsn): Promise<boolean> {
  const repo = ctx.repo.with(trx);
  const bounces = ctx.bounces.with(trx);
  const outbox = await bounces.outboxMessage(outboxId);
  if (!outbox) return false;
  const now = ctx.clock.now();
  const delivery = await repo.deliveryByOutbox(outboxId);
  const report =
    dsn.recipients.find((r) => r.recipient === outbox.to_address.toLowerCase()) ?? dsn.recipients[0] ?? null;
  if (!report) return true;
  const kind = statusKind(report.status);
  if (!delivery) {
    // Mail outside correspondence (an invitation, say): the outbox keeps the report.
    if (kind !== 'success')
      await bounces.noteOutboxBounce(outboxId, `Delivery report: ${report.status} ${report.diagnostic ?? ''}`.trim());
    return true;
  }
  if (kind === 'success') return true;
  if (kind === 'temporary') {
    await bounces.updateDelivery(delivery.id, { deferred_at: now });
    if (report.action === 'failed') {
      await bounces.requeueOutbox(
        outboxId,
        new Date(now.getTime() + retryDelayMs(outbox.attempts, ctx.settings.retryBaseSeconds)),
      );
    }
    return true;
  }
  await bounces.updateDelivery(delivery.id, {
    bounced_at: now,
    bounce_status: report.status,
    bounce_diagnostic: report.diagnostic?.slice(0, 1000) ?? null,
  });
  await writeAudit(trx, {
    actor: SYSTEM,
    action: 'correspondence.bounced',
    recordType: 'correspondence-delivery',
    recordId: delivery.id,
    authorityId: delivery.authority_id,
  });
  if (delivery.recipient_role === 'link-officer' || delivery.recipient_role === 'cover') {
    const marked = await bounces.markOfficerFailing(
      delivery.authority_id,
      delivery.recipient_role === 'link-officer' ? delivery.link_officer_id : null,
      delivery.address,
      report.status,
      now,
    );
    for (const officer of marked) {
      await writeAudit(trx, {
        actor: SYSTEM,
        action: 'link-officer.address-failing',
        recordType: 'link-officer',
        recordId: officer.id,
        authorityId: delivery.authority_id,
      });
    }
  }
  if (delivery.recipient_role === 'generic-inbox' || SENIOR_ROLES.includes(delivery.recipient_role)) {
    const inbox = delivery.recipient_role === 'generic-inbox';
    const marked = await bounces.markContactFailing(
      delivery.authority_id,
      inbox ? 'generic-inbox' : 'senior-officer',
      delivery.address,
      report.status,
      now,
    );
    for (const contact of marked) {
      await writeAudit(trx, {
        actor: SYSTEM,
        action: inbox ? 'authority.inbox-failing' : 'senior-officer.address-failing',
        recordType: inbox ? 'authority' : 'senior-officer',
        recordId: contact.id,
        authorityId: delivery.authority_id,
      });
    }
  }
  await fallBack(ctx, trx, delivery);
  return true;
}

/**
 * The relay refused outbox message `outboxId` for good as it was handed over (a 5xx answer, e.g.
 * `550 5.1.1 no such user`): for correspondence this is a bounce like any delivery report, so the
 * delivery is marked, the address marked failing on its contact, and the item falls back.
 */
export async function refusedAtSend(ctx: CorrespondenceContext, outboxId: string, response: string): Promise<void> {
  const status = /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1] ?? '5.0.0';
  await ctx.db.transaction().execute(async (trx) => {
    // Mail outside correspondence keeps the refusal on its outbox row alone (the sender wrote it).
    const delivery = await ctx.repo.with(trx).deliveryByOutbox(outboxId);
    if (!delivery || delivery.bounced_at) return;
    // The report's only recipient is the message's own (applyDsn takes it when no address matches).
    await applyDsn(ctx, trx, outboxId, {
      recipients: [
        { recipient: delivery.address.toLowerCase(), action: 'failed', status, diagnostic: response.trim() || null },
      ],
      originalMessageId: null,
    });
  });
}

/** After a bounce, if nobody at the authority still has the item, send it to whoever stands in. */
async function fallBack(ctx: CorrespondenceContext, trx: Tx, bounced: DeliveryRow): Promise<void> {
  if (!AUTHORITY_ROLES.includes(bounced.recipient_role)) return;
  const repo = ctx.repo.with(trx);
  const item = await repo.item(bounced.item_id);
  if (!item) return;
  const deliveries = await repo.deliveriesOfItem(item.id);
  const live = deliveries.filter(
    (d) => d.id !== bounced.id && !d.bounced_at && AUTHORITY_ROLES.includes(d.recipient_role),
  );
  if (live.length > 0) return;
  const already = new Set(deliveries.map((d) => d.address.toLowerCase()));
  const candidates = await standInRecipients(ctx, repo, item.authority_id, already);
  for (const candidate of candidates) await deliver(ctx, trx, item, candidate, bounced.id);
}

/** The mail an authority's contacts refused most recently (newest first), to help staff put an address right. */
export async function recentBounces(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  authorityId: string,
  limit: number,
) {
  if (!can(actor, 'link-officers:read')) return [];
  const rows = await ctx.bounces.recentBounces(authorityId, limit);
  return rows.map((r) => ({
    address: r.address,
    role: r.recipient_role,
    roleName: RECIPIENT_ROLE_NAMES[r.recipient_role],
    bouncedAt: r.bounced_at,
    status: r.bounce_status,
    subject: r.subject,
    complaintId: r.complaint_id,
  }));
}

/** Authorities with a link officer whose address bounces, for the staff home page. */
export async function bouncingAuthorities(ctx: CorrespondenceContext, actor: Actor | null, limit: number) {
  if (!can(actor, 'link-officers:read')) return null;
  return ctx.bounces.bouncingAuthorities(limit);
}
