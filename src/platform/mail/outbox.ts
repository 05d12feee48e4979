import type { DbOrTx } from '../db/database.ts';

export interface OutgoingMail {
  /** What kind of message, e.g. `invitation`, `password-reset`; shown on the outbox page. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
  /** Unique per message and recipient: enqueueing the same key twice stores it once. */
  idempotencyKey: string;
}

/**
 * Writes a message to the outbox. Call it with the transaction of the change that causes the
 * message, so both commit or neither does; a job sends it afterwards.
 */
export async function enqueueMail(db: DbOrTx, mail: OutgoingMail): Promise<void> {
  await db
    .insertInto('outbox_messages')
    .values({
      idempotency_key: mail.idempotencyKey,
      kind: mail.kind,
      to_address: mail.to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html ?? null,
      headers: JSON.stringify(mail.headers ?? {}),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}
