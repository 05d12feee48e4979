import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { writeAudit } from '../../platform/audit/audit.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { PARSE_OPTIONS } from '../../platform/mail/parse.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { ensureThread, rawOf, type CorrespondenceContext } from './context.ts';
import { caseReferenceInSubject, type Audience, type HoldReason } from './domain.ts';
import { fileOnto } from './inbound-filing.ts';
import type { HeldListRow } from './inbound.repository.ts';

// The holding pen: mail that could not be filed by itself, for staff to file on a case or discard.

const heldCursor = z.tuple([z.string(), z.uuid()]);

/**
 * A message that could not be read is never filed on a case: what it says is unknown, and an empty
 * item would count as the authority's response. Staff read its source and discard it.
 */
const UNREADABLE_NOT_FILED =
  'This message could not be read, so it cannot be filed on a case. Download its source to read it, add anything it holds to the case yourself, then discard it.';

function assertTriage(actor: Actor | null): asserts actor is Actor {
  if (!actor || actor.authorityId !== null || !can(actor, 'holding-pen:triage')) throw forbidden();
}

export async function holdingPen(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  query: { cursor?: string | undefined; limit: number },
): Promise<Page<HeldListRow> & { total: number }> {
  assertTriage(actor);
  const after = query.cursor ? decodeCursor(query.cursor, heldCursor) : null;
  const [rows, total] = await Promise.all([ctx.inbound.held(query.limit + 1, after), ctx.inbound.countHeld()]);
  return { ...toPage(rows, query.limit, (r) => [r.received_key, r.id]), total };
}

export async function heldMessage(ctx: CorrespondenceContext, actor: Actor | null, id: string) {
  assertTriage(actor);
  const row = await ctx.inbound.inbound(id);
  if (!row || row.status !== 'held') throw notFound('The message');
  // A message the gateway could not read is not parsed again here: it would fail again.
  const unreadable = row.hold_reason === 'unreadable';
  const parsed = unreadable ? null : await simpleParser(await rawOf(ctx, ctx.inbound, row), PARSE_OPTIONS);
  const suggestion = row.thread_id
    ? await ctx.repo.thread(row.thread_id)
    : caseReferenceInSubject(row.subject)
      ? await ctx.repo.complaintByReference(caseReferenceInSubject(row.subject) ?? '')
      : undefined;
  const suggestedReference = suggestion
    ? 'reference' in suggestion
      ? suggestion.reference
      : ((await ctx.repo.complaint(suggestion.complaint_id))?.reference ?? null)
    : null;
  return {
    id: row.id,
    receivedAt: row.received_at,
    from: row.from_address,
    to: row.to_addresses,
    subject: row.subject,
    text: row.text_body,
    holdReason: row.hold_reason as HoldReason | null,
    autoReplyReason: row.auto_reply_reason,
    unreadableReason: unreadable ? (row.unreadable_reason ?? 'no reason was recorded') : null,
    attachments: (parsed?.attachments ?? [])
      .filter((a) => !(a.related && !a.filename))
      .map((a) => ({ filename: a.filename ?? 'attachment', contentType: a.contentType, size: a.size })),
    suggestedReference,
  };
}

/** A held message's source as it was received, to download (e.g. to read one that could not be parsed). */
export async function heldSource(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  id: string,
): Promise<{ filename: string; source: Buffer }> {
  assertTriage(actor);
  const row = await ctx.inbound.inbound(id);
  if (!row || row.status !== 'held') throw notFound('The message');
  return { filename: `message-${row.id}.eml`, source: await rawOf(ctx, ctx.inbound, row) };
}

/** Files a held message onto a case by its reference, on the authority's or the complainant's thread. */
export async function assign(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  id: string,
  input: { reference: string; audience: Audience },
): Promise<{ complaintId: string }> {
  assertTriage(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const inboundRepo = ctx.inbound.with(trx);
    const inbound = await inboundRepo.lockInbound(id);
    if (!inbound || inbound.status !== 'held') throw notFound('The message');
    if (inbound.hold_reason === 'unreadable') throw conflict(UNREADABLE_NOT_FILED);
    const reference = caseReferenceInSubject(input.reference);
    const complaint = reference ? await repo.complaintByReference(reference) : undefined;
    if (!complaint)
      throw invalid([{ field: 'reference', message: 'Enter the reference of an existing case, like 26 001 234' }]);
    const thread = await ensureThread(ctx, repo, complaint, input.audience);
    const parsed = await simpleParser(await rawOf(ctx, inboundRepo, inbound), PARSE_OPTIONS);
    await fileOnto(ctx, trx, inbound, parsed, thread, inbound.auto_reply_reason, actor);
    return { complaintId: complaint.id };
  });
}

export async function discard(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  id: string,
  reason: string,
): Promise<void> {
  assertTriage(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.inbound.with(trx);
    const inbound = await repo.lockInbound(id);
    if (!inbound || inbound.status !== 'held') throw notFound('The message');
    const now = ctx.clock.now();
    await repo.updateInbound(id, {
      status: 'discarded',
      discard_reason: reason,
      decided_by: actor.type === 'user' ? actor.id : null,
      decided_at: now,
    });
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'inbound-mail.discarded',
      recordType: 'inbound-message',
      recordId: id,
      requestId: actor.requestId ?? null,
    });
  });
}
