import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';

export type ApiTokenRow = Row<'api_tokens'>;

export interface ApiTokenListRow {
  id: string;
  name: string;
  role: string;
  authority_id: string | null;
  authority_name: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** created_at to the microsecond, for the list's cursor. */
  sort_at: string;
}

/** Kysely queries for API tokens. Returns plain rows. */
export class ApiTokensRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): ApiTokensRepository {
    return new ApiTokensRepository(db);
  }

  async insert(values: NewRow<'api_tokens'>): Promise<ApiTokenRow> {
    return this.db.insertInto('api_tokens').values(values).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findLiveByHash(tokenHash: string): Promise<ApiTokenRow | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  /** Newest first, keyset on (created_at, id); fetches one row more than asked. */
  list(limit: number, after: readonly [string, string] | null): Promise<ApiTokenListRow[]> {
    let query = this.db
      .selectFrom('api_tokens')
      .leftJoin('authorities', 'authorities.id', 'api_tokens.authority_id')
      .select([
        'api_tokens.id',
        'api_tokens.name',
        'api_tokens.role',
        'api_tokens.authority_id',
        'authorities.name as authority_name',
        'api_tokens.created_at',
        'api_tokens.last_used_at',
        'api_tokens.revoked_at',
        preciseTimestamp('api_tokens.created_at').as('sort_at'),
      ]);
    if (after) {
      query = query.where(
        afterKeyset(
          [sql.ref('api_tokens.created_at'), sql.ref('api_tokens.id')],
          [sql`${after[0]}::timestamptz`, sql`${after[1]}::uuid`],
          'desc',
        ),
      );
    }
    return query
      .orderBy('api_tokens.created_at', 'desc')
      .orderBy('api_tokens.id', 'desc')
      .limit(limit + 1)
      .execute();
  }

  /** Revokes a live token; false when it was already revoked. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async recordUse(id: string, at: Date): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  /** An open authority, for the one a token belongs to. */
  findActiveAuthority(id: string): Promise<{ id: string; name: string } | undefined> {
    return this.db
      .selectFrom('authorities')
      .select(['id', 'name'])
      .where('id', '=', id)
      .where('active', '=', true)
      .executeTakeFirst();
  }
}
