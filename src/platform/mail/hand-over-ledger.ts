import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { HandOverRecord, MailSenderRepository } from './sender.repository.ts';

/** An answer or error kept on an outbox row: at most 1,000 characters. */
export const truncate = (s: string) => (s.length > 1000 ? `${s.slice(0, 997)}...` : s);

type Pending = HandOverRecord & { resolve: (ok: boolean) => void };

/**
 * The hand-over ledger: the moments each message's DATA phase begins, and the relay's acceptances,
 * written to the outbox in one statement for all those waiting (group commit). While one write runs,
 * the next ones gather, so the messages in flight share a statement instead of taking one each.
 */
export class HandOverLedger {
  private pending: Pending[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly repository: MailSenderRepository,
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
   * Writes the records in one statement; the lanes are told as soon as its COMMIT is sent, without
   * waiting for its answer (`MailSenderRepository.writeHandOvers` says why).
   */
  private async write(items: Pending[]): Promise<void> {
    await this.repository.writeHandOvers(items, this.clock.now(), {
      written: (keys) => {
        for (const item of items) item.resolve(keys.has(`${item.op}:${item.id}`));
      },
      commitFailed: (error) => {
        // The ends have gone: the records are written again on their own.
        this.logger.error({ err: error }, 'the outbox could not commit a hand-over; writing it again');
      },
    });
  }
}
