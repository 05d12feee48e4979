import { simpleParser } from 'mailparser';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import { safeFilename } from '../../platform/files/sniff.ts';
import { autoReplyReason, fromNullSender, parseDsn } from '../../platform/mail/classify.ts';
import { PARSE_OPTIONS, type ParsedMessage } from '../../platform/mail/parse.ts';
import {
  outboxIdFromBounceAddress,
  outboxIdFromMessageId,
  replyTokenFromAddress,
  threadIdFromMessageId,
} from '../../platform/mail/reply-address.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { applyDsn } from './bounces.ts';
import { SYSTEM, ensureThread, rawOf, type CorrespondenceContext } from './context.ts';
import type { CorrespondenceRepository, ThreadRow } from './correspondence.repository.ts';
import { bareAddress, caseReferenceInSubject, type HoldReason } from './domain.ts';
import type { InboundMeta, InboundRepository } from './inbound.repository.ts';

// Filing inbound mail: a delivery report updates its delivery, a reply goes on its case thread, and
// anything else waits in the holding pen.

export type FilingOutcome =
  | { status: 'filed'; threadId: string; itemId: string; autoReply: boolean }
  | { status: 'held'; reason: HoldReason }
  | { status: 'bounce' }
  | { status: 'skipped' };

const headerOf =
  (parsed: ParsedMessage) =>
  (name: string): string | undefined => {
    const value = parsed.headers.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').join(', ') : undefined;
  };

/** The sender's bare address (lower case): the From header's, else the envelope's; null if neither has one. */
const senderOf = (inbound: InboundMeta): string | null =>
  bareAddress(inbound.from_address) ?? bareAddress(inbound.envelope_from);

/** The addresses a message was sent to, as written: its envelope's, then its To and Cc headers'. */
const recipientsOf = (inbound: InboundMeta): string[] => [
  ...inbound.envelope_to,
  ...(inbound.to_addresses ?? '').split(/[,;]/),
];

/** Whether `sender` (lower case) is a party to the complaint. */
async function isParty(repo: CorrespondenceRepository, complaintId: string, sender: string): Promise<boolean> {
  return (await repo.parties(complaintId)).some((p) => p.email?.toLowerCase() === sender);
}

/** Files every stored message not yet processed (e.g. if filing failed when it arrived). */
export async function fileUnprocessed(ctx: CorrespondenceContext, limit: number): Promise<number> {
  const rows = await ctx.inbound.unprocessedInbound(limit);
  for (const row of rows) await fileInbound(ctx, row.id);
  return rows.length;
}

/**
 * Decides where one stored inbound message goes: a delivery report updates its delivery; a reply
 * is filed on its case thread (by reply address, then In-Reply-To/References, then the case
 * reference in the subject) if its sender is someone the thread writes to; anything else waits in
 * the holding pen. Automatic replies are filed but never count as a response; nothing is ever sent
 * back to any inbound message.
 */
export async function fileInbound(
  ctx: CorrespondenceContext,
  inboundId: string,
  parsedMail?: ParsedMessage,
): Promise<FilingOutcome> {
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const inboundRepo = ctx.inbound.with(trx);
    const inbound = await inboundRepo.lockInboundMeta(inboundId);
    if (!inbound || inbound.status !== 'unfiled') return { status: 'skipped' } as const;
    const now = ctx.clock.now();

    const bounceTo = inbound.envelope_to
      .map((a) => outboxIdFromBounceAddress(a, ctx.settings.domain))
      .find((id): id is string => id !== null);
    // The raw source is read back only when it is needed: a delivery report, or nothing parsed yet.
    const maybeReport =
      !parsedMail || bounceTo !== undefined || /multipart\/report/i.test(headerOf(parsedMail)('content-type') ?? '');
    const raw = maybeReport ? await rawOf(ctx, inboundRepo, inbound) : null;
    const dsn = raw ? parseDsn(raw) : null;
    if (dsn || bounceTo) {
      const outboxId =
        bounceTo ?? (dsn?.originalMessageId ? outboxIdFromMessageId(dsn.originalMessageId, ctx.settings.domain) : null);
      const handled = dsn && outboxId ? await applyDsn(ctx, trx, outboxId, dsn) : false;
      if (handled) {
        await inboundRepo.updateInbound(inbound.id, { status: 'bounce', processed_at: now });
        return { status: 'bounce' } as const;
      }
      if (dsn || fromNullSender(inbound.envelope_from)) {
        await hold(ctx, trx, inbound, 'unknown-bounce', null);
        return { status: 'held', reason: 'unknown-bounce' } as const;
      }
    }

    const parsed = parsedMail ?? (await simpleParser(raw ?? (await rawOf(ctx, inboundRepo, inbound)), PARSE_OPTIONS));
    const autoReason = autoReplyReason({
      header: headerOf(parsed),
      subject: inbound.subject,
      envelopeFrom: inbound.envelope_from,
    });
    const thread = await matchThread(ctx, repo, inboundRepo, inbound);
    if (!thread) {
      await hold(ctx, trx, inbound, 'no-match', autoReason);
      return { status: 'held', reason: 'no-match' } as const;
    }
    const sender = senderOf(inbound);
    if (!sender || !(await isCorrespondent(repo, inboundRepo, thread, sender))) {
      await inboundRepo.updateInbound(inbound.id, { thread_id: thread.id });
      await hold(ctx, trx, inbound, 'unknown-sender', autoReason);
      return { status: 'held', reason: 'unknown-sender' } as const;
    }
    const itemId = await fileOnto(ctx, trx, inbound, parsed, thread, autoReason, null);
    return { status: 'filed', threadId: thread.id, itemId, autoReply: autoReason !== null } as const;
  });
}

async function matchThread(
  ctx: CorrespondenceContext,
  repo: CorrespondenceRepository,
  inboundRepo: InboundRepository,
  inbound: InboundMeta,
): Promise<ThreadRow | null> {
  const domain = ctx.settings.domain;
  // 1. The reply address: case+<token>@domain, in the envelope or the To/Cc header.
  for (const candidate of recipientsOf(inbound)) {
    const address = bareAddress(candidate) ?? candidate;
    const token = replyTokenFromAddress(address, domain);
    if (!token) continue;
    const thread = await inboundRepo.threadByToken(token);
    if (thread) return thread;
  }
  // 2. In-Reply-To, then References, newest first.
  const ids = [inbound.in_reply_to, ...[...inbound.message_references].reverse()].filter((v): v is string => !!v);
  for (const id of ids) {
    const threadId = threadIdFromMessageId(id, domain);
    if (threadId) {
      const thread = await repo.thread(threadId);
      if (thread) return thread;
    }
    const outboxId = outboxIdFromMessageId(id, domain);
    if (outboxId) {
      const delivery = await repo.deliveryByOutbox(outboxId);
      const item = delivery ? await repo.item(delivery.item_id) : undefined;
      const thread = item ? await repo.thread(item.thread_id) : undefined;
      if (thread) return thread;
    }
    const earlier = await inboundRepo.itemByMessageId(id);
    if (earlier) {
      const thread = await repo.thread(earlier.thread_id);
      if (thread) return thread;
    }
  }
  // 3. A case reference in the subject: the complainant's thread if they sent it, else the authority's.
  const reference = caseReferenceInSubject(inbound.subject);
  if (!reference) return null;
  const complaint = await repo.complaintByReference(reference);
  if (!complaint) return null;
  const sender = bareAddress(inbound.from_address);
  const fromParty = sender !== null && (await isParty(repo, complaint.id, sender));
  return ensureThread(ctx, repo, complaint, fromParty ? 'complainant' : 'authority');
}

/** Whether `sender` is someone the thread writes to (now or before). */
async function isCorrespondent(
  repo: CorrespondenceRepository,
  inboundRepo: InboundRepository,
  thread: ThreadRow,
  sender: string,
): Promise<boolean> {
  if ((await inboundRepo.threadAddresses(thread.id)).includes(sender)) return true;
  if (thread.audience === 'complainant') return isParty(repo, thread.complaint_id, sender);
  return (await inboundRepo.authorityAddresses(thread.authority_id)).includes(sender);
}

async function hold(
  ctx: CorrespondenceContext,
  trx: Tx,
  inbound: InboundMeta,
  reason: HoldReason,
  autoReason: string | null,
): Promise<void> {
  await ctx.inbound.with(trx).updateInbound(inbound.id, {
    status: 'held',
    hold_reason: reason,
    auto_reply_reason: autoReason,
    processed_at: ctx.clock.now(),
  });
  await writeAudit(trx, {
    actor: SYSTEM,
    action: 'inbound-mail.held',
    recordType: 'inbound-message',
    recordId: inbound.id,
  });
}

/** Files a message on a thread: an inbound item, its attachments as case documents. */
export async function fileOnto(
  ctx: CorrespondenceContext,
  trx: Tx,
  inbound: InboundMeta,
  parsed: ParsedMessage,
  thread: ThreadRow,
  autoReason: string | null,
  actor: Actor | null,
): Promise<string> {
  const repo = ctx.repo.with(trx);
  const inboundRepo = ctx.inbound.with(trx);
  const now = ctx.clock.now();
  const fromAddress = senderOf(inbound);
  // Who sent it, as the case knows them today: kept with the item, so the timeline names the role
  // they held when they wrote.
  const sender = fromAddress ? await inboundRepo.sender(thread.complaint_id, thread.authority_id, fromAddress) : null;
  const item = await repo.insertItem({
    thread_id: thread.id,
    complaint_id: thread.complaint_id,
    authority_id: thread.authority_id,
    direction: 'inbound',
    kind: 'reply',
    subject: inbound.subject ?? '(no subject)',
    text_body: inbound.text_body ?? parsed.text ?? '',
    html_body: null,
    from_address: fromAddress,
    sender_role: sender?.role ?? null,
    sender_name: sender?.name ?? null,
    message_id: inbound.message_id,
    inbound_message_id: inbound.id,
    auto_reply_reason: autoReason,
    counts_as_response: autoReason === null,
    created_by: actor?.type === 'user' ? actor.id : null,
    created_at: inbound.received_at,
  });
  for (const attachment of parsed.attachments) {
    if (attachment.related && !attachment.filename) continue; // inline images of an HTML body
    const filename = attachment.filename ?? 'attachment';
    try {
      const document = await ctx.deps.files.store(trx, attachment.content, {
        filename,
        complaintId: thread.complaint_id,
        authorityId: thread.authority_id,
        uploadedBy: actor,
        description: 'Received by email',
      });
      await inboundRepo.insertAttachment({
        item_id: item.id,
        document_id: document.id,
        filename: document.filename,
        content_type: document.content_type,
        size: document.size,
        rejected_reason: null,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await inboundRepo.insertAttachment({
        item_id: item.id,
        document_id: null,
        // A refused attachment keeps its name as the files service would have stored it.
        filename: safeFilename(filename, 'bin'),
        content_type: attachment.contentType,
        size: attachment.size,
        rejected_reason: error.fields[0]?.message ?? error.message,
      });
    }
  }
  await inboundRepo.updateInbound(inbound.id, {
    status: 'filed',
    thread_id: thread.id,
    auto_reply_reason: autoReason,
    processed_at: now,
    ...(actor ? { decided_by: actor.type === 'user' ? actor.id : null, decided_at: now } : {}),
  });
  await writeAudit(trx, {
    actor: actor ? auditActor(actor) : SYSTEM,
    action: autoReason ? 'correspondence.auto-reply-filed' : 'correspondence.filed',
    recordType: 'correspondence-item',
    recordId: item.id,
    authorityId: thread.authority_id,
    requestId: actor?.requestId ?? null,
  });
  const toAddresses = recipientsOf(inbound)
    .map((a) => bareAddress(a))
    .filter((a): a is string => a !== null);
  for (const hook of ctx.inboundFiledHooks) {
    await hook(trx, {
      itemId: item.id,
      complaintId: thread.complaint_id,
      audience: thread.audience,
      fromAddress,
      toAddresses,
      receivedAt: inbound.received_at,
    });
  }
  return item.id;
}
