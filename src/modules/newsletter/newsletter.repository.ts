import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Counts } from './domain.ts';
import type { IssueStatus } from './newsletter.tables.ts';
import './newsletter.tables.ts';

/** The outbox kind of an issue's messages. */
export const ISSUE_MAIL_KIND = 'newsletter';

/** The outbox key of one delivery's message: written once, however often the fan-out runs. */
export const deliveryMailKey = (issueId: string, deliveryId: string) => `newsletter:${issueId}:${deliveryId}`;

export interface OfficerRecipient {
  email: string;
  emailKey: string;
  authorityKind: string | null;
}

/** All of the newsletter's SQL. */
export class NewsletterRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): NewsletterRepository {
    return new NewsletterRepository(db);
  }

  // Subscribers ----------------------------------------------------------------------------------

  subscriberByKey(key: string) {
    return this.db.selectFrom('newsletter_subscribers').selectAll().where('email_key', '=', key).executeTakeFirst();
  }

  /** Writes a pending request, or gives an existing pending one a new link; a confirmed one keeps its state. */
  async requestSubscription(values: {
    email: string;
    emailKey: string;
    name: string | null;
    organisation: string | null;
    tokenHash: string;
    expiresAt: Date;
    now: Date;
  }) {
    return this.db
      .insertInto('newsletter_subscribers')
      .values({
        email: values.email,
        email_key: values.emailKey,
        name: values.name,
        organisation: values.organisation,
        status: 'pending',
        confirm_token_hash: values.tokenHash,
        confirm_expires_at: values.expiresAt,
        created_at: values.now,
      })
      .onConflict((oc) =>
        oc.column('email_key').doUpdateSet({
          confirm_token_hash: sql<
            string | null
          >`CASE WHEN newsletter_subscribers.status = 'pending' THEN excluded.confirm_token_hash END`,
          confirm_expires_at: sql<Date | null>`CASE WHEN newsletter_subscribers.status = 'pending' THEN excluded.confirm_expires_at END`,
          email: sql<string>`CASE WHEN newsletter_subscribers.status = 'pending' THEN excluded.email ELSE newsletter_subscribers.email END`,
          name: sql<
            string | null
          >`CASE WHEN newsletter_subscribers.status = 'pending' THEN excluded.name ELSE newsletter_subscribers.name END`,
          organisation: sql<
            string | null
          >`CASE WHEN newsletter_subscribers.status = 'pending' THEN excluded.organisation ELSE newsletter_subscribers.organisation END`,
          created_at: sql<Date>`CASE WHEN newsletter_subscribers.status = 'pending' THEN excluded.created_at ELSE newsletter_subscribers.created_at END`,
        }),
      )
      .returning(['id', 'status'])
      .executeTakeFirstOrThrow();
  }

  subscriberByToken(tokenHash: string) {
    return this.db
      .selectFrom('newsletter_subscribers')
      .selectAll()
      .where('confirm_token_hash', '=', tokenHash)
      .forUpdate()
      .executeTakeFirst();
  }

  confirm(id: string, now: Date) {
    return this.db
      .updateTable('newsletter_subscribers')
      .set({ status: 'confirmed', confirmed_at: now, confirm_token_hash: null, confirm_expires_at: null })
      .where('id', '=', id)
      .execute();
  }

  setTopics(key: string, topics: string[]) {
    return this.db.updateTable('newsletter_subscribers').set({ topics }).where('email_key', '=', key).execute();
  }

  deleteSubscriber(key: string) {
    return this.db.deleteFrom('newsletter_subscribers').where('email_key', '=', key).returning('id').execute();
  }

  async deleteExpiredRequests(createdBefore: Date): Promise<number> {
    const rows = await this.db
      .deleteFrom('newsletter_subscribers')
      .where('status', '=', 'pending')
      .where('created_at', '<', createdBefore)
      .returning('id')
      .execute();
    return rows.length;
  }

  async subscriberCounts(): Promise<{ confirmed: number; pending: number }> {
    const rows = await this.db
      .selectFrom('newsletter_subscribers')
      .select(['status', sql<number>`count(*)::int`.as('n')])
      .groupBy('status')
      .execute();
    return {
      confirmed: rows.find((r) => r.status === 'confirmed')?.n ?? 0,
      pending: rows.find((r) => r.status === 'pending')?.n ?? 0,
    };
  }

  /** Confirmed subscribers, newest first, for staff. */
  recentSubscribers(limit: number) {
    return this.db
      .selectFrom('newsletter_subscribers')
      .select(['id', 'email', 'name', 'organisation', 'topics', 'confirmed_at'])
      .where('status', '=', 'confirmed')
      .orderBy('confirmed_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  // Suppressions ---------------------------------------------------------------------------------

  suppress(key: string, reason: 'unsubscribed' | 'bounced', now: Date) {
    return this.db
      .insertInto('newsletter_suppressions')
      .values({ email_key: key, reason, created_at: now })
      .onConflict((oc) => oc.column('email_key').doNothing())
      .execute();
  }

  unsuppress(key: string) {
    return this.db.deleteFrom('newsletter_suppressions').where('email_key', '=', key).execute();
  }

  async isSuppressed(key: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('newsletter_suppressions')
      .select('email_key')
      .where('email_key', '=', key)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Addresses whose newsletter mail bounced for good (refused at hand-over, or a delivery report
   * of a permanent failure on its outbox row) receive nothing more.
   */
  async absorbBounces(now: Date): Promise<number> {
    const rows = await this.db
      .insertInto('newsletter_suppressions')
      .columns(['email_key', 'reason', 'created_at'])
      .expression(
        this.db
          .selectFrom('newsletter_deliveries as d')
          .innerJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
          .select([
            'd.email_key',
            sql<'bounced'>`'bounced'`.as('reason'),
            sql<Date>`${now}::timestamptz`.as('created_at'),
          ])
          .where((eb) =>
            eb.or([
              eb('o.status', '=', 'failed').and('o.smtp_response', 'like', '5%'),
              eb('o.last_error', 'like', 'Delivery report: 5%'),
            ]),
          )
          .distinct(),
      )
      .onConflict((oc) => oc.column('email_key').doNothing())
      .returning('email_key')
      .execute();
    return rows.length;
  }

  // Issues ---------------------------------------------------------------------------------------

  insertIssue(values: {
    slug: string;
    subject: string;
    preheader: string;
    body: string;
    topics: string[];
    createdBy: string | null;
    now: Date;
  }) {
    return this.db
      .insertInto('newsletter_issues')
      .values({
        slug: values.slug,
        subject: values.subject,
        preheader: values.preheader,
        body: values.body,
        topics: values.topics,
        created_by: values.createdBy,
        created_at: values.now,
        updated_at: values.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  }

  async slugTaken(slug: string): Promise<boolean> {
    const row = await this.db.selectFrom('newsletter_issues').select('id').where('slug', '=', slug).executeTakeFirst();
    return row !== undefined;
  }

  issue(id: string) {
    return this.db.selectFrom('newsletter_issues').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockIssue(id: string) {
    return this.db.selectFrom('newsletter_issues').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  updateIssue(
    id: string,
    values: Partial<{
      subject: string;
      preheader: string;
      body: string;
      topics: string[];
      status: IssueStatus;
      scheduled_for: Date | null;
      recipients: number;
      send_started_at: Date;
      sent_at: Date;
      updated_at: Date;
    }>,
  ) {
    return this.db.updateTable('newsletter_issues').set(values).where('id', '=', id).execute();
  }

  issues(limit: number) {
    return this.db
      .selectFrom('newsletter_issues')
      .select(['id', 'slug', 'subject', 'status', 'scheduled_for', 'sent_at', 'recipients', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Sent issues for the public archive, newest first, with an optional search of subject and text. */
  archive(q: string | null, limit: number) {
    let query = this.db
      .selectFrom('newsletter_issues')
      .select(['id', 'slug', 'subject', 'preheader', 'sent_at'])
      .where('status', '=', 'sent');
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('subject', 'ilike', like), eb('body', 'ilike', like)]));
    }
    return query.orderBy('sent_at', 'desc').orderBy('id').limit(limit).execute();
  }

  sentIssueBySlug(slug: string) {
    return this.db
      .selectFrom('newsletter_issues')
      .selectAll()
      .where('slug', '=', slug)
      .where('status', '=', 'sent')
      .executeTakeFirst();
  }

  dueScheduled(now: Date) {
    return this.db
      .selectFrom('newsletter_issues')
      .select('id')
      .where('status', '=', 'scheduled')
      .where('scheduled_for', '<=', now)
      .execute();
  }

  sendingIssues() {
    return this.db.selectFrom('newsletter_issues').select('id').where('status', '=', 'sending').execute();
  }

  // Deliveries -----------------------------------------------------------------------------------

  async insertOfficerDeliveries(issueId: string, officers: readonly OfficerRecipient[]): Promise<void> {
    for (let i = 0; i < officers.length; i += 1000) {
      const chunk = officers.slice(i, i + 1000);
      await this.db
        .insertInto('newsletter_deliveries')
        .values(
          chunk.map((o) => ({
            issue_id: issueId,
            email_key: o.emailKey,
            address: o.email,
            source: 'link-officer' as const,
            authority_kind: o.authorityKind,
          })),
        )
        .onConflict((oc) => oc.columns(['issue_id', 'email_key']).doNothing())
        .execute();
    }
  }

  /** Confirmed subscribers who receive an issue aimed at `topics`, not already among its recipients. */
  insertSubscriberDeliveries(issueId: string, topics: readonly string[]) {
    return this.db
      .insertInto('newsletter_deliveries')
      .columns(['issue_id', 'email_key', 'address', 'source'])
      .expression(
        this.db
          .selectFrom('newsletter_subscribers as s')
          .select([
            sql<string>`${issueId}::uuid`.as('issue_id'),
            's.email_key',
            's.email',
            sql<'subscriber'>`'subscriber'`.as('source'),
          ])
          .where('s.status', '=', 'confirmed')
          .where((eb) =>
            topics.length === 0
              ? eb.val(true)
              : eb.or([
                  eb(sql<number>`cardinality(s.topics)`, '=', 0),
                  eb(sql<boolean>`s.topics && ${sql.val([...topics])}::text[]`, '=', true),
                ]),
          ),
      )
      .onConflict((oc) => oc.columns(['issue_id', 'email_key']).doNothing())
      .execute();
  }

  /** Takes suppressed addresses out of an issue not yet written to the outbox. */
  dropSuppressed(issueId: string) {
    return this.db
      .deleteFrom('newsletter_deliveries as d')
      .where('d.issue_id', '=', issueId)
      .where('d.queued_at', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('newsletter_suppressions as x')
            .select('x.email_key')
            .whereRef('x.email_key', '=', 'd.email_key'),
        ),
      )
      .execute();
  }

  async countDeliveries(issueId: string): Promise<number> {
    const row = await this.db
      .selectFrom('newsletter_deliveries')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('issue_id', '=', issueId)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** A batch of an issue's deliveries not yet in the outbox, for this fan-out alone. */
  claimPending(issueId: string, limit: number) {
    return this.db
      .selectFrom('newsletter_deliveries')
      .select(['id', 'address', 'email_key'])
      .where('issue_id', '=', issueId)
      .where('queued_at', 'is', null)
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  /** Links claimed deliveries to their outbox rows (found by key) and forgets their addresses. */
  markQueued(issueId: string, ids: readonly string[], now: Date) {
    if (ids.length === 0) return Promise.resolve();
    return this.db
      .updateTable('newsletter_deliveries as d')
      .from('outbox_messages as o')
      .set((eb) => ({ outbox_message_id: eb.ref('o.id'), queued_at: now, address: null }))
      .where('d.id', 'in', [...ids])
      .whereRef('o.idempotency_key', '=', sql<string>`'newsletter:' || ${issueId} || ':' || d.id`)
      .execute();
  }

  async pendingCount(issueId: string): Promise<number> {
    const row = await this.db
      .selectFrom('newsletter_deliveries')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('issue_id', '=', issueId)
      .where('queued_at', 'is', null)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /**
   * Newsletter messages (of any issue) waiting in the outbox or being handed over: the fan-out's
   * back-pressure. Read through the outbox's status index, so it stays cheap however large the issue.
   */
  async outboxBacklog(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox_messages')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('status', 'in', ['queued', 'sending', 'held'])
      .where('kind', '=', 'newsletter')
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /**
   * Copies the outcome of the issue's messages the outbox has settled since the last call onto their
   * deliveries (only deliveries still unsettled are read, each through the outbox's primary key).
   */
  async settleOutcomes(issueId: string): Promise<void> {
    await this.db
      .updateTable('newsletter_deliveries as d')
      .from('outbox_messages as o')
      .set({ outcome: sql<'sent' | 'failed'>`CASE WHEN o.status = 'sent' THEN 'sent' ELSE 'failed' END` })
      .whereRef('o.id', '=', 'd.outbox_message_id')
      .where('d.issue_id', '=', issueId)
      .where('d.outbox_message_id', 'is not', null)
      .where('d.outcome', 'is', null)
      .where('o.status', 'in', ['sent', 'failed', 'unknown'])
      .execute();
  }

  /** The issue's messages in the outbox not yet settled there (as of the last `settleOutcomes`). */
  async unsettledCount(issueId: string): Promise<number> {
    const row = await this.db
      .selectFrom('newsletter_deliveries')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('issue_id', '=', issueId)
      .where('outbox_message_id', 'is not', null)
      .where('outcome', 'is', null)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /**
   * Recipients, sent and failed of an issue being sent, read through small indexes only: its deliveries not yet
   * in the outbox, those in the outbox not yet settled, and its failures (found from the outbox's few
   * failed or unknown rows); everything else is sent. Nothing reads all of the issue's deliveries, so
   * the progress page stays cheap however large the issue.
   */
  async liveCounts(issueId: string, recipients: number): Promise<Counts> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('newsletter_deliveries')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('issue_id', '=', issueId)
          .where('queued_at', 'is', null)
          .as('pending'),
        eb
          .selectFrom('newsletter_deliveries')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('issue_id', '=', issueId)
          .where('outbox_message_id', 'is not', null)
          .where('outcome', 'is', null)
          .as('unsettled'),
        eb
          .selectFrom('outbox_messages as o')
          .innerJoin('newsletter_deliveries as d', 'd.outbox_message_id', 'o.id')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('o.status', 'in', ['failed', 'unknown'])
          .where('d.issue_id', '=', issueId)
          .where('d.outcome', '=', 'failed')
          .as('failed'),
      ])
      .executeTakeFirstOrThrow();
    const pending = row.pending ?? 0;
    const unsettled = row.unsettled ?? 0;
    const failed = row.failed ?? 0;
    return { recipients, sent: Math.max(0, recipients - pending - unsettled - failed), failed, bounced: 0 };
  }

  /** Recipients, sent, failed and bounced, from the outbox's own ledger. */
  async counts(issueId: string): Promise<Counts> {
    const row = await this.db
      .selectFrom('newsletter_deliveries as d')
      .leftJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
      .select([
        sql<number>`count(*)::int`.as('recipients'),
        sql<number>`count(*) FILTER (WHERE o.status = 'sent' AND o.last_error IS NULL)::int`.as('sent'),
        sql<number>`count(*) FILTER (WHERE o.status IN ('failed', 'unknown'))::int`.as('failed'),
        sql<number>`count(*) FILTER (WHERE o.status = 'sent' AND o.last_error LIKE 'Delivery report: 5%')::int`.as(
          'bounced',
        ),
      ])
      .where('d.issue_id', '=', issueId)
      .executeTakeFirstOrThrow();
    return row;
  }

  /** Delivered, bounced and unsubscribed by authority kind (subscribers under null). */
  report(issueId: string, sentSince: Date) {
    return this.db
      .selectFrom('newsletter_deliveries as d')
      .leftJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
      .leftJoin('newsletter_suppressions as x', (join) =>
        join
          .onRef('x.email_key', '=', 'd.email_key')
          .on('x.reason', '=', 'unsubscribed')
          .on('x.created_at', '>=', sentSince),
      )
      .select([
        'd.authority_kind',
        sql<number>`count(*)::int`.as('recipients'),
        sql<number>`count(*) FILTER (WHERE o.status = 'sent' AND o.last_error IS NULL)::int`.as('delivered'),
        sql<number>`count(*) FILTER (WHERE o.status = 'failed' OR o.last_error LIKE 'Delivery report: 5%')::int`.as(
          'bounced',
        ),
        sql<number>`count(x.email_key)::int`.as('unsubscribed'),
      ])
      .where('d.issue_id', '=', issueId)
      .groupBy('d.authority_kind')
      .orderBy('d.authority_kind')
      .execute();
  }

  /** The envelope recipients of a stored inbound message still to be filed. */
  async unfiledInbound(id: string) {
    return this.db
      .selectFrom('inbound_messages')
      .select(['id', 'envelope_to'])
      .where('id', '=', id)
      .where('status', '=', 'unfiled')
      .forUpdate()
      .executeTakeFirst();
  }

  /** An inbound message that asked to unsubscribe is done with: it is not casework, so never filed or held. */
  markInboundUnsubscribe(id: string, now: Date) {
    return this.db
      .updateTable('inbound_messages')
      .set({
        status: 'discarded',
        processed_at: now,
        discard_reason: 'A request to unsubscribe from Ombudsman Link, carried out',
      })
      .where('id', '=', id)
      .execute();
  }

  async userEmail(id: string): Promise<string | null> {
    const row = await this.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirst();
    return row?.email ?? null;
  }

  /** Authority kinds, to tell link officers' deliveries apart by kind. */
  async authorityKinds(ids: readonly string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.db
        .selectFrom('authorities')
        .select(['id', 'kind'])
        .where('id', 'in', ids.slice(i, i + 1000))
        .execute();
      for (const r of rows) map.set(r.id, r.kind);
    }
    return map;
  }
}

export function newsletterRepository(db: Kysely<Database>): NewsletterRepository {
  return new NewsletterRepository(db);
}
