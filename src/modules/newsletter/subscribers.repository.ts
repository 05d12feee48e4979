import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import './newsletter.tables.ts';

/** Subscribers, the addresses that left (suppressions), and the emails asking to leave. */
export class NewsletterSubscribersRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): NewsletterSubscribersRepository {
    return new NewsletterSubscribersRepository(db);
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

  /** Confirmed and pending, each counted through its own partial index. */
  async subscriberCounts(): Promise<{ confirmed: number; pending: number }> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('newsletter_subscribers')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('status', '=', 'confirmed')
          .as('confirmed'),
        eb
          .selectFrom('newsletter_subscribers')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('status', '=', 'pending')
          .as('pending'),
      ])
      .executeTakeFirstOrThrow();
    return { confirmed: row.confirmed ?? 0, pending: row.pending ?? 0 };
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

  // Inbound requests to leave -------------------------------------------------------------------

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
}
