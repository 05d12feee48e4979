import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { DeliveryRow } from './correspondence.repository.ts';

/**
 * Delivery reports and the addresses whose mail bounces: the outbox message and delivery a report
 * concerns, link officers', the generic inbox's and senior officers' addresses marked failing, and
 * the bounces and failing authorities staff are shown.
 */
export class BouncesRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): BouncesRepository {
    return new BouncesRepository(db);
  }

  // Delivery reports ---------------------------------------------------------------------------

  outboxMessage(id: string) {
    return this.db
      .selectFrom('outbox_messages')
      .select(['id', 'status', 'attempts', 'to_address'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  requeueOutbox(id: string, at: Date) {
    return this.db
      .updateTable('outbox_messages')
      .set({ status: 'queued', next_attempt_at: at, transmit_started_at: null })
      .where('id', '=', id)
      .where('status', 'in', ['sent', 'unknown'])
      .execute();
  }

  noteOutboxBounce(id: string, note: string) {
    return this.db.updateTable('outbox_messages').set({ last_error: note }).where('id', '=', id).execute();
  }

  updateDelivery(
    id: string,
    values: Partial<
      Pick<DeliveryRow, 'deferred_at' | 'bounced_at' | 'bounce_status' | 'bounce_diagnostic' | 'opened_at'>
    >,
  ) {
    return this.db.updateTable('correspondence_deliveries').set(values).where('id', '=', id).execute();
  }

  // Addresses failing --------------------------------------------------------------------------

  /** Addresses of the authority's link officers whose mail bounces. */
  async failingOfficers(
    authorityId: string,
  ): Promise<{ id: string; email: string; correspondence_email: string | null }[]> {
    return this.db
      .selectFrom('link_officers')
      .select(['id', 'email', 'correspondence_email'])
      .where('authority_id', '=', authorityId)
      .where('failing_since', 'is not', null)
      .execute();
  }

  markOfficerFailing(authorityId: string, officerId: string | null, address: string, status: string, at: Date) {
    let query = this.db
      .updateTable('link_officers')
      .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', sql<Date>`${at}`), bounce_status: status }))
      .where('authority_id', '=', authorityId);
    query = officerId
      ? query.where('id', '=', officerId)
      : query.where(sql<boolean>`lower(coalesce(correspondence_email, email)) = ${address.toLowerCase()}`);
    return query.returning('id').execute();
  }

  /**
   * Marks a failing address the authority holds as organisation data or for a senior officer: its
   * generic inbox, or the chief executive, monitoring officer or a head of service with that address.
   * The mark stays with the address (the database clears it when the address changes).
   */
  async markContactFailing(
    authorityId: string,
    role: 'generic-inbox' | 'senior-officer',
    address: string,
    status: string,
    at: Date,
  ): Promise<{ id: string }[]> {
    const lower = address.toLowerCase();
    if (role === 'generic-inbox') {
      return this.db
        .updateTable('authorities')
        .set((eb) => ({
          generic_inbox_failing_since: eb.fn.coalesce('generic_inbox_failing_since', sql<Date>`${at}`),
          generic_inbox_bounce_status: status,
        }))
        .where('id', '=', authorityId)
        .where(sql<boolean>`lower(generic_inbox) = ${lower}`)
        .returning('id')
        .execute();
    }
    return this.db
      .updateTable('senior_officers')
      .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', sql<Date>`${at}`), bounce_status: status }))
      .where('authority_id', '=', authorityId)
      .where(sql<boolean>`lower(email) = ${lower}`)
      .returning('id')
      .execute();
  }

  /** The authority's generic inbox when mail to it bounces. */
  async failingInbox(authorityId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('authorities')
      .select('generic_inbox')
      .where('id', '=', authorityId)
      .where('generic_inbox_failing_since', 'is not', null)
      .executeTakeFirst();
    return row?.generic_inbox ?? null;
  }

  /** The authority's most recently refused deliveries, newest first. */
  recentBounces(authorityId: string, limit: number) {
    return (
      this.db
        .selectFrom('correspondence_deliveries as d')
        .innerJoin('correspondence_items as i', 'i.id', 'd.item_id')
        .select(['d.id', 'd.address', 'd.recipient_role', 'd.bounce_status', 'i.subject', 'i.complaint_id'])
        // Never null here (the filter below), which the column's type cannot say.
        .select(sql<Date>`d.bounced_at`.as('bounced_at'))
        .where('d.authority_id', '=', authorityId)
        .where('d.bounced_at', 'is not', null)
        .orderBy('d.bounced_at', 'desc')
        .limit(limit)
        .execute()
    );
  }

  /** Authorities with a contact whose address bounces (link officers, generic inbox, senior officers), for the staff home page. */
  async bouncingAuthorities(limit: number) {
    const marks = this.db
      .selectFrom('link_officers')
      .select(['authority_id', 'failing_since as since', sql<string>`'link-officer'`.as('kind')])
      .where('failing_since', 'is not', null)
      .unionAll((eb) =>
        eb
          .selectFrom('authorities')
          .select([
            'id as authority_id',
            'generic_inbox_failing_since as since',
            sql<string>`'generic-inbox'`.as('kind'),
          ])
          .where('generic_inbox_failing_since', 'is not', null),
      )
      .unionAll((eb) =>
        eb
          .selectFrom('senior_officers')
          .select(['authority_id', 'failing_since as since', sql<string>`'senior-officer'`.as('kind')])
          .where('failing_since', 'is not', null),
      );
    return this.db
      .selectFrom(marks.as('b'))
      .innerJoin('authorities as a', 'a.id', 'b.authority_id')
      .select(['a.id', 'a.name'])
      .select((eb) => eb.fn.min<Date>('b.since').as('failing_since'))
      .select(sql<number>`count(*) FILTER (WHERE b.kind = 'link-officer')::int`.as('officers'))
      .select(sql<boolean>`bool_or(b.kind = 'generic-inbox')`.as('inbox'))
      .select(sql<number>`count(*) FILTER (WHERE b.kind = 'senior-officer')::int`.as('senior_officers'))
      .groupBy(['a.id', 'a.name'])
      .orderBy('a.name')
      .limit(limit)
      .execute();
  }
}
