import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { writeAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { londonDate } from '../../platform/calendar/calendar.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { conflict, DomainError, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import type { Logger } from '../../platform/logger.ts';
import { enqueueMail, enqueueMails } from '../../platform/mail/outbox.ts';
import { renderMarkdown } from '../../platform/markdown/markdown.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import {
  appendMarkdown,
  CONFIRM_DAYS,
  emailKey,
  keyOfToken,
  progressOf,
  slugFor,
  tokenFromUnsubscribeAddress,
  TOPICS,
  unsubscribeToken,
  type Progress,
} from './domain.ts';
import {
  alreadySubscribedMail,
  confirmMail,
  issueHtml,
  issueMailer,
  issueText,
  type MailSettings,
} from './newsletter.mail.ts';
import { deliveryMailKey, NewsletterRepository, type OfficerRecipient } from './newsletter.repository.ts';
import type { IssueStatus } from './newsletter.tables.ts';

export interface NewsletterSettings extends MailSettings {
  /** Deliveries written to the outbox per transaction. */
  batchSize: number;
  /** The fan-out waits while this many of the newsletter's messages wait in the outbox (so a pause takes hold). */
  backlog: number;
}

/** A recent publication or an upcoming training session the composer may add to an issue's content. */
export interface Insertion {
  /** Stable between the compose page and its form (`publication:<slug>`, `session:<id>`). */
  key: string;
  kind: 'Publication' | 'Training';
  label: string;
  markdown: string;
}

export interface IssueInput {
  subject: string;
  preheader: string;
  body: string;
  topics: string[];
}

export interface IssueView {
  id: string;
  slug: string;
  subject: string;
  preheader: string;
  body: string;
  topics: string[];
  status: IssueStatus;
  scheduledFor: Date | null;
  sentAt: Date | null;
  progress: Progress;
}

const INVALID_CONFIRM =
  'This confirmation link is not valid. It may have been used already, have expired (links last 7 days) or have been copied wrongly. Subscribe again to get a new link.';
const INVALID_UNSUBSCRIBE =
  'This unsubscribe link is not valid: it may have been copied wrongly. Use the link in the newsletter’s latest email.';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

type Officers = Awaited<ReturnType<LinkOfficersService['newsletterRecipients']>>;

/** How often the sweep reads bounces (they arrive over hours or days, never within seconds). */
const BOUNCE_SWEEP_MS = 5 * 60_000;

const fanOutPayload = z.object({ issueId: z.uuid() });

/** The Ombudsman Link newsletter: subscriptions, issues, sending through the outbox, the archive and reports. */
export class NewsletterService {
  private readonly repo: NewsletterRepository;
  /** When this process last suppressed hard-bounced addresses in its sweep (wall clock). */
  private bouncesReadAt = 0;

  readonly fanOutJob = defineJob({
    name: 'newsletter.fan-out',
    schema: fanOutPayload,
    retryLimit: 10,
    retryDelaySeconds: 5,
    expireInSeconds: 300,
    handler: async ({ issueId }) => {
      await this.fanOut(issueId);
    },
  });

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly deps: {
      linkOfficers: LinkOfficersService;
      jobs: JobQueue;
      logger: Logger;
      /** Recent publications and upcoming training, as Markdown lines (from those modules). */
      insertions?: () => Promise<Insertion[]>;
    },
    private readonly settings: NewsletterSettings,
  ) {
    this.repo = new NewsletterRepository(db);
  }

  // Subscribing ----------------------------------------------------------------------------------

  /**
   * A request to subscribe: a confirmation link goes to the address (or, when it is already
   * subscribed, a note saying so with its preferences link). The caller learns nothing either way.
   */
  async requestSubscription(input: { email: string; name: string | null; organisation: string | null }): Promise<void> {
    const email = input.email.trim();
    const key = emailKey(email);
    const now = this.clock.now();
    const token = crypto.randomBytes(32).toString('base64url');
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
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
        const manage = `${this.settings.baseUrl}/newsletter/preferences/${unsubscribeToken(email, this.settings.secret)}`;
        await enqueueMail(trx, alreadySubscribedMail(email, manage, idempotencyKey));
      } else {
        await enqueueMail(
          trx,
          confirmMail(email, `${this.settings.baseUrl}/newsletter/confirm/${token}`, idempotencyKey),
        );
      }
    });
  }

  /** The pending request a confirmation link stands for; a used, expired or altered link is refused. */
  async confirmation(token: string): Promise<{ email: string }> {
    const row = await this.repo.subscriberByToken(sha256(token));
    const now = this.clock.now();
    if (!row || row.status !== 'pending' || !row.confirm_expires_at || row.confirm_expires_at <= now)
      throw new DomainError('gone', INVALID_CONFIRM);
    return { email: row.email };
  }

  /** Confirms a subscription: the address receives the next issue (even if it once left). */
  async confirm(token: string): Promise<{ manageToken: string }> {
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.subscriberByToken(sha256(token));
      const now = this.clock.now();
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
      return { manageToken: unsubscribeToken(row.email, this.settings.secret) };
    });
  }

  private keyOf(token: string): string {
    const key = keyOfToken(token, this.settings.secret);
    if (!key) throw new DomainError('not-found', INVALID_UNSUBSCRIBE);
    return key;
  }

  /** What the preferences page shows for a recipient's token. */
  async preferences(token: string): Promise<{ subscribed: boolean; topics: string[]; left: boolean }> {
    const key = this.keyOf(token);
    const [row, left] = await Promise.all([this.repo.subscriberByKey(key), this.repo.isSuppressed(key)]);
    return { subscribed: row?.status === 'confirmed', topics: row?.topics ?? [], left };
  }

  async saveTopics(token: string, topics: string[]): Promise<void> {
    const key = this.keyOf(token);
    const chosen = topics.filter((t) => (TOPICS as readonly string[]).includes(t));
    await this.repo.setTopics(key, chosen);
  }

  /**
   * Unsubscribes the address a token stands for, at once and without signing in: a subscriber's
   * record is deleted, and the address (a link officer's too) receives no further issue. Doing it
   * again changes nothing.
   */
  async unsubscribe(token: string): Promise<void> {
    const key = this.keyOf(token);
    await this.unsubscribeKey(key);
  }

  private async unsubscribeKey(key: string, db?: DbOrTx): Promise<void> {
    const run = async (trx: DbOrTx) => {
      const repo = this.repo.with(trx);
      await repo.suppress(key, 'unsubscribed', this.clock.now());
      const deleted = await repo.deleteSubscriber(key);
      await writeAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: 'newsletter-subscriber.unsubscribed',
        recordType: 'newsletter-subscriber',
        recordId: deleted[0]?.id ?? null,
      });
    };
    if (db) await run(db);
    else await this.db.transaction().execute(run);
  }

  /**
   * An email to a `mailto:` unsubscribe address (RFC 8058's other way). Returns true when one of
   * the addresses was ours, whatever its token held.
   */
  async unsubscribeByMail(recipients: readonly string[], db?: DbOrTx): Promise<boolean> {
    for (const address of recipients) {
      const token = tokenFromUnsubscribeAddress(address, this.settings.domain);
      if (token === null) continue;
      const key = keyOfToken(token, this.settings.secret);
      if (key) await this.unsubscribeKey(key, db);
      return true;
    }
    return false;
  }

  /**
   * Offered each message the inbound gateway stores, before casework files it: a message to an
   * unsubscribe address unsubscribes its token's address and is marked done (never filed or held
   * for triage). Returns false for any other message, which is left as it was.
   */
  async fileInbound(inboundId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const inbound = await repo.unfiledInbound(inboundId);
      if (!inbound) return false;
      const ours = await this.unsubscribeByMail(inbound.envelope_to, trx);
      if (ours) await repo.markInboundUnsubscribe(inbound.id, this.clock.now());
      return ours;
    });
  }

  /** Deletes subscription requests never confirmed within 7 days. */
  async sweepExpiredRequests(): Promise<number> {
    return this.repo.deleteExpiredRequests(new Date(this.clock.now().getTime() - CONFIRM_DAYS * 86_400_000));
  }

  // Staff: subscribers ---------------------------------------------------------------------------

  async subscribers(actor: Actor | null) {
    this.assertManage(actor);
    const [counts, recent] = await Promise.all([this.repo.subscriberCounts(), this.repo.recentSubscribers(50)]);
    return { ...counts, recent };
  }

  // Issues ---------------------------------------------------------------------------------------

  private assertManage(actor: Actor | null): asserts actor is Actor {
    if (!can(actor, 'newsletter:manage')) throw forbidden();
  }

  private validate(input: IssueInput): IssueInput {
    const subject = input.subject.trim();
    const body = input.body.trim();
    const errors = [];
    if (subject === '') errors.push({ field: 'subject', message: 'Enter a subject' });
    else if (subject.length > 150)
      errors.push({ field: 'subject', message: 'The subject must be 150 characters or fewer' });
    if (input.preheader.length > 200)
      errors.push({ field: 'preheader', message: 'The preview text must be 200 characters or fewer' });
    if (body === '') errors.push({ field: 'body', message: 'Enter the newsletter’s content' });
    else if (body.length > 100_000)
      errors.push({ field: 'body', message: 'The content must be 100,000 characters or fewer' });
    if (errors.length > 0) throw invalid(errors);
    return {
      subject,
      preheader: input.preheader.trim(),
      body,
      topics: input.topics.filter((t) => (TOPICS as readonly string[]).includes(t)),
    };
  }

  async createIssue(actor: Actor | null, input: IssueInput): Promise<string> {
    this.assertManage(actor);
    const values = this.validate(input);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const base = slugFor(values.subject, londonDate(now));
      let slug = base;
      for (let n = 2; await repo.slugTaken(slug); n++) slug = `${base}-${n}`;
      const { id } = await repo.insertIssue({
        ...values,
        slug,
        createdBy: actor.type === 'user' ? actor.id : null,
        now,
      });
      await this.audit(trx, actor, 'newsletter-issue.created', id);
      return id;
    });
  }

  async updateIssue(actor: Actor | null, id: string, input: IssueInput): Promise<void> {
    this.assertManage(actor);
    const values = this.validate(input);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const issue = await repo.lockIssue(id);
      if (!issue) throw notFound('The issue');
      if (issue.status !== 'draft' && issue.status !== 'scheduled')
        throw conflict('This issue has been sent, so it can no longer be changed');
      await repo.updateIssue(id, { ...values, updated_at: this.clock.now() });
      await this.audit(trx, actor, 'newsletter-issue.updated', id);
    });
  }

  private async audit(trx: DbOrTx, actor: Actor, action: string, id: string) {
    await writeAudit(trx, {
      actor: auditActor(actor),
      action,
      recordType: 'newsletter-issue',
      recordId: id,
      requestId: actor.requestId ?? null,
    });
  }

  async issues(actor: Actor | null) {
    this.assertManage(actor);
    return this.repo.issues(100);
  }

  async issue(actor: Actor | null, id: string): Promise<IssueView> {
    this.assertManage(actor);
    const row = await this.repo.issue(id);
    if (!row) throw notFound('The issue');
    // While it is being sent, an issue is counted on its deliveries (settled by the worker every
    // second or so); once sent, on the outbox's ledger, with the bounces reported since.
    const counts =
      row.status === 'draft' || row.status === 'scheduled'
        ? { recipients: 0, sent: 0, failed: 0, bounced: 0 }
        : row.status === 'sent'
          ? await this.repo.counts(id)
          : await this.repo.liveCounts(id, row.recipients);
    return {
      id: row.id,
      slug: row.slug,
      subject: row.subject,
      preheader: row.preheader,
      body: row.body,
      topics: row.topics,
      status: row.status,
      scheduledFor: row.scheduled_for,
      sentAt: row.sent_at,
      progress: progressOf(counts, row.send_started_at, row.sent_at ?? this.clock.now()),
    };
  }

  /** The HTML and plain-text parts as a recipient will see them (with a placeholder token). */
  async preview(actor: Actor | null, id: string): Promise<{ html: string; text: string; subject: string }> {
    const issue = await this.issue(actor, id);
    const message = issueMailer(issue, this.settings)('you@example.com', 'preview', 'preview');
    return { html: message.html ?? '', text: message.text, subject: issue.subject };
  }

  /** Sends the issue as it stands to the person asking, marked as a test. */
  async testSend(actor: Actor | null, id: string): Promise<string> {
    this.assertManage(actor);
    if (actor.type !== 'user') throw conflict('A test is sent to a person: sign in to send one');
    const issue = await this.repo.issue(id);
    if (!issue) throw notFound('The issue');
    const to = await this.repo.userEmail(actor.id);
    if (!to) throw notFound('Your account');
    const now = this.clock.now();
    const mail = issueMailer({ ...issue, subject: `[Test] ${issue.subject}` }, this.settings)(
      to,
      unsubscribeToken(to, this.settings.secret),
      `newsletter:test:${id}:${now.getTime()}`,
      'newsletter-test',
    );
    await this.db.transaction().execute(async (trx) => {
      await enqueueMail(trx, mail);
      await this.audit(trx, actor, 'newsletter-issue.test-sent', id);
    });
    return to;
  }

  /**
   * Sends an issue now, or schedules it. Its audience is resolved when the sending starts: the
   * current link officers and confirmed subscribers, one delivery per address. An issue already
   * sent or being sent is refused, as is a time in the past.
   */
  async send(actor: Actor | null, id: string, at: Date | null = null): Promise<IssueStatus> {
    this.assertManage(actor);
    const now = this.clock.now();
    if (at && at <= now) throw invalid([{ field: 'scheduledFor', message: 'The time to send must be in the future' }]);
    const officers = at ? [] : await this.deps.linkOfficers.newsletterRecipients();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const issue = await repo.lockIssue(id);
      if (!issue) throw notFound('The issue');
      if (issue.status !== 'draft' && issue.status !== 'scheduled')
        throw conflict('This issue has already been sent: it is sent once only');
      if (at) {
        await repo.updateIssue(id, { status: 'scheduled', scheduled_for: at, updated_at: now });
        await this.audit(trx, actor, 'newsletter-issue.scheduled', id);
        return 'scheduled';
      }
      await this.start(trx, id, issue.topics, officers);
      await this.audit(trx, actor, 'newsletter-issue.sent', id);
      return 'sending';
    });
  }

  /**
   * Resolves the audience and starts the fan-out, in the caller's transaction. `officers` are the
   * current link officers, read just before (from the link officers' own records).
   */
  private async start(trx: DbOrTx, id: string, topics: readonly string[], officers: Officers): Promise<void> {
    const repo = this.repo.with(trx);
    const now = this.clock.now();
    const kinds = await repo.authorityKinds([...new Set(officers.map((o) => o.authority_id))]);
    // Link officers receive every issue for councils and authorities (or for everyone).
    const forOfficers = topics.length === 0 || topics.includes('councils');
    const recipients: OfficerRecipient[] = officers
      .filter((o) => forOfficers && o.email.includes('@'))
      .map((o) => ({ email: o.email, emailKey: emailKey(o.email), authorityKind: kinds.get(o.authority_id) ?? null }));
    await repo.absorbBounces(now);
    await repo.insertOfficerDeliveries(id, recipients);
    await repo.insertSubscriberDeliveries(id, topics);
    await repo.dropSuppressed(id);
    const count = await repo.countDeliveries(id);
    await repo.updateIssue(id, { status: 'sending', recipients: count, send_started_at: now, updated_at: now });
    await this.deps.jobs.enqueue(trx, this.fanOutJob, { issueId: id }, { singletonKey: id });
  }

  async pause(actor: Actor | null, id: string): Promise<void> {
    await this.setPaused(actor, id, true);
  }

  async resume(actor: Actor | null, id: string): Promise<void> {
    await this.setPaused(actor, id, false);
  }

  private async setPaused(actor: Actor | null, id: string, paused: boolean): Promise<void> {
    this.assertManage(actor);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const issue = await repo.lockIssue(id);
      if (!issue) throw notFound('The issue');
      if (paused && issue.status !== 'sending') throw conflict('Only an issue being sent can be paused');
      if (!paused && issue.status !== 'paused') throw conflict('Only a paused issue can be resumed');
      await repo.updateIssue(id, { status: paused ? 'paused' : 'sending', updated_at: this.clock.now() });
      await this.audit(trx, actor, paused ? 'newsletter-issue.paused' : 'newsletter-issue.resumed', id);
      if (!paused) await this.deps.jobs.enqueue(trx, this.fanOutJob, { issueId: id }, { singletonKey: id });
    });
  }

  /**
   * Writes an issue's deliveries to the outbox, a batch per transaction, while the issue is being
   * sent (a pause stops it between batches). Each batch claims its deliveries (SKIP LOCKED), writes
   * their messages under keys of their own and marks them in the same transaction, so a process
   * killed at any point leaves each delivery either untouched or in the outbox exactly once.
   * Runs for at most `budgetMs`; the sweep carries on after that.
   */
  async fanOut(issueId: string, budgetMs = 60_000): Promise<void> {
    const until = Date.now() + budgetMs;
    let mailer: ReturnType<typeof issueMailer> | null = null;
    let settledAt = 0;
    while (Date.now() < until) {
      // Back-pressure on the outbox's queue of newsletter mail (all issues): cheap to read, and a
      // pause takes hold within that many messages.
      if (Date.now() - settledAt >= 1000) {
        settledAt = Date.now();
        await this.repo.settleOutcomes(issueId);
      }
      if ((await this.repo.outboxBacklog()) >= this.settings.backlog) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      const more = await this.db.transaction().execute(async (trx) => {
        const repo = this.repo.with(trx);
        const issue = await repo.lockIssue(issueId);
        if (!issue || issue.status !== 'sending') return false;
        mailer ??= issueMailer(issue, this.settings);
        const claimed = await repo.claimPending(issueId, this.settings.batchSize);
        if (claimed.length === 0) return false;
        const make = mailer;
        const mails = claimed
          .filter((d): d is typeof d & { address: string } => d.address !== null)
          .map((d) =>
            make(d.address, unsubscribeToken(d.address, this.settings.secret), deliveryMailKey(issueId, d.id)),
          );
        await enqueueMails(trx, mails);
        await repo.markQueued(
          issueId,
          claimed.map((d) => d.id),
          this.clock.now(),
        );
        return true;
      });
      if (!more) break;
    }
    await this.finishIfDone(issueId);
  }

  /** An issue whose every delivery is in the outbox and settled there is sent. */
  private async finishIfDone(issueId: string): Promise<void> {
    await this.repo.settleOutcomes(issueId);
    if ((await this.repo.pendingCount(issueId)) > 0 || (await this.repo.unsettledCount(issueId)) > 0) return;
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const issue = await repo.lockIssue(issueId);
      if (issue?.status !== 'sending') return;
      await repo.updateIssue(issueId, { status: 'sent', sent_at: this.clock.now() });
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
  async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const { id } of await this.repo.dueScheduled(now)) {
      const officers = await this.deps.linkOfficers.newsletterRecipients();
      await this.db.transaction().execute(async (trx) => {
        const issue = await this.repo.with(trx).lockIssue(id);
        if (issue?.status === 'scheduled') await this.start(trx, id, issue.topics, officers);
      });
    }
    for (const { id } of await this.repo.sendingIssues()) await this.fanOut(id, 20_000);
    await this.sweepExpiredRequests();
    // Bounces are read over every delivery of every issue: at most every few minutes (and before each send).
    if (Date.now() - this.bouncesReadAt >= BOUNCE_SWEEP_MS) {
      this.bouncesReadAt = Date.now();
      await this.repo.absorbBounces(now);
    }
  }

  /** An issue's body as HTML, through the renderer and sanitiser of publications. */
  bodyHtml(body: string): string {
    return renderMarkdown(body).html;
  }

  /**
   * What the composer may add to an issue with one click: recently published publications and
   * upcoming training sessions, when those exist (from their own modules' public lists).
   */
  async insertions(): Promise<Insertion[]> {
    return this.deps.insertions ? this.deps.insertions() : [];
  }

  /**
   * The draft's content with an insertion's Markdown added at its end; nothing is saved. An item
   * gone from the list since the page was shown (published over, session passed) is refused.
   */
  async withInsertion(body: string, key: string): Promise<{ body: string; label: string }> {
    const item = (await this.insertions()).find((i) => i.key === key);
    if (!item)
      throw invalid([
        { field: 'body', message: 'That item is no longer among the latest publications and training: choose another' },
      ]);
    return { body: appendMarkdown(body, item.markdown), label: item.label };
  }

  // Archive and reports --------------------------------------------------------------------------

  archive(q: string | null) {
    return this.repo.archive(q, 100);
  }

  /** A sent issue's web version: never a recipient's token in it. */
  async archived(slug: string) {
    const issue = await this.repo.sentIssueBySlug(slug);
    if (!issue) throw notFound('The issue');
    return { issue, html: issueHtml(issue, this.settings, false), text: issueText(issue, this.settings) };
  }

  async report(actor: Actor | null, id: string) {
    const issue = await this.issue(actor, id);
    const row = await this.repo.issue(id);
    const rows = await this.repo.report(id, row?.send_started_at ?? new Date(0));
    return { issue, rows };
  }
}
