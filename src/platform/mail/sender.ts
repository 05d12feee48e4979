import { sql, type Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
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
 * Crashes. Each recipient has its own outbox row, so its state is the idempotency key. Just before a
 * message is handed to the relay its row records `transmit_started_at`; the relay's acceptance is
 * recorded in the same row the moment it answers. If a sender dies, its claimed rows stay `sending`
 * until their lease ends; then a row never handed over goes back to the queue (it is sent once, later),
 * and a row handed over without a recorded answer becomes `unknown` and is NOT sent again by itself.
 * That is at-most-once for the few milliseconds between the relay's "250" and our write: a crash in
 * that window can lose a message (staff see it as unknown on the outbox page and can send it again)
 * but can never send it twice. Every message also carries a Message-ID derived from its row, so a
 * relay or recipient that deduplicates by Message-ID would drop a repeat anyway.
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
  /** Messages claimed per round (default 50). */
  batchSize?: number;
  /** First retry delay in seconds, doubled each attempt (default 60), capped at 6 hours. */
  retryBaseSeconds?: number;
  /** How long a claim lasts before a dead sender's messages are recovered (default 15 minutes). */
  leaseSeconds?: number;
  /** Messages in flight at once, over as many pooled SMTP connections (default 4). */
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

export class MailSender {
  private transport: Transporter | null = null;
  private readonly throttle: DomainThrottle;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: MailSenderOptions,
    private readonly logger: Logger,
  ) {
    this.throttle = new DomainThrottle(options.perDomainPerSecond ?? 20);
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
    for (;;) {
      const claimed = await this.claimDue();
      if (claimed.length === 0) return result;
      const outcomes = await this.sendBatch(claimed);
      for (const outcome of outcomes) if (outcome !== 'skipped') result[outcome]++;
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
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
      .limit(this.options.batchSize ?? 50)
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

  /** Sends a claimed batch, a few at a time, each domain at its own pace. */
  private async sendBatch(rows: OutboxRow[]): Promise<Outcome[]> {
    const ids = rows.map((r) => r.id);
    const attachments = await this.db
      .selectFrom('outbox_attachments')
      .select(['outbox_message_id', 'filename', 'content_type', 'content'])
      .where('outbox_message_id', 'in', ids)
      .execute();
    const byMessage = new Map<string, typeof attachments>();
    for (const a of attachments) byMessage.set(a.outbox_message_id, [...(byMessage.get(a.outbox_message_id) ?? []), a]);

    const outcomes: Outcome[] = [];
    let index = 0;
    const lane = async () => {
      for (;;) {
        const row = rows[index++];
        if (!row) return;
        const wait = this.throttle.reserve(domainOf(row.to_address));
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        outcomes.push(await this.sendOne(row, byMessage.get(row.id) ?? []));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, rows.length) }, lane));
    return outcomes;
  }

  private async sendOne(
    message: OutboxRow,
    attachments: readonly { filename: string; content_type: string; content: Buffer }[],
  ): Promise<Outcome> {
    const logger = this.logger.child({ outboxId: message.id, kind: message.kind, attempt: message.attempts });
    // Record the hand-over first: from here on a crash leaves the message `unknown`, never re-sent.
    const started = await this.db
      .updateTable('outbox_messages')
      .set({ transmit_started_at: this.clock.now() })
      .where('id', '=', message.id)
      .where('status', '=', 'sending')
      .where('transmit_started_at', 'is', null)
      .executeTakeFirst();
    if (Number(started.numUpdatedRows) !== 1) return 'skipped';
    try {
      const info = (await this.transporter().sendMail({
        from: this.options.from,
        to: message.to_address,
        envelope: { from: bounceAddress(message.id, this.options.domain), to: message.to_address },
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
      })) as { response?: string };
      await this.db
        .updateTable('outbox_messages')
        .set({
          status: 'sent',
          sent_at: this.clock.now(),
          smtp_response: truncate(info.response ?? ''),
          last_error: null,
          next_attempt_at: null,
        })
        .where('id', '=', message.id)
        .where('status', '=', 'sending')
        .execute();
      logger.info('mail sent');
      return 'sent';
    } catch (error) {
      const err = error as { message?: string; response?: string; responseCode?: number };
      // A permanent refusal (5xx) is final at once; anything else is tried again later.
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      const last = permanent || message.attempts >= (this.options.maxAttempts ?? 8);
      await this.db
        .updateTable('outbox_messages')
        .set({
          status: last ? 'failed' : 'queued',
          last_error: truncate(err.message ?? String(error)),
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
  }

  private transporter(): Transporter {
    const concurrency = this.options.concurrency ?? 4;
    this.transport ??= nodemailer.createTransport({
      url: this.options.smtpUrl,
      pool: true,
      maxConnections: concurrency,
      maxMessages: 1000,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return this.transport;
  }
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

const truncate = (s: string) => (s.length > 1000 ? `${s.slice(0, 997)}...` : s);
