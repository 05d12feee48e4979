import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Clock } from '../clock.ts';
import type { Database, Row } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { bounceAddress } from './reply-address.ts';

/**
 * Sends the outbox. The outbox table is itself the queue: the worker sweeps it every few seconds,
 * claims due messages (FOR UPDATE SKIP LOCKED, status `queued` → `sending`), sends each once over
 * SMTP and records the outcome. A failure goes back to `queued` with an exponential backoff; after
 * the last attempt the message stays in the outbox as `failed`. Without SMTP_URL messages are `held`.
 *
 * Crashes. Each recipient has its own outbox row, so its state is the idempotency key. A message's
 * content goes to the relay only once the relay has accepted its envelope and DATA has begun; its end
 * (which makes the relay take it) is sent only after its row records `transmit_started_at`. The
 * relay's acceptance is recorded in the same row as it answers. These records are written for all
 * the messages in flight at once, one statement for those that arrive together, not one each, and
 * the ends follow the statement's COMMIT at once, without waiting for its answer. If a
 * sender dies, its claimed rows stay `sending` until their lease ends; then a row never handed over
 * goes back to the queue (it is sent once, later: the relay drops a DATA never finished), and a row
 * handed over without a recorded answer becomes `unknown` and is NOT sent again by itself. That is
 * at-most-once for the moment between the record of the hand-over and the relay's "250" being
 * recorded: a crash in that window can lose a message (staff see it as unknown on the outbox page
 * and can send it again) but can never send it twice. Every message also carries a Message-ID
 * derived from its row, so a relay or recipient that deduplicates by Message-ID would drop a repeat.
 *
 * Throttling. Messages to one destination domain are spaced out (`perDomainPerSecond`) so a council's
 * mail server is not flooded by a batch; other domains go on in parallel.
 */

export interface MailSenderOptions {
  /** smtp:// or smtps:// URL of the relay; absent: messages are held in the outbox. */
  smtpUrl?: string;
  from: string;
  /** Our mail domain: Message-IDs are `<outbox id@domain>`; the envelope sender is `bounce+<outbox id>@domain`. */
  domain: string;
  /** Attempts before a message is marked failed (default 8). */
  maxAttempts?: number;
  /** Messages claimed per round (default 8 per message in flight, at least 50). */
  batchSize?: number;
  /** First retry delay in seconds, doubled each attempt (default 60), capped at 6 hours. */
  retryBaseSeconds?: number;
  /** How long a claim lasts before a dead sender's messages are recovered (default 15 minutes). */
  leaseSeconds?: number;
  /** Messages in flight at once, each lane over its own SMTP connection kept for the sweep (default 4). */
  concurrency?: number;
  /** At most this many messages a second to one destination domain (default 20). */
  perDomainPerSecond?: number;
  /** Told of a message the relay refused for good (a 5xx answer) as it was handed over, with that answer. */
  onRefused?: (outboxId: string, response: string) => Promise<void>;
}

export interface SweepResult {
  sent: number;
  held: number;
  retrying: number;
  failed: number;
}

const DEFAULT_LEASE_SECONDS = 15 * 60;
const MAX_BACKOFF_MS = 6 * 3_600_000;

export function retryDelayMs(attempts: number, baseSeconds = 60): number {
  return Math.min(baseSeconds * 1000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/** The domain of an address, lower-cased ('' if it has none). */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * Spaces sends to each domain at least 1000/rate ms apart, on the wall clock: throttling is about
 * the real relay, not the business clock.
 */
export class DomainThrottle {
  private readonly next = new Map<string, number>();
  constructor(private readonly perSecond: number) {}

  /** Milliseconds to wait before sending to `domain`; reserves the slot. */
  reserve(domain: string, now = Date.now()): number {
    const gap = 1000 / this.perSecond;
    const slot = Math.max(now, this.next.get(domain) ?? 0);
    this.next.set(domain, slot + gap);
    if (this.next.size > 10_000) this.next.clear();
    return slot - now;
  }
}

type OutboxRow = Row<'outbox_messages'>;
type Outcome = 'sent' | 'retrying' | 'failed' | 'skipped';
type Attachment = { filename: string; content_type: string; content: Buffer };

/**
 * The hand-over ledger: the moments each message's DATA phase begins, and the relay's acceptances,
 * written to the outbox in one statement for all those waiting (group commit). While one write runs,
 * the next ones gather, so the messages in flight share a statement instead of taking one each.
 */
class HandOverLedger {
  private pending: (
    | { op: 'begin'; id: string; attempts: number; resolve: (ok: boolean) => void }
    | { op: 'sent'; id: string; response: string; resolve: (ok: boolean) => void }
  )[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Records that this claim's message is being handed over; false when the claim is no longer ours. */
  begin(id: string, attempts: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ op: 'begin', id, attempts, resolve });
      this.schedule();
    });
  }

  /** Records the relay's acceptance; false when the row was not ours to settle. */
  sent(id: string, response: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ op: 'sent', id, response: truncate(response), resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing) return;
    this.writing = (async () => {
      // Let the other lanes of this turn of the event loop join the first write.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.pending.length > 0) {
        const items = this.pending.splice(0);
        try {
          await this.write(items);
        } catch (error) {
          // Begins not written are not sent (their claims are recovered after the lease); acceptances
          // not written leave their rows to become `unknown`, as after a crash.
          this.logger.error({ err: error, count: items.length }, 'the outbox could not record a hand-over');
        }
        // Settles whatever the write did not (a second resolve changes nothing).
        for (const item of items) item.resolve(false);
      }
    })().finally(() => {
      this.writing = null;
      if (this.pending.length > 0) this.schedule();
    });
  }

  /**
   * Writes the records in one statement, in a transaction whose COMMIT is sent before the lanes are
   * told, without waiting for its answer: the messages' ends then follow in the same turn of the
   * event loop. So a sender killed while the statement runs or while it waits for a core leaves the
   * records uncommitted and the messages unfinished (sent later); only the microseconds between the
   * COMMIT and the ends being written can leave a recorded hand-over whose end never left.
   */
  private async write(items: typeof this.pending): Promise<void> {
    const now = this.clock.now();
    const values = sql.join(
      items.map(
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
    for (const item of items) item.resolve(written.has(`${item.op}:${item.id}`));
    try {
      await committed;
    } catch (error) {
      // The ends have gone: write the records again on their own, so they are kept if at all possible.
      this.logger.error({ err: error }, 'the outbox could not commit a hand-over; writing it again');
      await statement.execute(this.db);
    }
  }
}

export class MailSender {
  /** One SMTP connection per lane, kept open while a sweep has mail to send. */
  private readonly connections: (SMTPConnection | null)[] = [];
  private readonly throttle: DomainThrottle;
  private readonly ledger: HandOverLedger;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: MailSenderOptions,
    private readonly logger: Logger,
  ) {
    this.throttle = new DomainThrottle(options.perDomainPerSecond ?? 20);
    this.ledger = new HandOverLedger(db, clock, logger);
  }

  get configured(): boolean {
    return this.options.smtpUrl !== undefined;
  }

  /** Sends (or holds) every message now due, round after round until none is left. */
  async sendDue(): Promise<SweepResult> {
    const result: SweepResult = { sent: 0, held: 0, retrying: 0, failed: 0 };
    await this.recoverExpired();
    if (!this.configured) {
      result.held = await this.holdDue();
      return result;
    }
    try {
      for (;;) {
        const claimed = await this.claimDue();
        if (claimed.length === 0) return result;
        const outcomes = await this.sendBatch(claimed);
        for (const outcome of outcomes) if (outcome !== 'skipped') result[outcome]++;
      }
    } finally {
      // Nothing more is due: the connections are not kept idle between sweeps.
      this.close();
    }
  }

  close(): void {
    for (let i = 0; i < this.connections.length; i++) {
      const connection = this.connections[i];
      this.connections[i] = null;
      connection?.quit();
    }
  }

  /** Claims whose lease ended belong to a sender that died: requeue what it never handed over. */
  async recoverExpired(): Promise<{ requeued: number; unknown: number }> {
    const now = this.clock.now();
    const requeued = await this.db
      .updateTable('outbox_messages')
      .set({ status: 'queued', next_attempt_at: null })
      .where('status', '=', 'sending')
      .where('next_attempt_at', '<=', now)
      .where('transmit_started_at', 'is', null)
      .returning('id')
      .execute();
    const unknown = await this.db
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
    if (requeued.length + unknown.length > 0) {
      this.logger.warn(
        { requeued: requeued.length, unknown: unknown.length },
        'recovered mail claimed by a sender that stopped',
      );
    }
    return { requeued: requeued.length, unknown: unknown.length };
  }

  private async holdDue(): Promise<number> {
    const now = this.clock.now();
    const rows = await this.db
      .updateTable('outbox_messages')
      .set({ status: 'held', next_attempt_at: null })
      .where('status', '=', 'queued')
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
      .returning('id')
      .execute();
    if (rows.length > 0) this.logger.info({ count: rows.length }, 'mail held in the outbox: no SMTP_URL is set');
    return rows.length;
  }

  /** Claims a batch of due messages for this sender alone, in one short transaction. */
  private async claimDue(): Promise<OutboxRow[]> {
    const now = this.clock.now();
    const due = this.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('status', '=', 'queued')
      .where(sql<boolean>`(next_attempt_at IS NULL OR next_attempt_at <= ${now})`)
      .orderBy('created_at')
      .limit(this.options.batchSize ?? Math.max(50, 8 * (this.options.concurrency ?? 4)))
      .forUpdate()
      .skipLocked();
    return this.db
      .updateTable('outbox_messages')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        transmit_started_at: null,
        next_attempt_at: new Date(now.getTime() + (this.options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000),
      }))
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  /** Sends a claimed batch over the lanes' connections, each domain at its own pace. */
  private async sendBatch(rows: OutboxRow[]): Promise<Outcome[]> {
    const ids = rows.map((r) => r.id);
    const attachments = await this.db
      .selectFrom('outbox_attachments')
      .select(['outbox_message_id', 'filename', 'content_type', 'content'])
      .where('outbox_message_id', 'in', ids)
      .execute();
    const byMessage = new Map<string, Attachment[]>();
    for (const a of attachments) byMessage.set(a.outbox_message_id, [...(byMessage.get(a.outbox_message_id) ?? []), a]);

    const outcomes: Promise<Outcome>[] = [];
    let index = 0;
    const lane = async (laneNumber: number) => {
      for (;;) {
        const row = rows[index++];
        if (!row) return;
        const wait = this.throttle.reserve(domainOf(row.to_address));
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // The lane goes on with its next message while the acceptance is recorded.
        const { outcome } = await this.sendOne(laneNumber, row, byMessage.get(row.id) ?? []);
        outcomes.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, rows.length) }, (_, i) => lane(i)));
    return Promise.all(outcomes);
  }

  /**
   * Hands one message to the relay over the lane's connection. The message's content is given only
   * once the relay has accepted its envelope and DATA has begun; at that moment its row records the
   * hand-over (with the others' in one statement) and only then the message's end is sent. A sender
   * killed before that record leaves the message never handed over (the relay drops an unfinished
   * DATA), so it is sent later; killed after, the message is `unknown` and never sent twice.
   * Returns once the relay has answered, with the outcome still being recorded.
   */
  private async sendOne(
    laneNumber: number,
    message: OutboxRow,
    attachments: readonly Attachment[],
  ): Promise<{ outcome: Promise<Outcome> }> {
    const logger = this.logger.child({ outboxId: message.id, kind: message.kind, attempt: message.attempts });
    let started = false;
    let claimLost = false;
    try {
      const raw = await new MailComposer({
        from: this.options.from,
        to: message.to_address,
        subject: message.subject,
        text: message.text_body,
        ...(message.html_body ? { html: message.html_body } : {}),
        headers: stringHeaders(message.headers),
        messageId: `<${message.id}@${this.options.domain}>`,
        ...(attachments.length > 0
          ? {
              attachments: attachments.map((a) => ({
                filename: a.filename,
                contentType: a.content_type,
                content: Buffer.from(a.content),
              })),
            }
          : {}),
      })
        .compile()
        .build();
      const connection = await this.connection(laneNumber);
      const content = new Readable({
        read: () => {
          if (started) return;
          started = true;
          // DATA has begun: all but the end goes now; the end (which makes the relay take the
          // message) only once the hand-over is recorded.
          content.push(raw);
          void this.ledger.begin(message.id, message.attempts).then((ok) => {
            claimLost = !ok;
            if (ok) content.push(null);
            else content.destroy(new Error('This message’s claim has passed to another sender'));
          });
        },
      });
      const response = await new Promise<string>((resolve, reject) => {
        connection.send(
          { from: bounceAddress(message.id, this.options.domain), to: [message.to_address] },
          content,
          (error, info) => (error ? reject(error) : resolve(info?.response ?? '')),
        );
      });
      return {
        outcome: this.ledger.sent(message.id, response).then((ok) => {
          if (ok) logger.info('mail sent');
          return ok ? 'sent' : 'skipped';
        }),
      };
    } catch (error) {
      // A connection that failed, or whose DATA was cut short, is not used again.
      const err = error as { message?: string; response?: string; responseCode?: number; code?: string };
      if (typeof err.responseCode !== 'number') this.dropConnection(laneNumber);
      if (claimLost) return { outcome: Promise.resolve('skipped') };
      return { outcome: this.failed(message, err, logger) };
    }
  }

  private async failed(
    message: OutboxRow,
    err: { message?: string; response?: string; responseCode?: number },
    logger: Logger,
  ): Promise<Outcome> {
    // A permanent refusal (5xx) is final at once; anything else is tried again later.
    const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
    const last = permanent || message.attempts >= (this.options.maxAttempts ?? 8);
    await this.db
      .updateTable('outbox_messages')
      .set({
        status: last ? 'failed' : 'queued',
        last_error: truncate(err.message ?? 'The mail server could not be reached'),
        smtp_response: err.response ? truncate(err.response) : null,
        transmit_started_at: null,
        next_attempt_at: last
          ? null
          : new Date(this.clock.now().getTime() + retryDelayMs(message.attempts, this.options.retryBaseSeconds)),
      })
      .where('id', '=', message.id)
      .where('status', '=', 'sending')
      .execute();
    logger.warn({ err: err.message }, last ? 'mail failed for the last time' : 'mail failed; will retry');
    if (permanent && this.options.onRefused) {
      await this.options.onRefused(message.id, err.response ?? err.message ?? '').catch((e: unknown) => {
        logger.error({ err: e }, 'a refused message could not be recorded on its correspondence');
      });
    }
    return last ? 'failed' : 'retrying';
  }

  private dropConnection(laneNumber: number): void {
    const connection = this.connections[laneNumber];
    this.connections[laneNumber] = null;
    connection?.close();
  }

  /** The lane's open connection to the relay, connected (and signed in) when it has none. */
  private async connection(laneNumber: number): Promise<SMTPConnection> {
    const open = this.connections[laneNumber];
    if (open) return open;
    const url = new URL(this.options.smtpUrl ?? '');
    const connection = new SMTPConnection({
      host: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      secure: url.protocol === 'smtps:',
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    // A connection the relay closes is replaced at the next message.
    const forget = () => {
      if (this.connections[laneNumber] === connection) this.connections[laneNumber] = null;
    };
    connection.on('end', forget);
    connection.on('error', (error: unknown) => {
      forget();
      this.logger.warn({ err: error }, 'the connection to the mail server failed');
    });
    await new Promise<void>((resolve, reject) => {
      connection.once('error', reject);
      connection.connect(() => {
        connection.removeListener('error', reject);
        resolve();
      });
    });
    if (url.username) {
      await new Promise<void>((resolve, reject) =>
        connection.login({ user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    }
    this.connections[laneNumber] = connection;
    return connection;
  }
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

const truncate = (s: string) => (s.length > 1000 ? `${s.slice(0, 997)}...` : s);
