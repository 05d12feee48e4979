import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { afterKeyset } from '../../platform/pagination.ts';

/** A user as other systems may see them: no email, password or two-factor fields. */
export interface UserDirectoryRow {
  id: string;
  display_name: string;
  authority_id: string | null;
  status: 'invited' | 'active' | 'deactivated';
  roles: string[];
  sort_name: string;
}

/** Kysely queries for the list of users the API serves. */
export class UserDirectoryRepository {
  constructor(private readonly db: DbOrTx) {}

  /** In (lower(display_name), id) order, after a cursor; fetches one row more than asked. */
  list(limit: number, after: readonly [string, string] | null): Promise<UserDirectoryRow[]> {
    let query = this.db
      .selectFrom('users')
      .select([
        'users.id',
        'users.display_name',
        'users.authority_id',
        'users.status',
        sql<string>`lower(users.display_name)`.as('sort_name'),
        sql<
          string[]
        >`coalesce((select array_agg(role order by role) from user_roles where user_roles.user_id = users.id), '{}')`.as(
          'roles',
        ),
      ]);
    if (after) {
      query = query.where(
        afterKeyset([sql`lower(users.display_name)`, sql.ref('users.id')], [after[0], sql`${after[1]}::uuid`], 'asc'),
      );
    }
    return query
      .orderBy(sql`lower(users.display_name)`)
      .orderBy('users.id')
      .limit(limit + 1)
      .execute();
  }
}
