import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';
import type { AuditFilter } from './domain.ts';

export type AuditEventRow = Omit<Row<'audit_events'>, 'id'> & {
  /** bigint: the int8 type parser makes it a number on both drivers. */
  id: number | string;
  /** occurred_at to the microsecond, for the list's cursor. */
  sort_at: string;
};

/** Kysely queries over the append-only audit log. */
export class AuditRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Newest first, keyset on (occurred_at, id) descending; fetches one row more than asked. */
  async list(filter: AuditFilter, limit: number, after: readonly [string, number] | null): Promise<AuditEventRow[]> {
    let query = this.db.selectFrom('audit_events').selectAll().select(preciseTimestamp('occurred_at').as('sort_at'));
    if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
    if (filter.recordType) query = query.where('record_type', '=', filter.recordType);
    if (filter.recordId) query = query.where('record_id', '=', filter.recordId);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.from) query = query.where('occurred_at', '>=', filter.from);
    if (filter.before) query = query.where('occurred_at', '<', filter.before);
    if (after) {
      query = query.where(
        afterKeyset(
          [sql.ref('occurred_at'), sql.ref('id')],
          [sql`${after[0]}::timestamptz`, sql`${after[1]}::bigint`],
          'desc',
        ),
      );
    }
    return query
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  }
}
