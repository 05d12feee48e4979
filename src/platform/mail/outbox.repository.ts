import type { Insertable } from 'kysely';
import type { DbOrTx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type OutboxInsert = Insertable<Database['outbox_messages']>;
type AttachmentInsert = Insertable<Database['outbox_attachments']>;

/** The outbox's writes, with the caller's database handle or transaction. */
export const outboxRepository = {
  /** Inserts a message unless its idempotency key is there already; its id, or undefined when skipped. */
  async insertMessage(db: DbOrTx, row: OutboxInsert): Promise<string | undefined> {
    const inserted = await db
      .insertInto('outbox_messages')
      .values(row)
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted?.id;
  },

  /**
   * Inserts a message with its attachments unless its idempotency key is there already (then
   * nothing is written); its id, or undefined when skipped.
   */
  async insertWithAttachments(
    db: DbOrTx,
    row: OutboxInsert,
    attachments: readonly { filename: string; contentType: string; content: Buffer }[] = [],
  ): Promise<string | undefined> {
    const id = await outboxRepository.insertMessage(db, row);
    if (id === undefined || attachments.length === 0) return id;
    const rows: AttachmentInsert[] = attachments.map((a) => ({
      outbox_message_id: id,
      filename: a.filename,
      content_type: a.contentType,
      content: a.content,
    }));
    await db.insertInto('outbox_attachments').values(rows).execute();
    return id;
  },

  /** Inserts many messages in one statement, skipping keys already there; how many were written. */
  async insertMessages(db: DbOrTx, rows: readonly OutboxInsert[]): Promise<number> {
    const inserted = await db
      .insertInto('outbox_messages')
      .values([...rows])
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  },
};
