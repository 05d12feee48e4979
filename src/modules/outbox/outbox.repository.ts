import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';

export type OutboxListRow = Pick<
  Row<'outbox_messages'>,
  'id' | 'kind' | 'to_address' | 'subject' | 'status' | 'attempts' | 'created_at' | 'sent_at' | 'resent_at'
> & { created_key: string };

/** A message with the name of the administrator who sent it again, if one did. */
export type OutboxMessageRow = Row<'outbox_messages'> & { resent_by_name: string | null };

export class OutboxRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): OutboxRepository {
    return new OutboxRepository(db);
  }

  /** Newest first; `after` is the (created_at, id) key of the last row of the previous page. */
  list(limit: number, after: readonly [string, string] | null): Promise<OutboxListRow[]> {
    let query = this.db
      .selectFrom('outbox_messages')
      .select(['id', 'kind', 'to_address', 'subject', 'status', 'attempts', 'created_at', 'sent_at', 'resent_at'])
      .select(preciseTimestamp('created_at').as('created_key'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (after) {
      query = query.where((eb) => afterKeyset([eb.ref('created_at'), eb.ref('id')], [after[0], after[1]], 'desc'));
    }
    return query.execute();
  }

  find(id: string): Promise<OutboxMessageRow | undefined> {
    return this.db
      .selectFrom('outbox_messages as m')
      .leftJoin('users as u', 'u.id', 'm.resent_by')
      .selectAll('m')
      .select('u.display_name as resent_by_name')
      .where('m.id', '=', id)
      .executeTakeFirst();
  }

  /** The message's state, locked for the rest of the transaction. */
  lock(id: string) {
    return this.db
      .selectFrom('outbox_messages')
      .select(['id', 'status', 'to_address'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /**
   * Queues a message of unknown delivery to be sent again as it is (the same row, so the same
   * Message-ID), recording when and by whom. Only a message still `unknown` changes.
   */
  async queueAgain(id: string, by: string | null, at: Date): Promise<void> {
    await this.db
      .updateTable('outbox_messages')
      .set({
        status: 'queued',
        next_attempt_at: null,
        transmit_started_at: null,
        last_error: null,
        resent_at: at,
        resent_by: by,
      })
      .where('id', '=', id)
      .where('status', '=', 'unknown')
      .execute();
  }

  /** A message's attachments: names, types and sizes, not their content. */
  attachments(messageId: string) {
    return this.db
      .selectFrom('outbox_attachments')
      .select(['filename', 'content_type', sql<number>`octet_length(content)`.as('size')])
      .where('outbox_message_id', '=', messageId)
      .orderBy('id')
      .execute();
  }
}
