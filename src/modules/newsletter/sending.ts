import { writeAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import { emailKey, unsubscribeToken } from './domain.ts';
import { assertManage, auditIssue, type NewsletterContext } from './context.ts';
import { deliveryMailKey, type OfficerRecipient } from './deliveries.repository.ts';
import { issueMailer } from './newsletter.mail.ts';
import type { IssueStatus } from './newsletter.tables.ts';
import { sweepExpiredRequests } from './subscriptions.ts';

// Sending: now or at a time, pausing and resuming, the fan-out into the outbox, and the worker's sweep.

type Officers = Awaited<ReturnType<LinkOfficersService['newsletterRecipients']>>;

/** How often the sweep reads bounces (they arrive over hours or days, never within seconds). */
const BOUNCE_SWEEP_MS = 5 * 60_000;

/**
 * Sends an issue now, or schedules it. Its audience is resolved when the sending starts: the
 * current link officers and confirmed subscribers, one delivery per address. An issue already
 * sent or being sent is refused, as is a time in the past.
 */
export async function send(
  ctx: NewsletterContext,
  actor: Actor | null,
  id: string,
  at: Date | null = null,
): Promise<IssueStatus> {
  assertManage(actor);
  const now = ctx.clock.now();
  if (at && at <= now) throw invalid([{ field: 'scheduledFor', message: 'The time to send must be in the future' }]);
  const officers = at ? [] : await ctx.deps.linkOfficers.newsletterRecipients();
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.issues.with(trx);
    const issue = await repo.lockIssue(id);
    if (!issue) throw notFound('The issue');
    if (issue.status !== 'draft' && issue.status !== 'scheduled')
      throw conflict('This issue has already been sent: it is sent once only');
    if (at) {
      await repo.updateIssue(id, { status: 'scheduled', scheduled_for: at, updated_at: now });
      await auditIssue(trx, actor, 'newsletter-issue.scheduled', id);
      return 'scheduled';
    }
    await start(ctx, trx, id, issue.topics, officers);
    await auditIssue(trx, actor, 'newsletter-issue.sent', id);
    return 'sending';
  });
}

/**
 * Resolves the audience and starts the fan-out, in the caller's transaction. `officers` are the
 * current link officers, read just before (from the link officers' own records).
 */
async function start(
  ctx: NewsletterContext,
  trx: DbOrTx,
  id: string,
  topics: readonly string[],
  officers: Officers,
): Promise<void> {
  const issues = ctx.issues.with(trx);
  const deliveries = ctx.deliveries.with(trx);
  const now = ctx.clock.now();
  const kinds = await deliveries.authorityKinds([...new Set(officers.map((o) => o.authority_id))]);
  // Link officers receive every issue for councils and authorities (or for everyone).
  const forOfficers = topics.length === 0 || topics.includes('councils');
  const recipients: OfficerRecipient[] = officers
    .filter((o) => forOfficers && o.email.includes('@'))
    .map((o) => ({ email: o.email, emailKey: emailKey(o.email), authorityKind: kinds.get(o.authority_id) ?? null }));
  await deliveries.absorbBounces(now);
  await deliveries.insertOfficerDeliveries(id, recipients);
  await deliveries.insertSubscriberDeliveries(id, topics);
  await deliveries.dropSuppressed(id);
  const count = await deliveries.countDeliveries(id);
  await issues.updateIssue(id, { status: 'sending', recipients: count, send_started_at: now, updated_at: now });
  await ctx.deps.jobs.enqueue(trx, ctx.fanOutJob, { issueId: id }, { singletonKey: id });
}

export async function setPaused(
  ctx: NewsletterContext,
  actor: Actor | null,
  id: string,
  paused: boolean,
): Promise<void> {
  assertManage(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.issues.with(trx);
    const issue = await repo.lockIssue(id);
    if (!issue) throw notFound('The issue');
    if (paused && issue.status !== 'sending') throw conflict('Only an issue being sent can be paused');
    if (!paused && issue.status !== 'paused') throw conflict('Only a paused issue can be resumed');
    await repo.updateIssue(id, { status: paused ? 'paused' : 'sending', updated_at: ctx.clock.now() });
    await auditIssue(trx, actor, paused ? 'newsletter-issue.paused' : 'newsletter-issue.resumed', id);
    if (!paused) await ctx.deps.jobs.enqueue(trx, ctx.fanOutJob, { issueId: id }, { singletonKey: id });
  });
}

/**
 * Writes an issue's deliveries to the outbox, a batch per transaction, while the issue is being
 * sent (a pause stops it between batches). Each batch claims its deliveries (SKIP LOCKED), writes
 * their messages under keys of their own and marks them in the same transaction, so a process
 * killed at any point leaves each delivery either untouched or in the outbox exactly once.
 * Runs for at most `budgetMs`; the sweep carries on after that.
 */
export async function fanOut(ctx: NewsletterContext, issueId: string, budgetMs = 60_000): Promise<void> {
  const until = Date.now() + budgetMs;
  let mailer: ReturnType<typeof issueMailer> | null = null;
  let settledAt = 0;
  while (Date.now() < until) {
    // Back-pressure on the outbox's queue of newsletter mail (all issues): cheap to read, and a
    // pause takes hold within that many messages.
    if (Date.now() - settledAt >= 1000) {
      settledAt = Date.now();
      await ctx.deliveries.settleOutcomes(issueId);
    }
    if ((await ctx.deliveries.outboxBacklog()) >= ctx.settings.backlog) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    const more = await ctx.db.transaction().execute(async (trx) => {
      const deliveries = ctx.deliveries.with(trx);
      const issue = await ctx.issues.with(trx).lockIssue(issueId);
      if (!issue || issue.status !== 'sending') return false;
      mailer ??= issueMailer(issue, ctx.settings);
      const claimed = await deliveries.claimPending(issueId, ctx.settings.batchSize);
      if (claimed.length === 0) return false;
      const make = mailer;
      const mails = claimed
        .filter((d): d is typeof d & { address: string } => d.address !== null)
        .map((d) => ({
          ...make(d.address, unsubscribeToken(d.address, ctx.settings.secret), deliveryMailKey(issueId, d.id)),
          bulk: true,
        }));
      await ctx.deps.mail.enqueueMany(trx, mails);
      await deliveries.markQueued(
        issueId,
        claimed.map((d) => d.id),
        ctx.clock.now(),
      );
      return true;
    });
    if (!more) break;
  }
  await finishIfDone(ctx, issueId);
}

/** An issue whose every delivery is in the outbox and settled there is sent. */
async function finishIfDone(ctx: NewsletterContext, issueId: string): Promise<void> {
  await ctx.deliveries.settleOutcomes(issueId);
  if ((await ctx.deliveries.pendingCount(issueId)) > 0 || (await ctx.deliveries.unsettledCount(issueId)) > 0) return;
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.issues.with(trx);
    const issue = await repo.lockIssue(issueId);
    if (issue?.status !== 'sending') return;
    await repo.updateIssue(issueId, { status: 'sent', sent_at: ctx.clock.now() });
    await writeAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'newsletter-issue.completed',
      recordType: 'newsletter-issue',
      recordId: issueId,
    });
  });
}

/**
 * The worker's sweep: scheduled issues whose time has come start, issues being sent carry on
 * (after a restart too) and finish, expired requests are deleted, and hard bounces suppress.
 */
export async function sweep(ctx: NewsletterContext): Promise<void> {
  const now = ctx.clock.now();
  for (const { id } of await ctx.issues.dueScheduled(now)) {
    const officers = await ctx.deps.linkOfficers.newsletterRecipients();
    await ctx.db.transaction().execute(async (trx) => {
      const issue = await ctx.issues.with(trx).lockIssue(id);
      if (issue?.status === 'scheduled') await start(ctx, trx, id, issue.topics, officers);
    });
  }
  for (const { id } of await ctx.issues.sendingIssues()) await fanOut(ctx, id, 20_000);
  await sweepExpiredRequests(ctx);
  // Bounces are read over every delivery of every issue: at most every few minutes (and before each send).
  if (Date.now() - ctx.bounces.readAt >= BOUNCE_SWEEP_MS) {
    ctx.bounces.readAt = Date.now();
    await ctx.deliveries.absorbBounces(now);
  }
}
