import type { Kysely } from 'kysely';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Row } from '../../platform/db/schema.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { OutboxRepository, type OutboxListRow, type OutboxMessageRow } from './outbox.repository.ts';
import { CONFIRM_RESEND_MESSAGE, outboxCursor } from './outbox.schemas.ts';

type OutboxStatus = Row<'outbox_messages'>['status'];

/** Why a message in each other state cannot be sent again by hand. */
const NOT_RESENDABLE: Record<Exclude<OutboxStatus, 'unknown'>, string> = {
  sent: 'This message was sent: the mail server accepted it, so it cannot be sent again',
  queued: 'This message is already queued to be sent, so it cannot be sent again',
  sending: 'This message is being sent now, so it cannot be sent again',
  held: 'This message is held because no mail server is configured; it will be sent when one is',
  failed:
    'This message failed: the mail server refused it or every attempt failed. Only a message not known to have been sent can be sent again',
};

/** The outbox as administrators see it: every message the service has sent, is sending, or holds. */
export class OutboxService {
  private readonly repository: OutboxRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly mail: Outbox,
  ) {
    this.repository = new OutboxRepository(db);
  }

  async list(actor: Actor | null, query: { cursor?: string | undefined; limit: number }): Promise<Page<OutboxListRow>> {
    if (!can(actor, 'outbox:read')) throw forbidden();
    const after = query.cursor ? decodeCursor(query.cursor, outboxCursor) : null;
    const rows = await this.repository.list(query.limit + 1, after);
    return toPage(rows, query.limit, (row) => [row.created_key, row.id]);
  }

  async get(actor: Actor | null, id: string): Promise<OutboxMessageRow> {
    if (!can(actor, 'outbox:read')) throw forbidden();
    const message = await this.repository.find(id);
    if (!message) throw notFound('The message');
    return message;
  }

  /** A message's attachments (names, types, sizes). */
  attachments(actor: Actor | null, id: string) {
    if (!can(actor, 'outbox:read')) throw forbidden();
    return this.repository.attachments(id);
  }

  /**
   * Queues a message whose delivery is not known (handed to the mail server without a recorded
   * answer) to be sent again, as it is and under the same Message-ID, once an administrator has
   * confirmed that its recipient may receive it twice. Any other message is refused: one that was
   * sent, is on its way, or failed for good is never sent again by hand.
   */
  async resend(actor: Actor | null, id: string, input: { confirmed: boolean }): Promise<void> {
    if (!actor || !can(actor, 'outbox:resend')) throw forbidden();
    await this.db.transaction().execute(async (trx) => {
      const repository = this.repository.with(trx);
      const message = await repository.lock(id);
      if (!message) throw notFound('The message');
      if (message.status !== 'unknown') throw conflict(NOT_RESENDABLE[message.status]);
      // Erasure blanks the recipient of a message that named them: there is nobody to send it to.
      if (!message.to_address.includes('@'))
        throw conflict('The recipient’s address has been erased, so this message cannot be sent again');
      if (!input.confirmed) throw invalid([{ field: 'confirm', message: CONFIRM_RESEND_MESSAGE }]);
      await repository.queueAgain(id, actor.type === 'user' ? actor.id : null, this.clock.now());
      await this.mail.dispatch(trx);
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'outbox.resent',
        recordType: 'outbox-message',
        recordId: id,
        requestId: actor.requestId ?? null,
      });
    });
  }
}
