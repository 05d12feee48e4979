import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import './newsletter.tables.ts';

/** The outbox key of one delivery's message: written once, however often the fan-out runs. */
export const deliveryMailKey = (issueId: string, deliveryId: string) => `newsletter:${issueId}:${deliveryId}`;

export interface OfficerRecipient {
  email: string;
  emailKey: string;
  authorityKind: string | null;
}
/**
 * An issue's deliveries: its audience resolved when sending starts, the fan-out's batches into the
 * outbox and its back-pressure, the outcomes settled from the outbox, and hard bounces suppressed.
 */
export class NewsletterDeliveriesRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): NewsletterDeliveriesRepository {
    return new NewsletterDeliveriesRepository(db);
  }

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

  /**
   * Links claimed deliveries to their outbox rows (found by key), forgets their addresses and adds
   * them to the issue's count of deliveries queued, in one statement.
   */
  async markQueued(issueId: string, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .with('queued', (db) =>
        db
          .updateTable('newsletter_deliveries as d')
          .from('outbox_messages as o')
          .set((eb) => ({ outbox_message_id: eb.ref('o.id'), queued_at: now, address: null }))
          .where('d.id', 'in', [...ids])
          .whereRef('o.idempotency_key', '=', sql<string>`'newsletter:' || ${issueId} || ':' || d.id`)
          .returning('d.id'),
      )
      .updateTable('newsletter_issues')
      .set((eb) => ({
        deliveries_queued: eb(
          'deliveries_queued',
          '+',
          eb.selectFrom('queued').select(sql<number>`count(*)::int`.as('n')),
        ),
      }))
      .where('id', '=', issueId)
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
   * deliveries (only deliveries still unsettled are read, each through the outbox's primary key), and
   * adds them to the issue's count of deliveries settled, in one statement.
   */
  async settleOutcomes(issueId: string): Promise<void> {
    await this.db
      .with('settled', (db) =>
        db
          .updateTable('newsletter_deliveries as d')
          .from('outbox_messages as o')
          .set({ outcome: sql<'sent' | 'failed'>`CASE WHEN o.status = 'sent' THEN 'sent' ELSE 'failed' END` })
          .whereRef('o.id', '=', 'd.outbox_message_id')
          .where('d.issue_id', '=', issueId)
          .where('d.outbox_message_id', 'is not', null)
          .where('d.outcome', 'is', null)
          .where('o.status', 'in', ['sent', 'failed', 'unknown'])
          .returning('d.id'),
      )
      .updateTable('newsletter_issues')
      .set((eb) => ({
        deliveries_settled: eb(
          'deliveries_settled',
          '+',
          eb.selectFrom('settled').select(sql<number>`count(*)::int`.as('n')),
        ),
      }))
      .where('id', '=', issueId)
      .where((eb) => eb.exists(eb.selectFrom('settled').select('id')))
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
