import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';
import { toldToAuthorityOf, toldToAuthoritySql } from '../complaints/complaints.sql.ts';

export type ThreadRow = Row<'correspondence_threads'>;
export type ItemRow = Row<'correspondence_items'>;
export type DeliveryRow = Row<'correspondence_deliveries'>;

/** A delivery with its outbox message's state. */
export interface DeliveryWithOutbox extends DeliveryRow {
  outbox_status: Row<'outbox_messages'>['status'] | null;
  attempts: number | null;
  sent_at: Date | null;
  smtp_response: string | null;
  last_error: string | null;
}

/**
 * Correspondence queries for writing and sending items and for reading them: cases, threads, items,
 * their deliveries and attachments, and who the roles are. Inbound filing's are in
 * `inbound.repository.ts`, delivery reports' and failing addresses' in `bounces.repository.ts`.
 * Plain rows in, plain rows out.
 */
export class CorrespondenceRepository {
  constructor(readonly db: DbOrTx) {}

  /** Whether the authority has been told of the case (the complaints module's rule). */
  caseTold(complaintId: string): Promise<boolean> {
    return toldToAuthorityOf(this.db, complaintId);
  }

  with(db: DbOrTx): CorrespondenceRepository {
    return new CorrespondenceRepository(db);
  }

  complaint(id: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'reference', 'authority_id', 'status', 'outcome'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  complaintByReference(reference: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'reference', 'authority_id', 'status'])
      .where('reference', '=', reference)
      .executeTakeFirst();
  }

  authorityName(id: string) {
    return this.db.selectFrom('authorities').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  thread(id: string) {
    return this.db.selectFrom('correspondence_threads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  threadFor(complaintId: string, audience: ThreadRow['audience']) {
    return this.db
      .selectFrom('correspondence_threads')
      .selectAll()
      .where('complaint_id', '=', complaintId)
      .where('audience', '=', audience)
      .executeTakeFirst();
  }

  /** Inserts the thread unless it exists; returns the one that does. */
  async ensureThread(values: NewRow<'correspondence_threads'>): Promise<ThreadRow> {
    await this.db
      .insertInto('correspondence_threads')
      .values(values)
      .onConflict((oc) => oc.columns(['complaint_id', 'audience']).doNothing())
      .execute();
    const row = await this.threadFor(values.complaint_id, values.audience);
    if (!row) throw new Error('thread missing after insert');
    return row;
  }

  insertItem(values: NewRow<'correspondence_items'>) {
    return this.db.insertInto('correspondence_items').values(values).returningAll().executeTakeFirstOrThrow();
  }

  item(id: string) {
    return this.db.selectFrom('correspondence_items').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockItem(id: string) {
    return this.db.selectFrom('correspondence_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  markDispatched(id: string, at: Date) {
    return this.db.updateTable('correspondence_items').set({ dispatched_at: at }).where('id', '=', id).execute();
  }

  /** Outbound items written but not yet addressed, oldest first. */
  undispatchedItems(limit: number) {
    return this.db
      .selectFrom('correspondence_items')
      .select('id')
      .where('direction', '=', 'outbound')
      .where('dispatched_at', 'is', null)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  insertDelivery(values: NewRow<'correspondence_deliveries'>) {
    return this.db
      .insertInto('correspondence_deliveries')
      .values(values)
      .onConflict((oc) => oc.columns(['item_id', 'address']).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  setDeliveryOutbox(id: string, outboxId: string) {
    return this.db
      .updateTable('correspondence_deliveries')
      .set({ outbox_message_id: outboxId })
      .where('id', '=', id)
      .execute();
  }

  deliveryByOutbox(outboxId: string) {
    return this.db
      .selectFrom('correspondence_deliveries')
      .selectAll()
      .where('outbox_message_id', '=', outboxId)
      .executeTakeFirst();
  }

  deliveriesOfItem(itemId: string) {
    return this.db.selectFrom('correspondence_deliveries').selectAll().where('item_id', '=', itemId).execute();
  }

  parties(complaintId: string) {
    return this.db
      .selectFrom('complaint_parties')
      .select(['role', 'name', 'email'])
      .where('complaint_id', '=', complaintId)
      .execute();
  }

  chiefExecutive(authorityId: string) {
    return this.db
      .selectFrom('senior_officers')
      .select(['name', 'job_title', 'email'])
      .where('authority_id', '=', authorityId)
      .where('role', '=', 'chief-executive')
      .executeTakeFirst();
  }

  /** The authority's monitoring officer, or its head of service for the complaint's service area. */
  seniorOfficerFor(authorityId: string, complaintId: string, role: 'monitoring-officer' | 'head-of-service') {
    let query = this.db
      .selectFrom('senior_officers as s')
      .select(['s.name', 's.job_title', 's.email'])
      .where('s.authority_id', '=', authorityId)
      .where('s.role', '=', role);
    if (role === 'head-of-service') {
      query = query.where(
        's.service_area',
        '=',
        this.db.selectFrom('complaints').select('service_area').where('id', '=', complaintId),
      );
    }
    return query.executeTakeFirst();
  }

  // Reading a case's correspondence and the portal's -------------------------------------------

  itemsOfComplaint(complaintId: string, audience: ThreadRow['audience'] | null) {
    let query = this.db
      .selectFrom('correspondence_items as i')
      .innerJoin('correspondence_threads as t', 't.id', 'i.thread_id')
      .selectAll('i')
      .select('t.audience')
      .where('i.complaint_id', '=', complaintId)
      .orderBy('i.created_at', 'asc')
      .orderBy('i.id', 'asc');
    if (audience) query = query.where('t.audience', '=', audience);
    return query.execute();
  }

  deliveriesOfItems(itemIds: readonly string[]): Promise<DeliveryWithOutbox[]> {
    if (itemIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('correspondence_deliveries as d')
      .leftJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
      .selectAll('d')
      .select(['o.status as outbox_status', 'o.attempts', 'o.sent_at', 'o.smtp_response', 'o.last_error'])
      .where('d.item_id', 'in', itemIds)
      .orderBy('d.created_at')
      .orderBy('d.address')
      .execute();
  }

  attachmentsOfItems(itemIds: readonly string[]) {
    if (itemIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('correspondence_attachments')
      .selectAll()
      .where('item_id', 'in', itemIds)
      .orderBy('filename')
      .execute();
  }

  /** Outbound items to an authority, newest first, for the portal; none of a case it was not told of. */
  portalItems(authorityId: string, limit: number, after: readonly [string, string] | null) {
    let query = this.db
      .selectFrom('correspondence_items as i')
      .innerJoin('correspondence_threads as t', 't.id', 'i.thread_id')
      .innerJoin('complaints as c', 'c.id', 'i.complaint_id')
      .select(['i.id', 'i.kind', 'i.subject', 'i.created_at', 'i.dispatched_at', 'c.reference', 'c.id as complaint_id'])
      .select(preciseTimestamp('i.created_at').as('created_key'))
      .where('i.authority_id', '=', authorityId)
      .where('t.audience', '=', 'authority')
      .where('i.direction', '=', 'outbound')
      .where(toldToAuthoritySql('c'))
      .orderBy('i.created_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(limit);
    if (after)
      query = query.where((eb) => afterKeyset([eb.ref('i.created_at'), eb.ref('i.id')], [after[0], after[1]], 'desc'));
    return query.execute();
  }

  /** The addresses (lower case) mail to a user reaches: their account's, and their correspondence address as a link officer. */
  async addressesOfUser(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(sql<string>`lower(email)`.as('address'))
      .where('id', '=', userId)
      .union(
        this.db
          .selectFrom('link_officers')
          .select(sql<string>`lower(coalesce(correspondence_email, email))`.as('address'))
          .where('user_id', '=', userId),
      )
      .execute();
    return rows.map((a) => a.address);
  }

  /** Marks an item's deliveries to these addresses (lower case) opened, if not already; returns those it marked. */
  markDeliveriesOpened(itemId: string, addresses: readonly string[], at: Date) {
    return this.db
      .updateTable('correspondence_deliveries')
      .set({ opened_at: at })
      .where('item_id', '=', itemId)
      .where('opened_at', 'is', null)
      .where(sql<string>`lower(address)`, 'in', addresses)
      .returning('id')
      .execute();
  }
}
