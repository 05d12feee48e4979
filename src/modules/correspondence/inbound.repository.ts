import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';

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

/**
 * Inbound filing's queries: the stored inbound messages and the holding pen's list of those held,
 * what matching a message to its case thread reads (reply tokens, earlier Message-IDs, the addresses
 * a thread and an authority write from, who a sender is on a case), and the attachments filed.
 */
export class InboundRepository {
  constructor(readonly db: DbOrTx) {}

  with(db: DbOrTx): InboundRepository {
    return new InboundRepository(db);
  }

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

  // Matching a message to its thread and sender -------------------------------------------------

  threadByToken(token: string) {
    return this.db.selectFrom('correspondence_threads').selectAll().where('reply_token', '=', token).executeTakeFirst();
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

  insertAttachment(values: NewRow<'correspondence_attachments'>) {
    return this.db.insertInto('correspondence_attachments').values(values).execute();
  }
}
