import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { HandOverLedger, truncate } from './hand-over-ledger.ts';
import { bounceAddress } from './reply-address.ts';
import { MailSenderRepository, type Attachment, type OutboxRow } from './sender.repository.ts';

/**
 * Sends the outbox. The outbox table is itself the queue and its delivery ledger: each write to it
 * enqueues a `mail.send` job in the same transaction (see outbox.ts), and that job's run, like the
 * recovery sweep's, claims due messages (FOR UPDATE SKIP LOCKED, status `queued` → `sending`), sends
 * each once over SMTP and records the outcome. A failure goes back to `queued` with an exponential
 * backoff, and the sweep (`mail.sweep`, see mail.jobs.ts) sends it when it falls due; after the last attempt the message stays in the outbox as `failed`. Without SMTP_URL messages are `held`.
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

type Outcome = 'sent' | 'retrying' | 'failed' | 'skipped';

export class MailSender {
  /** One SMTP connection per lane, kept open while a sweep has mail to send. */
  private readonly connections: (SMTPConnection | null)[] = [];
  private readonly throttle: DomainThrottle;
  private readonly ledger: HandOverLedger;
  private readonly outbox: MailSenderRepository;
  /** The drain in progress, if any, and whether a call came while it ran. */
  private running: Promise<SweepResult> | null = null;
  private again = false;

  constructor(
    db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: MailSenderOptions,
    private readonly logger: Logger,
  ) {
    this.throttle = new DomainThrottle(options.perDomainPerSecond ?? 20);
    this.outbox = new MailSenderRepository(db);
    this.ledger = new HandOverLedger(this.outbox, clock, logger);
  }

  get configured(): boolean {
    return this.options.smtpUrl !== undefined;
  }

  /**
   * Sends (or holds) every message now due, round after round until none is left. One drain runs
   * at a time in a process, since its lanes share their connections: a call while one runs joins
   * it, and the drain goes round once more for what the call was made for.
   */
  sendDue(): Promise<SweepResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<SweepResult> => {
      const total: SweepResult = { sent: 0, held: 0, retrying: 0, failed: 0 };
      try {
        do {
          this.again = false;
          const round = await this.drain();
          total.sent += round.sent;
          total.held += round.held;
          total.retrying += round.retrying;
          total.failed += round.failed;
        } while (this.again);
        return total;
      } finally {
        this.running = null;
      }
    };
    this.running = run();
    return this.running;
  }

  private async drain(): Promise<SweepResult> {
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
    const requeued = await this.outbox.requeueExpired(now);
    const unknown = await this.outbox.markExpiredUnknown(now);
    if (requeued.length + unknown.length > 0) {
      this.logger.warn(
        { requeued: requeued.length, unknown: unknown.length },
        'recovered mail claimed by a sender that stopped',
      );
    }
    return { requeued: requeued.length, unknown: unknown.length };
  }

  private async holdDue(): Promise<number> {
    const held = await this.outbox.holdDue(this.clock.now());
    if (held > 0) this.logger.info({ count: held }, 'mail held in the outbox: no SMTP_URL is set');
    return held;
  }

  /** Claims a batch of due messages for this sender alone, in one short transaction. */
  private async claimDue(): Promise<OutboxRow[]> {
    const now = this.clock.now();
    return this.outbox.claimDue(
      now,
      this.options.batchSize ?? Math.max(50, 8 * (this.options.concurrency ?? 4)),
      new Date(now.getTime() + (this.options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000),
    );
  }

  /** Sends a claimed batch over the lanes' connections, each domain at its own pace. */
  private async sendBatch(rows: OutboxRow[]): Promise<Outcome[]> {
    const ids = rows.map((r) => r.id);
    const attachments = await this.outbox.attachmentsOf(ids);
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
    await this.outbox.recordFailure(message.id, {
      status: last ? 'failed' : 'queued',
      last_error: truncate(err.message ?? 'The mail server could not be reached'),
      smtp_response: err.response ? truncate(err.response) : null,
      next_attempt_at: last
        ? null
        : new Date(this.clock.now().getTime() + retryDelayMs(message.attempts, this.options.retryBaseSeconds)),
    });
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
