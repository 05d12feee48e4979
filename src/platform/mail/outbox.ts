import crypto from 'node:crypto';
import type { DbOrTx } from '../db/database.ts';
import type { JobDefinition, JobQueue } from '../jobs/queue.ts';
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
  /**
   * One of a mailing to many (a newsletter issue): sent after every message waiting for one person,
   * so a mailing never holds up a sign-in link or a notice.
   */
  bulk?: boolean;
}

/**
 * The way into the outbox. Each write takes the transaction of the change that causes the message,
 * and in that same transaction enqueues the job that sends it (`mail.send`): the change, the message
 * and its sending commit together or not at all, and the message goes as soon as a worker takes the
 * job, without anyone polling for it.
 */
export class Outbox {
  constructor(
    private readonly jobs: JobQueue,
    private readonly sendJob: JobDefinition,
  ) {}

  /**
   * Writes a message and its sending job. Returns the new message's id, or null when a message with
   * the same idempotency key was already there (nothing is written).
   */
  async enqueue(db: DbOrTx, mail: OutgoingMail): Promise<string | null> {
    const id = await outboxRepository.insertWithAttachments(db, outboxRow(mail), mail.attachments);
    if (id === undefined) return null;
    await this.dispatch(db);
    return id;
  }

  /**
   * Writes many messages without attachments in one statement (a mailing to thousands), with one
   * sending job for them all. A key already in the outbox is skipped. Returns how many were written.
   */
  async enqueueMany(db: DbOrTx, mails: readonly Omit<OutgoingMail, 'attachments'>[]): Promise<number> {
    if (mails.length === 0) return 0;
    const written = await outboxRepository.insertMessages(db, mails.map(outboxRow));
    if (written > 0) await this.dispatch(db);
    return written;
  }

  /**
   * Enqueues the sending job alone, for a change that wrote outbox rows in a statement of its own
   * (with `outboxRow`) or queued a message again.
   */
  async dispatch(db: DbOrTx): Promise<void> {
    await this.jobs.enqueue(db, this.sendJob, {});
  }
}

/**
 * The outbox row of a message, with its id made here (so attachments can name it). For statements
 * that write messages together with other rows, followed by `Outbox.dispatch` in their transaction.
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
    bulk: mail.bulk ?? false,
    headers: JSON.stringify({
      ...(mail.automatic ? { 'Auto-Submitted': 'auto-generated' } : {}),
      ...mail.headers,
    }),
  };
}
