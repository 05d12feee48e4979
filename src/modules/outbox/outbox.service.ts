import type { Kysely } from 'kysely';
import { can, type Actor } from '../accounts/domain.ts';
import type { Database, Row } from '../../platform/db/schema.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { OutboxRepository, type OutboxListRow } from './outbox.repository.ts';
import { outboxCursor } from './outbox.schemas.ts';

/** The outbox as administrators see it: every message the service has sent, is sending, or holds. */
export class OutboxService {
  private readonly repository: OutboxRepository;

  constructor(db: Kysely<Database>) {
    this.repository = new OutboxRepository(db);
  }

  async list(actor: Actor | null, query: { cursor?: string | undefined; limit: number }): Promise<Page<OutboxListRow>> {
    if (!can(actor, 'outbox:read')) throw forbidden();
    const after = query.cursor ? decodeCursor(query.cursor, outboxCursor) : null;
    const rows = await this.repository.list(query.limit + 1, after);
    return toPage(rows, query.limit, (row) => [row.created_key, row.id]);
  }

  async get(actor: Actor | null, id: string): Promise<Row<'outbox_messages'>> {
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
}
