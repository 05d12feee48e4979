import crypto from 'node:crypto';
import { writeAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { CONFIRM_DAYS, emailKey, keyOfToken, tokenFromUnsubscribeAddress, TOPICS, unsubscribeToken } from './domain.ts';
import { assertManage, sha256, type NewsletterContext } from './context.ts';
import { alreadySubscribedMail, confirmMail } from './newsletter.mail.ts';

// Subscribing (double opt-in), preferences, leaving (by link or by email) and the subscribers staff see.

const INVALID_CONFIRM =
  'This confirmation link is not valid. It may have been used already, have expired (links last 7 days) or have been copied wrongly. Subscribe again to get a new link.';
const INVALID_UNSUBSCRIBE =
  'This unsubscribe link is not valid: it may have been copied wrongly. Use the link in the newsletter’s latest email.';

/**
 * A request to subscribe: a confirmation link goes to the address (or, when it is already
 * subscribed, a note saying so with its preferences link). The caller learns nothing either way.
 */
export async function requestSubscription(
  ctx: NewsletterContext,
  input: { email: string; name: string | null; organisation: string | null },
): Promise<void> {
  const email = input.email.trim();
  const key = emailKey(email);
  const now = ctx.clock.now();
  const token = crypto.randomBytes(32).toString('base64url');
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.subscribers.with(trx);
    const row = await repo.requestSubscription({
      email,
      emailKey: key,
      name: input.name,
      organisation: input.organisation,
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + CONFIRM_DAYS * 86_400_000),
      now,
    });
    const idempotencyKey = `newsletter:confirm:${row.id}:${sha256(token).slice(0, 16)}`;
    if (row.status === 'confirmed') {
      const manage = `${ctx.settings.baseUrl}/newsletter/preferences/${unsubscribeToken(email, ctx.settings.secret)}`;
      await ctx.deps.mail.enqueue(trx, alreadySubscribedMail(email, manage, idempotencyKey));
    } else {
      await ctx.deps.mail.enqueue(
        trx,
        confirmMail(email, `${ctx.settings.baseUrl}/newsletter/confirm/${token}`, idempotencyKey),
      );
    }
  });
}

/** The pending request a confirmation link stands for; a used, expired or altered link is refused. */
export async function confirmation(ctx: NewsletterContext, token: string): Promise<{ email: string }> {
  const row = await ctx.subscribers.subscriberByToken(sha256(token));
  const now = ctx.clock.now();
  if (!row || row.status !== 'pending' || !row.confirm_expires_at || row.confirm_expires_at <= now)
    throw new DomainError('gone', INVALID_CONFIRM);
  return { email: row.email };
}

/** Confirms a subscription: the address receives the next issue (even if it once left). */
export async function confirm(ctx: NewsletterContext, token: string): Promise<{ manageToken: string }> {
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.subscribers.with(trx);
    const row = await repo.subscriberByToken(sha256(token));
    const now = ctx.clock.now();
    if (!row || row.status !== 'pending' || !row.confirm_expires_at || row.confirm_expires_at <= now)
      throw new DomainError('gone', INVALID_CONFIRM);
    await repo.confirm(row.id, now);
    await repo.unsuppress(row.email_key);
    await writeAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'newsletter-subscriber.confirmed',
      recordType: 'newsletter-subscriber',
      recordId: row.id,
    });
    return { manageToken: unsubscribeToken(row.email, ctx.settings.secret) };
  });
}

function keyOf(ctx: NewsletterContext, token: string): string {
  const key = keyOfToken(token, ctx.settings.secret);
  if (!key) throw new DomainError('not-found', INVALID_UNSUBSCRIBE);
  return key;
}

/** What the preferences page shows for a recipient's token. */
export async function preferences(
  ctx: NewsletterContext,
  token: string,
): Promise<{ subscribed: boolean; topics: string[]; left: boolean }> {
  const key = keyOf(ctx, token);
  const [row, left] = await Promise.all([ctx.subscribers.subscriberByKey(key), ctx.subscribers.isSuppressed(key)]);
  return { subscribed: row?.status === 'confirmed', topics: row?.topics ?? [], left };
}

export async function saveTopics(ctx: NewsletterContext, token: string, topics: string[]): Promise<void> {
  const key = keyOf(ctx, token);
  const chosen = topics.filter((t) => (TOPICS as readonly string[]).includes(t));
  await ctx.subscribers.setTopics(key, chosen);
}

/**
 * Unsubscribes the address a token stands for, at once and without signing in: a subscriber's
 * record is deleted, and the address (a link officer's too) receives no further issue. Doing it
 * again changes nothing.
 */
export async function unsubscribe(ctx: NewsletterContext, token: string): Promise<void> {
  const key = keyOf(ctx, token);
  await unsubscribeKey(ctx, key);
}

async function unsubscribeKey(ctx: NewsletterContext, key: string, db?: DbOrTx): Promise<void> {
  const run = async (trx: DbOrTx) => {
    const repo = ctx.subscribers.with(trx);
    await repo.suppress(key, 'unsubscribed', ctx.clock.now());
    const deleted = await repo.deleteSubscriber(key);
    await writeAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'newsletter-subscriber.unsubscribed',
      recordType: 'newsletter-subscriber',
      recordId: deleted[0]?.id ?? null,
    });
  };
  if (db) await run(db);
  else await ctx.db.transaction().execute(run);
}

/**
 * An email to a `mailto:` unsubscribe address (RFC 8058's other way). Returns true when one of
 * the addresses was ours, whatever its token held.
 */
export async function unsubscribeByMail(
  ctx: NewsletterContext,
  recipients: readonly string[],
  db?: DbOrTx,
): Promise<boolean> {
  for (const address of recipients) {
    const token = tokenFromUnsubscribeAddress(address, ctx.settings.domain);
    if (token === null) continue;
    const key = keyOfToken(token, ctx.settings.secret);
    if (key) await unsubscribeKey(ctx, key, db);
    return true;
  }
  return false;
}

/**
 * Offered each message the inbound gateway stores, before casework files it: a message to an
 * unsubscribe address unsubscribes its token's address and is marked done (never filed or held
 * for triage). Returns false for any other message, which is left as it was.
 */
export async function fileInbound(ctx: NewsletterContext, inboundId: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.subscribers.with(trx);
    const inbound = await repo.unfiledInbound(inboundId);
    if (!inbound) return false;
    const ours = await unsubscribeByMail(ctx, inbound.envelope_to, trx);
    if (ours) await repo.markInboundUnsubscribe(inbound.id, ctx.clock.now());
    return ours;
  });
}

/** Deletes subscription requests never confirmed within 7 days. */
export async function sweepExpiredRequests(ctx: NewsletterContext): Promise<number> {
  return ctx.subscribers.deleteExpiredRequests(new Date(ctx.clock.now().getTime() - CONFIRM_DAYS * 86_400_000));
}

export async function subscribers(ctx: NewsletterContext, actor: Actor | null) {
  assertManage(actor);
  const [counts, recent] = await Promise.all([
    ctx.subscribers.subscriberCounts(),
    ctx.subscribers.recentSubscribers(50),
  ]);
  return { ...counts, recent };
}
