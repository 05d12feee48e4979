import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { RowUpdate } from '../../platform/db/schema.ts';

/**
 * The queries of a person's erasure from correspondence: finding the records that name them or come
 * from their addresses, and writing those records back redacted. Addresses and names are compared
 * in lower case; `identifying` is given in lower case.
 */
export class CorrespondenceErasureRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Replaces these addresses (lower case) on delivery records with a marker naming only the row. */
  async eraseDeliveryAddresses(addresses: readonly string[]): Promise<void> {
    await this.db
      .updateTable('correspondence_deliveries')
      .set({ address: sql<string>`'[erased]:' || id::text` })
      .where(sql<string>`lower(address)`, 'in', addresses)
      .execute();
  }

  /** The authority's items that name the person, and items from their addresses. */
  itemsNaming(authorityId: string, identifying: readonly string[], addresses: readonly string[]) {
    return this.db
      .selectFrom('correspondence_items')
      .select(['id', 'subject', 'text_body', 'html_body', 'from_address', 'sender_name'])
      .where((eb) =>
        eb.or([
          eb.and([
            eb('authority_id', '=', authorityId),
            names(
              identifying,
              sql<string>`subject || ' ' || text_body || ' ' || coalesce(html_body, '') || ' ' || coalesce(from_address, '')`,
            ),
          ]),
          ...(addresses.length > 0 ? [eb(sql<string>`lower(from_address)`, 'in', addresses)] : []),
        ]),
      )
      .execute();
  }

  async updateItem(id: string, values: RowUpdate<'correspondence_items'>): Promise<void> {
    await this.db.updateTable('correspondence_items').set(values).where('id', '=', id).execute();
  }

  /**
   * Inbound mail from or to the person's addresses, and mail on the authority's threads that names
   * them, with its stored source.
   */
  inboundNaming(authorityId: string, identifying: readonly string[], addresses: readonly string[]) {
    return this.db
      .selectFrom('inbound_messages as m')
      .select([
        'm.id',
        'm.envelope_from',
        'm.from_address',
        'm.to_addresses',
        'm.subject',
        'm.text_body',
        'm.html_body',
        'm.raw_key',
      ])
      .select('m.raw_message')
      .where((eb) =>
        eb.or([
          ...(addresses.length > 0
            ? [
                eb(sql<string>`lower(coalesce(m.envelope_from, ''))`, 'in', addresses),
                ...addresses.map((a) =>
                  eb(
                    sql`position(${a} in lower(coalesce(m.from_address, '') || ' ' || coalesce(m.to_addresses, '')))`,
                    '>',
                    0,
                  ),
                ),
              ]
            : []),
          eb.and([
            eb(
              'm.thread_id',
              'in',
              eb.selectFrom('correspondence_threads').select('id').where('authority_id', '=', authorityId),
            ),
            names(
              identifying,
              sql<string>`coalesce(m.from_address, '') || ' ' || coalesce(m.subject, '') || ' ' || coalesce(m.text_body, '') || ' ' || coalesce(m.html_body, '')`,
            ),
          ]),
        ]),
      )
      .execute();
  }

  async updateInbound(id: string, values: RowUpdate<'inbound_messages'>): Promise<void> {
    await this.db.updateTable('inbound_messages').set(values).where('id', '=', id).execute();
  }
}

/** Whether a text (in any case) contains any of the strings (lower case); false when there are none. */
function names(identifying: readonly string[], text: ReturnType<typeof sql<string>>) {
  return identifying.length === 0
    ? sql<boolean>`false`
    : sql<boolean>`(${sql.join(
        identifying.map((n) => sql`position(${n} in lower(${text})) > 0`),
        sql` OR `,
      )})`;
}
