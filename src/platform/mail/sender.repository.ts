import { sql, type Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';

export type OutboxRow = Row<'outbox_messages'>;
export type Attachment = { filename: string; content_type: string; content: Buffer };

/** A record of the hand-over ledger: a message's DATA phase beginning (for its claim), or the relay's acceptance. */
export type HandOverRecord =
  { op: 'begin'; id: string; attempts: number } | { op: 'sent'; id: string; response: string };

/** What a failed attempt leaves on its message's row. */
export interface FailureRecord {
  status: 'failed' | 'queued';
  last_error: string;
  smtp_response: string | null;
  next_attempt_at: Date | null;
}

/** Kysely queries of the mail sender over the outbox (claims, outcomes, recovery). */
export class MailSenderRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Claims whose lease ended and whose message was never handed over go back to the queue; their ids. */
  async requeueExpired(now: Date): Promise<{ id: string }[]> {
    return this.db
      .updateTable('outbox_messages')
      .set({ status: 'queued', next_attempt_at: null })
      .where('status', '=', 'sending')
      .where('next_attempt_at', '<=', now)
      .where('transmit_started_at', 'is', null)
      .returning('id')
      .execute();
  }

  /** Claims whose lease ended after their message was handed over become `unknown`; their ids. */
  async markExpiredUnknown(now: Date): Promise<{ id: string }[]> {
    return this.db
      .updateTable('outbox_messages')
      .set({
        status: 'unknown',
        next_attempt_at: null,
        last_error:
          'The sender stopped while handing this message to the mail server: it may or may not have been sent',
      })
      .where('status', '=', 'sending')
      .where('next_attempt_at', '<=', now)
      .where('transmit_started_at', 'is not', null)
      .returning('id')
      .execute();
  }

  /** Holds every message due (no relay to send to); how many. */
  async holdDue(now: Date): Promise<number> {
    const rows = await this.db
      .updateTable('outbox_messages')
      .set({ status: 'held', next_attempt_at: null })
      .where('status', '=', 'queued')
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
      .returning('id')
      .execute();
    return rows.length;
  }

  /**
   * Claims up to `limit` due messages in one statement (FOR UPDATE SKIP LOCKED, so senders at once
   * claim different ones): each becomes `sending`, one attempt more, until `leaseEnds`. Messages to
   * one person are chosen before a mailing's (`bulk`), oldest first within each, and returned first.
   */
  async claimDue(now: Date, limit: number, leaseEnds: Date): Promise<OutboxRow[]> {
    const due = this.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('status', '=', 'queued')
      .where(sql<boolean>`(next_attempt_at IS NULL OR next_attempt_at <= ${now})`)
      .orderBy('bulk')
      .orderBy('created_at')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    // An UPDATE returns its rows in no particular order: those to one person are put first. Within
    // each, the order is left as it comes: sorting a batch by age puts messages to one domain next
    // to each other (a council's two link officers), where its pacing holds up the lanes.
    return this.db
      .with('claimed', (db) =>
        db
          .updateTable('outbox_messages')
          .set((eb) => ({
            status: 'sending',
            attempts: eb('attempts', '+', 1),
            transmit_started_at: null,
            next_attempt_at: leaseEnds,
          }))
          .where('id', 'in', due)
          .returningAll(),
      )
      .selectFrom('claimed')
      .selectAll()
      .orderBy('bulk')
      .execute();
  }

  /** The attachments of these messages, each with its message's id. */
  async attachmentsOf(ids: readonly string[]): Promise<(Attachment & { outbox_message_id: string })[]> {
    return this.db
      .selectFrom('outbox_attachments')
      .select(['outbox_message_id', 'filename', 'content_type', 'content'])
      .where('outbox_message_id', 'in', ids)
      .execute();
  }

  /** Records a failed attempt on a message still being sent. */
  async recordFailure(id: string, failure: FailureRecord): Promise<void> {
    await this.db
      .updateTable('outbox_messages')
      .set({
        status: failure.status,
        last_error: failure.last_error,
        smtp_response: failure.smtp_response,
        transmit_started_at: null,
        next_attempt_at: failure.next_attempt_at,
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .execute();
  }

  /**
   * Writes hand-over records in one statement, in a transaction whose COMMIT is sent before `written`
   * is told which records were taken (each as `op:id`), without waiting for its answer: the messages'
   * ends then follow in the same turn of the event loop. So a sender killed while the statement runs
   * or while it waits for a core leaves the records uncommitted and the messages unfinished (sent
   * later); only the microseconds between the COMMIT and the ends being written can leave a recorded
   * hand-over whose end never left. When the COMMIT fails, `commitFailed` is told and the records are
   * written again on their own, so they are kept if at all possible.
   */
  async writeHandOvers(
    records: readonly HandOverRecord[],
    now: Date,
    hooks: { written: (keys: ReadonlySet<string>) => void; commitFailed: (error: unknown) => void },
  ): Promise<void> {
    const values = sql.join(
      records.map(
        (i) =>
          sql`(${i.id}::uuid, ${i.op}, ${i.op === 'begin' ? i.attempts : null}::int, ${i.op === 'sent' ? i.response : null}::text)`,
      ),
    );
    // One statement for both kinds: a begin is taken only by the claim that made it (same attempt,
    // nothing handed over yet); an acceptance settles a row still being sent.
    const statement = sql<{ id: string; op: string }>`
      UPDATE outbox_messages AS o SET
        transmit_started_at = CASE WHEN v.op = 'begin' THEN ${now}::timestamptz ELSE o.transmit_started_at END,
        status = CASE WHEN v.op = 'sent' THEN 'sent' ELSE o.status END,
        sent_at = CASE WHEN v.op = 'sent' THEN ${now}::timestamptz ELSE o.sent_at END,
        smtp_response = CASE WHEN v.op = 'sent' THEN v.response ELSE o.smtp_response END,
        last_error = CASE WHEN v.op = 'sent' THEN NULL ELSE o.last_error END,
        next_attempt_at = CASE WHEN v.op = 'sent' THEN NULL ELSE o.next_attempt_at END
      FROM (VALUES ${values}) AS v(id, op, attempts, response)
      WHERE o.id = v.id AND o.status = 'sending'
        AND (v.op = 'sent' OR (o.transmit_started_at IS NULL AND o.attempts = v.attempts))
      RETURNING o.id, v.op`;
    const trx = await this.db.startTransaction().execute();
    let written: Set<string>;
    try {
      written = new Set((await statement.execute(trx)).rows.map((r) => `${r.op}:${r.id}`));
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw error;
    }
    const committed = trx.commit().execute();
    hooks.written(written);
    try {
      await committed;
    } catch (error) {
      hooks.commitFailed(error);
      await statement.execute(this.db);
    }
  }
}
