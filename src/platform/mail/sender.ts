import { sql, type Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Clock } from '../clock.ts';
import type { Database, Row } from '../db/schema.ts';
import type { Logger } from '../logger.ts';

/**
 * Sends the outbox. The outbox table is itself the queue: the worker sweeps it every few seconds,
 * claims due messages (FOR UPDATE SKIP LOCKED, status `queued` → `sending`), sends each once over
 * SMTP and records the outcome. A failure goes back to `queued` with an exponential backoff; after
 * the last attempt the message stays in the outbox as `failed`. Without SMTP_URL messages are `held`.
 */

export interface MailSenderOptions {
  /** smtp:// or smtps:// URL of the relay; absent: messages are held in the outbox. */
  smtpUrl?: string;
  from: string;
  /** Our mail domain: Message-IDs are `<outbox id@domain>`, so a resend after a crash can be recognised. */
  domain: string;
  /** Attempts before a message is marked failed (default 8). */
  maxAttempts?: number;
  /** Messages claimed per round (default 20). */
  batchSize?: number;
  /** First retry delay in seconds, doubled each attempt (default 60), capped at 6 hours. */
  retryBaseSeconds?: number;
}

export interface SweepResult {
  sent: number;
  held: number;
  retrying: number;
  failed: number;
}

/** While a message is being sent it is leased for this long; a sender that died loses its claim after it. */
const LEASE_MS = 15 * 60_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;

export function retryDelayMs(attempts: number, baseSeconds = 60): number {
  return Math.min(baseSeconds * 1000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

type OutboxRow = Row<'outbox_messages'>;

export class MailSender {
  private transport: Transporter | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: MailSenderOptions,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.options.smtpUrl !== undefined;
  }

  /** Sends (or holds) every message now due, round after round until none is left. */
  async sendDue(): Promise<SweepResult> {
    const result: SweepResult = { sent: 0, held: 0, retrying: 0, failed: 0 };
    if (!this.configured) {
      result.held = await this.holdDue();
      return result;
    }
    for (;;) {
      const claimed = await this.claimDue();
      if (claimed.length === 0) return result;
      for (const message of claimed) result[await this.sendOne(message)]++;
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }

  private dueCondition(now: Date) {
    return sql<boolean>`(status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ${now}))
      OR (status = 'sending' AND next_attempt_at <= ${now})`;
  }

  private async holdDue(): Promise<number> {
    const now = this.clock.now();
    const rows = await this.db
      .updateTable('outbox_messages')
      .set({ status: 'held', next_attempt_at: null })
      .where(this.dueCondition(now))
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
      .where(this.dueCondition(now))
      .orderBy('created_at')
      .limit(this.options.batchSize ?? 20)
      .forUpdate()
      .skipLocked();
    return this.db
      .updateTable('outbox_messages')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        next_attempt_at: new Date(now.getTime() + LEASE_MS),
      }))
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  private async sendOne(message: OutboxRow): Promise<'sent' | 'retrying' | 'failed'> {
    const logger = this.logger.child({ outboxId: message.id, kind: message.kind, attempt: message.attempts });
    try {
      const info = (await this.transporter().sendMail({
        from: this.options.from,
        to: message.to_address,
        subject: message.subject,
        text: message.text_body,
        ...(message.html_body ? { html: message.html_body } : {}),
        headers: stringHeaders(message.headers),
        messageId: `<${message.id}@${this.options.domain}>`,
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
      const err = error as { message?: string; response?: string };
      const last = message.attempts >= (this.options.maxAttempts ?? 8);
      await this.db
        .updateTable('outbox_messages')
        .set({
          status: last ? 'failed' : 'queued',
          last_error: truncate(err.message ?? String(error)),
          smtp_response: err.response ? truncate(err.response) : null,
          next_attempt_at: last
            ? null
            : new Date(this.clock.now().getTime() + retryDelayMs(message.attempts, this.options.retryBaseSeconds)),
        })
        .where('id', '=', message.id)
        .where('status', '=', 'sending')
        .execute();
      logger.warn({ err: err.message }, last ? 'mail failed for the last time' : 'mail failed; will retry');
      return last ? 'failed' : 'retrying';
    }
  }

  private transporter(): Transporter {
    this.transport ??= nodemailer.createTransport({
      url: this.options.smtpUrl,
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
