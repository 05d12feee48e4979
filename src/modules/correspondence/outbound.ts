import { writeAudit } from '../../platform/audit/audit.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import { forbidden, invalid, notFound } from '../../platform/errors.ts';
import { letterPdf } from '../../platform/mail/letter-pdf.ts';
import { replyAddress, threadMessageId } from '../../platform/mail/reply-address.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { SYSTEM, ensureThread, type CorrespondenceContext, type Recipient } from './context.ts';
import type { ItemRow } from './correspondence.repository.ts';
import {
  audienceOf,
  caseReferenceInSubject,
  isAutomatic,
  isLetter,
  textToHtml,
  type Addressee,
  type ItemKind,
  type NewItem,
} from './domain.ts';
import { resolveRecipients } from './recipients.ts';

// Writing items on a case and sending them: roles are resolved to addresses when the item goes out,
// with one delivery record and one outbox message per recipient.

/**
 * Writes an outgoing item on a case, in the caller's transaction (`db`), and queues its sending.
 * Nothing is addressed yet: the roles are resolved to addresses when the job sends it. Returns the
 * item's id. The subject gains the case reference if it lacks one, so replies can be matched by it.
 */
export async function write(ctx: CorrespondenceContext, db: DbOrTx, input: NewItem): Promise<string> {
  const repo = ctx.repo.with(db);
  const addressees = [...new Set(input.addressees)];
  if (addressees.length === 0) throw invalid([{ field: 'addressees', message: 'Select who the message is for' }]);
  if (addressees.includes('complainant') && addressees.length > 1) {
    throw invalid([{ field: 'addressees', message: 'Write to the complainant separately from the authority' }]);
  }
  const complaint = await repo.complaint(input.complaintId);
  if (!complaint) throw notFound('The complaint');
  const thread = await ensureThread(ctx, repo, complaint, audienceOf(addressees));
  const subject = caseReferenceInSubject(input.subject)
    ? input.subject
    : `${input.subject} (our reference ${complaint.reference})`;
  const item = await repo.insertItem({
    thread_id: thread.id,
    complaint_id: complaint.id,
    authority_id: complaint.authority_id,
    direction: 'outbound',
    kind: input.kind,
    addressees,
    is_letter: isLetter(addressees) || input.letter === true,
    subject,
    text_body: input.text,
    html_body: textToHtml(input.text, { title: subject }),
    message_id: input.inReplyToItemId ? ((await repo.item(input.inReplyToItemId))?.message_id ?? null) : null,
    created_by: input.actor?.type === 'user' ? input.actor.id : null,
    created_at: ctx.clock.now(),
  });
  await writeAudit(db, {
    actor: input.actor ? auditActor(input.actor) : SYSTEM,
    action: 'correspondence.written',
    recordType: 'correspondence-item',
    recordId: item.id,
    authorityId: complaint.authority_id,
    requestId: input.actor?.requestId ?? null,
  });
  await ctx.deps.jobs.enqueue(db, ctx.dispatchJob, { itemId: item.id });
  return item.id;
}

/** Staff writing to a case's authority or complainant from the correspondence page. */
export async function compose(
  ctx: CorrespondenceContext,
  actor: Actor,
  complaintId: string,
  input: { addressee: Addressee; subject: string; text: string },
): Promise<string> {
  if (actor.authorityId !== null || !can(actor, 'holding-pen:triage')) throw forbidden();
  return ctx.db.transaction().execute((trx) =>
    write(ctx, trx, {
      complaintId,
      kind: 'message',
      addressees: [input.addressee],
      subject: input.subject,
      text: input.text,
      actor,
    }),
  );
}

/** Items written but not yet addressed (e.g. written while no worker ran), for the periodic sweep. */
export async function dispatchPending(ctx: CorrespondenceContext, limit: number): Promise<number> {
  const rows = await ctx.repo.undispatchedItems(limit);
  for (const row of rows) await dispatch(ctx, row.id);
  return rows.length;
}

/**
 * Resolves an item's roles to today's addresses and writes one delivery and one outbox message per
 * recipient, in one transaction. Idempotent: a second run finds the item dispatched and does nothing.
 */
export async function dispatch(ctx: CorrespondenceContext, itemId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const item = await repo.lockItem(itemId);
    if (!item || item.direction !== 'outbound' || item.dispatched_at) return;
    const recipients = await resolveRecipients(
      ctx,
      repo,
      item.authority_id,
      item.complaint_id,
      item.addressees as Addressee[],
    );
    for (const recipient of recipients) await deliver(ctx, trx, item, recipient, null);
    await repo.markDispatched(item.id, ctx.clock.now());
  });
}

/** One recipient: its delivery row and its outbox message (idempotent per item and address). */
export async function deliver(
  ctx: CorrespondenceContext,
  trx: Tx,
  item: ItemRow,
  recipient: Recipient,
  fallbackFor: string | null,
): Promise<void> {
  const repo = ctx.repo.with(trx);
  const delivery = await repo.insertDelivery({
    item_id: item.id,
    authority_id: item.authority_id,
    recipient_role: recipient.role,
    link_officer_id: recipient.linkOfficerId,
    address: recipient.address,
    fallback_for: fallbackFor,
    created_at: ctx.clock.now(),
  });
  if (!delivery) return;
  const thread = await repo.thread(item.thread_id);
  const complaint = await repo.complaint(item.complaint_id);
  if (!thread || !complaint) return;
  const references = [threadMessageId(thread.id, ctx.settings.domain)];
  if (item.message_id) references.push(item.message_id);
  const headers: Record<string, string> = {
    'Reply-To': replyAddress(thread.reply_token, ctx.settings.domain),
    References: references.join(' '),
    'X-Liaison-Case': complaint.reference,
  };
  if (item.message_id) headers['In-Reply-To'] = item.message_id;
  if (isAutomatic(item.kind as ItemKind)) {
    headers['Auto-Submitted'] = 'auto-generated';
    // Ask mail servers not to answer a robot with a robot.
    headers['X-Auto-Response-Suppress'] = 'OOF, AutoReply';
  }
  const attachments = item.is_letter
    ? [
        {
          filename: `letter-${complaint.reference.replace(/ /g, '')}.pdf`,
          contentType: 'application/pdf',
          content: letterPdf({ title: item.subject, body: item.text_body }),
        },
      ]
    : [];
  const outboxId = await ctx.deps.mail.enqueue(trx, {
    kind: `correspondence.${item.kind}`,
    to: recipient.address,
    subject: item.subject,
    text: item.text_body,
    // Items written in bulk by SQL (reminders) leave the HTML to be made here.
    html: item.html_body ?? textToHtml(item.text_body, { title: item.subject }),
    headers,
    // Keyed by the delivery (one per item and recipient), never by the address, which erasure removes.
    idempotencyKey: `correspondence-delivery:${delivery.id}`,
    attachments,
  });
  if (outboxId) await repo.setDeliveryOutbox(delivery.id, outboxId);
}
