import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database, NewRow, Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';
import { toldToAuthorityOf, toldToAuthoritySql } from '../complaints/complaints.sql.ts';

export type ThreadRow = Row<'correspondence_threads'>;
export type ItemRow = Row<'correspondence_items'>;
export type DeliveryRow = Row<'correspondence_deliveries'>;
export type InboundRow = Row<'inbound_messages'>;
/** An inbound message without its raw source (which can be megabytes) and its source's hash. */
export type InboundMeta = Omit<InboundRow, 'raw_message' | 'content_sha256'>;

const INBOUND_META = [
  'id',
  'received_at',
  'envelope_from',
  'envelope_to',
  'from_address',
  'to_addresses',
  'subject',
  'message_id',
  'in_reply_to',
  'message_references',
  'text_body',
  'html_body',
  'raw_size',
  'raw_key',
  'status',
  'thread_id',
  'hold_reason',
  'auto_reply_reason',
  'processed_at',
  'decided_by',
  'decided_at',
  'discard_reason',
  'unreadable_reason',
] as const;

/** A delivery with its outbox message's state. */
export interface DeliveryWithOutbox extends DeliveryRow {
  outbox_status: Row<'outbox_messages'>['status'] | null;
  attempts: number | null;
  sent_at: Date | null;
  smtp_response: string | null;
  last_error: string | null;
}

export type HeldListRow = Pick<
  InboundRow,
  | 'id'
  | 'received_at'
  | 'from_address'
  | 'subject'
  | 'hold_reason'
  | 'auto_reply_reason'
  | 'unreadable_reason'
  | 'raw_size'
> & { received_key: string };

/** Correspondence queries. Plain rows in, plain rows out. */
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

  threadByToken(token: string) {
    return this.db.selectFrom('correspondence_threads').selectAll().where('reply_token', '=', token).executeTakeFirst();
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

  /** The item an inbound Message-ID names, when it is one we filed. */
  itemByMessageId(messageId: string) {
    return this.db
      .selectFrom('correspondence_items')
      .selectAll()
      .where('message_id', '=', messageId)
      .limit(1)
      .executeTakeFirst();
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

  deliveryByItemAndAddress(itemId: string, address: string) {
    return this.db
      .selectFrom('correspondence_deliveries')
      .selectAll()
      .where('item_id', '=', itemId)
      .where(sql<boolean>`lower(address) = ${address.toLowerCase()}`)
      .executeTakeFirst();
  }

  deliveriesOfItem(itemId: string) {
    return this.db.selectFrom('correspondence_deliveries').selectAll().where('item_id', '=', itemId).execute();
  }

  updateDelivery(
    id: string,
    values: Partial<
      Pick<DeliveryRow, 'deferred_at' | 'bounced_at' | 'bounce_status' | 'bounce_diagnostic' | 'opened_at'>
    >,
  ) {
    return this.db.updateTable('correspondence_deliveries').set(values).where('id', '=', id).execute();
  }

  /** Every address a thread has written to. */
  async threadAddresses(threadId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('correspondence_deliveries as d')
      .innerJoin('correspondence_items as i', 'i.id', 'd.item_id')
      .select(sql<string>`lower(d.address)`.as('address'))
      .where('i.thread_id', '=', threadId)
      .distinct()
      .execute();
    return rows.map((r) => r.address);
  }

  /** The addresses an authority may write from: its link officers, senior officers, generic inbox and portal users. */
  async authorityAddresses(authorityId: string): Promise<string[]> {
    const rows = await sql<{ address: string }>`
      SELECT lower(email) AS address FROM link_officers WHERE authority_id = ${authorityId}
      UNION SELECT lower(correspondence_email) FROM link_officers WHERE authority_id = ${authorityId} AND correspondence_email IS NOT NULL
      UNION SELECT lower(email) FROM senior_officers WHERE authority_id = ${authorityId}
      UNION SELECT lower(generic_inbox) FROM authorities WHERE id = ${authorityId} AND generic_inbox IS NOT NULL
      UNION SELECT lower(email) FROM users WHERE authority_id = ${authorityId} AND status <> 'deactivated'`.execute(
      this.db,
    );
    return rows.rows.map((r) => r.address);
  }

  /**
   * Who an address belongs to on a case, as it stands now: a party to the complaint (by role only), a
   * link officer, a portal user of the authority (by their authority role), a senior officer, or the
   * authority's inbox. Null when the case does not know the address.
   */
  async sender(
    complaintId: string,
    authorityId: string,
    address: string,
  ): Promise<{ role: string; name: string | null } | null> {
    const rows = await sql<{ role: string; name: string | null; rank: number }>`
      SELECT role, NULL::text AS name, 1 AS rank FROM complaint_parties
        WHERE complaint_id = ${complaintId} AND lower(email) = ${address}
      UNION ALL SELECT 'link-officer', forename || ' ' || surname, 2 FROM link_officers
        WHERE authority_id = ${authorityId} AND (lower(email) = ${address} OR lower(correspondence_email) = ${address})
      UNION ALL SELECT coalesce(r.role, 'authority-user'), u.display_name,
          CASE r.role WHEN 'link-officer' THEN 3 WHEN 'delegate' THEN 4 ELSE 5 END
        FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
        WHERE u.authority_id = ${authorityId} AND lower(u.email) = ${address}
      UNION ALL SELECT role, name, 6 FROM senior_officers
        WHERE authority_id = ${authorityId} AND lower(email) = ${address}
      UNION ALL SELECT 'generic-inbox', NULL, 7 FROM authorities
        WHERE id = ${authorityId} AND lower(generic_inbox) = ${address}
      ORDER BY rank
      LIMIT 1`.execute(this.db);
    const row = rows.rows[0];
    return row ? { role: row.role, name: row.name } : null;
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

  // Reading a case's correspondence ------------------------------------------------------------

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

  insertAttachment(values: NewRow<'correspondence_attachments'>) {
    return this.db.insertInto('correspondence_attachments').values(values).execute();
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

  // Inbound ------------------------------------------------------------------------------------

  inbound(id: string) {
    return this.db.selectFrom('inbound_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockInboundMeta(id: string): Promise<InboundMeta | undefined> {
    return this.db
      .selectFrom('inbound_messages')
      .select(INBOUND_META)
      .where('id', '=', id)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
  }

  /** The source of a message stored before sources were kept as files. */
  async inboundRawColumn(id: string): Promise<Buffer> {
    const row = await this.db
      .selectFrom('inbound_messages')
      .select('raw_message')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (row.raw_message === null) throw new Error(`Inbound message ${id} has no stored source`);
    return Buffer.from(row.raw_message);
  }

  lockInbound(id: string) {
    return this.db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
  }

  updateInbound(id: string, values: Partial<Omit<InboundRow, 'id' | 'raw_message' | 'message_references'>>) {
    return this.db.updateTable('inbound_messages').set(values).where('id', '=', id).execute();
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

  unprocessedInbound(limit: number) {
    return this.db
      .selectFrom('inbound_messages')
      .select('id')
      .where('status', '=', 'unfiled')
      .orderBy('received_at')
      .limit(limit)
      .execute();
  }

  held(limit: number, after: readonly [string, string] | null): Promise<HeldListRow[]> {
    let query = this.db
      .selectFrom('inbound_messages')
      .select([
        'id',
        'received_at',
        'from_address',
        'subject',
        'hold_reason',
        'auto_reply_reason',
        'unreadable_reason',
        'raw_size',
      ])
      .select(preciseTimestamp('received_at').as('received_key'))
      .where('status', '=', 'held')
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (after)
      query = query.where((eb) => afterKeyset([eb.ref('received_at'), eb.ref('id')], [after[0], after[1]], 'desc'));
    return query.execute();
  }

  async countHeld(): Promise<number> {
    const row = await this.db
      .selectFrom('inbound_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'held')
      .executeTakeFirstOrThrow();
    return row.n;
  }

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
}

/** Used by erasure, which runs inside another module's transaction. */
export function correspondenceRepository(db: DbOrTx | Kysely<Database>): CorrespondenceRepository {
  return new CorrespondenceRepository(db);
}
