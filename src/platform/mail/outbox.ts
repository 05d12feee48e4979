import crypto from 'node:crypto';
import type { DbOrTx } from '../db/database.ts';
import { outboxRepository } from './outbox.repository.ts';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

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
  attachments?: readonly OutgoingAttachment[];
  /**
   * Sent by the system on its own (an acknowledgement, an invitation, a notice), not a letter someone
   * wrote: it carries `Auto-Submitted: auto-generated` (RFC 3834), so that auto-responders stay quiet.
   */
  automatic?: boolean;
}

/**
 * Writes a message to the outbox. Call it with the transaction of the change that causes the
 * message, so both commit or neither does; a job sends it afterwards. Returns the new message's id,
 * or null when a message with the same idempotency key was already there (nothing is written).
 */
export async function enqueueMail(db: DbOrTx, mail: OutgoingMail): Promise<string | null> {
  const id = await outboxRepository.insertMessage(db, outboxRow(mail));
  if (id === undefined) return null;
  if (mail.attachments && mail.attachments.length > 0) {
    await outboxRepository.insertAttachments(
      db,
      mail.attachments.map((a) => ({
        outbox_message_id: id,
        filename: a.filename,
        content_type: a.contentType,
        content: a.content,
      })),
    );
  }
  return id;
}

/**
 * The outbox row of a message, with its id made here (so attachments can name it). For statements
 * that write messages together with other rows; `enqueueMail` and `enqueueMails` use it too.
 */
export function outboxRow(mail: OutgoingMail) {
  return {
    id: crypto.randomUUID(),
    idempotency_key: mail.idempotencyKey,
    kind: mail.kind,
    to_address: mail.to,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html ?? null,
    headers: JSON.stringify({
      ...(mail.automatic ? { 'Auto-Submitted': 'auto-generated' } : {}),
      ...mail.headers,
    }),
  };
}

/**
 * Writes many messages without attachments in one statement (a mailing to thousands), in the
 * caller's transaction like `enqueueMail`. A key already in the outbox is skipped. Returns how many
 * were written.
 */
export async function enqueueMails(db: DbOrTx, mails: readonly Omit<OutgoingMail, 'attachments'>[]): Promise<number> {
  if (mails.length === 0) return 0;
  return outboxRepository.insertMessages(db, mails.map(outboxRow));
}
