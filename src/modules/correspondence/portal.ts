import { z } from 'zod';
import { writeAudit } from '../../platform/audit/audit.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage } from '../../platform/pagination.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import type { CorrespondenceContext } from './context.ts';
import { kindName } from './domain.ts';

// What the ombudsman has sent an authority, read in its portal.

const portalCursor = z.tuple([z.string(), z.uuid()]);

function assertPortal(actor: Actor | null): asserts actor is Actor & { authorityId: string } {
  if (!actor || actor.authorityId === null || !can(actor, 'portal:complaints')) throw forbidden();
}

/** What the ombudsman has sent to the actor's authority, newest first. */
export async function portalList(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  query: { cursor?: string | undefined; limit: number },
) {
  assertPortal(actor);
  const after = query.cursor ? decodeCursor(query.cursor, portalCursor) : null;
  const rows = await ctx.repo.portalItems(actor.authorityId, query.limit + 1, after);
  return toPage(
    rows.map((r) => ({ ...r, kindName: kindName(r.kind) })),
    query.limit,
    (r) => [r.created_key, r.id],
  );
}

/**
 * One item sent to the actor's authority; opening it records that the actor's own delivery was
 * opened. Items of a case the authority was not told of (closed as invalid or out of jurisdiction)
 * are not found, like any other authority's.
 */
export async function portalItem(ctx: CorrespondenceContext, actor: Actor | null, itemId: string) {
  assertPortal(actor);
  const repo = ctx.repo;
  const item = await repo.item(itemId);
  const [thread, complaint] = item
    ? await Promise.all([repo.thread(item.thread_id), repo.complaint(item.complaint_id)])
    : [undefined, undefined];
  if (
    !item ||
    !thread ||
    !complaint ||
    item.authority_id !== actor.authorityId ||
    thread.audience !== 'authority' ||
    item.direction !== 'outbound' ||
    !(await repo.caseTold(complaint.id))
  ) {
    throw notFound('The message');
  }
  if (actor.type === 'user') {
    const mine = await repo.addressesOfUser(actor.id);
    if (mine.length > 0) {
      await ctx.db.transaction().execute(async (trx) => {
        const opened = await repo.with(trx).markDeliveriesOpened(item.id, mine, ctx.clock.now());
        for (const d of opened) {
          await writeAudit(trx, {
            actor: auditActor(actor),
            action: 'correspondence.opened',
            recordType: 'correspondence-delivery',
            recordId: d.id,
            authorityId: item.authority_id,
            requestId: actor.requestId ?? null,
          });
        }
      });
    }
  }
  const attachments = await repo.attachmentsOfItems([item.id]);
  return {
    id: item.id,
    subject: item.subject,
    text: item.text_body,
    kindName: kindName(item.kind),
    createdAt: item.created_at,
    reference: complaint.reference,
    complaintId: item.complaint_id,
    attachments: attachments.filter((a) => a.document_id !== null),
  };
}
