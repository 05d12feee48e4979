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
  /** The person's name (a user) or the token's name; null for the system or one since deleted. */
  actor_name: string | null;
  /** The authority of an authority user or token; null for staff and the system. */
  actor_authority: string | null;
};

/** Kysely queries over the append-only audit log. */
export class AuditRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Newest first, keyset on (occurred_at, id) descending; fetches one row more than asked. */
  async list(filter: AuditFilter, limit: number, after: readonly [string, number] | null): Promise<AuditEventRow[]> {
    // Names are read at display time: the log itself holds ids and roles only.
    let query = this.db
      .selectFrom('audit_events as e')
      .leftJoin('users as u', (join) => join.on('e.actor_type', '=', 'user').onRef('u.id', '=', 'e.actor_id'))
      .leftJoin('api_tokens as k', (join) => join.on('e.actor_type', '=', 'token').onRef('k.id', '=', 'e.actor_id'))
      .leftJoin('authorities as a', (join) => join.on(sql`a.id`, '=', sql`coalesce(u.authority_id, k.authority_id)`))
      .selectAll('e')
      .select(preciseTimestamp('e.occurred_at').as('sort_at'))
      .select([sql<string | null>`coalesce(u.display_name, k.name)`.as('actor_name'), 'a.name as actor_authority']);
    if (filter.actorId) query = query.where('e.actor_id', '=', filter.actorId);
    if (filter.recordType) query = query.where('e.record_type', '=', filter.recordType);
    if (filter.recordId) query = query.where('e.record_id', '=', filter.recordId);
    if (filter.action) query = query.where('e.action', '=', filter.action);
    if (filter.from) query = query.where('e.occurred_at', '>=', filter.from);
    if (filter.before) query = query.where('e.occurred_at', '<', filter.before);
    if (after) {
      query = query.where(
        afterKeyset(
          [sql.ref('e.occurred_at'), sql.ref('e.id')],
          [sql`${after[0]}::timestamptz`, sql`${after[1]}::bigint`],
          'desc',
        ),
      );
    }
    return query
      .orderBy('e.occurred_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(limit + 1)
      .execute();
  }
}
