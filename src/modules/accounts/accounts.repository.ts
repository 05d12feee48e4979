import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';

export type UserRow = Row<'users'>;

export interface UserWithRoles extends UserRow {
  roles: string[];
  authority_name: string | null;
}

/** Kysely queries for users, roles and sessions. Returns plain rows. */
export class AccountsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): AccountsRepository {
    return new AccountsRepository(db);
  }

  async insertUser(values: NewRow<'users'>, roles: readonly string[]): Promise<UserRow> {
    const user = await this.db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
    await this.setRoles(user.id, roles);
    return user;
  }

  async setRoles(userId: string, roles: readonly string[]): Promise<void> {
    await this.db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
    if (roles.length > 0) {
      await this.db
        .insertInto('user_roles')
        .values(roles.map((role) => ({ user_id: userId, role })))
        .execute();
    }
  }

  private userQuery() {
    return this.db
      .selectFrom('users')
      .leftJoin('authorities', 'authorities.id', 'users.authority_id')
      .selectAll('users')
      .select('authorities.name as authority_name')
      .select(
        sql<
          string[]
        >`coalesce((select array_agg(role order by role) from user_roles where user_roles.user_id = users.id), '{}')`.as(
          'roles',
        ),
      );
  }

  findUserById(id: string): Promise<UserWithRoles | undefined> {
    return this.userQuery().where('users.id', '=', id).executeTakeFirst();
  }

  findUserByEmail(email: string): Promise<UserWithRoles | undefined> {
    return this.userQuery()
      .where(sql`lower(users.email)`, '=', email.toLowerCase())
      .executeTakeFirst();
  }

  async updateUser(id: string, values: Partial<NewRow<'users'>>): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ ...values, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  async insertSession(values: NewRow<'sessions'>): Promise<string> {
    const row = await this.db.insertInto('sessions').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  findSessionByTokenHash(tokenHash: string) {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  async touchSession(id: string, at: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async setSessionStage(id: string, stage: 'mfa' | 'mfa-setup' | 'active'): Promise<void> {
    await this.db.updateTable('sessions').set({ stage }).where('id', '=', id).execute();
  }

  async revokeSession(id: string, at: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).execute();
  }

  /** Revokes every live session of a user; returns how many. */
  async revokeAllSessions(userId: string, at: Date): Promise<number> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
