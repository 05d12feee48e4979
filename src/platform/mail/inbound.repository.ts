import type { Insertable } from 'kysely';
import type { DbOrTx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import './inbound.tables.ts';

/** Kysely queries of the inbound mail gateway over `inbound_messages`. */
export class InboundMailRepository {
  constructor(private readonly db: DbOrTx) {}

  /**
   * Inserts a message's row, unless a row with its Message-ID and hash is there already: then that
   * row's id, `again`.
   */
  async insertOnce(
    values: Insertable<Database['inbound_messages']> & { message_id: string | null; content_sha256: string },
  ): Promise<{ id: string; again: boolean }> {
    const row = await this.db
      .insertInto('inbound_messages')
      .values(values)
      .onConflict((oc) => oc.columns(['message_id', 'content_sha256']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) return { id: row.id, again: false };
    // Only a row with this Message-ID (not null: a null never conflicts) and hash is in the way.
    const first = await this.db
      .selectFrom('inbound_messages')
      .select('id')
      .where('message_id', '=', values.message_id ?? '')
      .where('content_sha256', '=', values.content_sha256)
      .executeTakeFirstOrThrow();
    return { id: first.id, again: true };
  }
}
