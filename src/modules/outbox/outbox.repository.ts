import { sql, type Kysely } from 'kysely';
import type { Database, Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';

export type OutboxListRow = Pick<
  Row<'outbox_messages'>,
  'id' | 'kind' | 'to_address' | 'subject' | 'status' | 'attempts' | 'created_at' | 'sent_at'
> & { created_key: string };

export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Newest first; `after` is the (created_at, id) key of the last row of the previous page. */
  list(limit: number, after: readonly [string, string] | null): Promise<OutboxListRow[]> {
    let query = this.db
      .selectFrom('outbox_messages')
      .select(['id', 'kind', 'to_address', 'subject', 'status', 'attempts', 'created_at', 'sent_at'])
      .select(preciseTimestamp('created_at').as('created_key'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (after) {
      query = query.where((eb) => afterKeyset([eb.ref('created_at'), eb.ref('id')], [after[0], after[1]], 'desc'));
    }
    return query.execute();
  }

  find(id: string): Promise<Row<'outbox_messages'> | undefined> {
    return this.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirst();
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
