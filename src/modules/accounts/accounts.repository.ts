import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import type { UserCursor } from './domain.ts';

export type UserRow = Row<'users'>;

export type OneTimeTokenRow = Row<'one_time_tokens'>;
export type LinkPurpose = OneTimeTokenRow['purpose'];

export interface UserListFilter {
  role?: string | undefined;
  text?: string | undefined;
  after?: UserCursor | null;
  before?: UserCursor | null;
  limit: number;
}

export interface UserListRow {
  id: string;
  email: string;
  display_name: string;
  status: UserRow['status'];
  authority_name: string | null;
  roles: string[];
  sort_name: string;
}

export interface UserWithRoles extends UserRow {
  roles: string[];
  authority_name: string | null;
}

/** Kysely queries for users, roles and sessions. Returns plain rows. */
/** A session row with its user: what resolving a session cookie needs. */
export type SessionWithUser = UserWithRoles & {
  session_id: string;
  session_stage: 'mfa' | 'mfa-setup' | 'active';
  session_last_seen_at: Date;
  session_expires_at: Date;
};

export class AccountsRepository {
  /** `changed` is told of every write to users, roles or sessions (the service forgets its cached sessions). */
  constructor(
    private readonly db: DbOrTx,
    private readonly changed: () => void = () => undefined,
  ) {}

  with(db: DbOrTx): AccountsRepository {
    return new AccountsRepository(db, this.changed);
  }

  async insertUser(values: NewRow<'users'>, roles: readonly string[]): Promise<UserRow> {
    const user = await this.db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
    await this.setRoles(user.id, roles);
    return user;
  }

  async setRoles(userId: string, roles: readonly string[]): Promise<void> {
    this.changed();
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

  /** A live (not revoked) session and its user, roles and authority, in one round trip. */
  findSessionWithUser(tokenHash: string): Promise<SessionWithUser | undefined> {
    return this.userQuery()
      .innerJoin('sessions', 'sessions.user_id', 'users.id')
      .select([
        'sessions.id as session_id',
        'sessions.stage as session_stage',
        'sessions.last_seen_at as session_last_seen_at',
        'sessions.expires_at as session_expires_at',
      ])
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.revoked_at', 'is', null)
      .executeTakeFirst();
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
    this.changed();
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
    this.changed();
    await this.db.updateTable('sessions').set({ stage }).where('id', '=', id).execute();
  }

  async revokeSession(id: string, at: Date): Promise<void> {
    this.changed();
    await this.db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).execute();
  }

  /** Revokes a session unless it has ended already; returns whose it was when it did. */
  async revokeLiveSession(id: string, at: Date): Promise<{ user_id: string } | undefined> {
    this.changed();
    return this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('user_id')
      .executeTakeFirst();
  }

  /**
   * Records a two-factor code's step as used, unless that step or a later one was used already.
   * One conditional update: of two requests with the same code, only one gets true.
   */
  async claimTotpStep(userId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every live session of a user; returns how many. */
  async revokeAllSessions(userId: string, at: Date): Promise<number> {
    this.changed();
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeOtherSessions(userId: string, keepSessionId: string, at: Date): Promise<number> {
    this.changed();
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('id', '!=', keepSessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  findSessionById(id: string) {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setSessionToken(id: string, tokenHash: string, stage: 'mfa' | 'mfa-setup' | 'active'): Promise<void> {
    this.changed();
    await this.db.updateTable('sessions').set({ token_hash: tokenHash, stage }).where('id', '=', id).execute();
  }

  async insertOneTimeToken(values: NewRow<'one_time_tokens'>): Promise<void> {
    await this.db.insertInto('one_time_tokens').values(values).execute();
  }

  findOneTimeToken(tokenHash: string, purpose: LinkPurpose): Promise<OneTimeTokenRow | undefined> {
    return this.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
  }

  /** Marks a link used; returns false when it was already used (a race lost). */
  async useOneTimeToken(tokenHash: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('one_time_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Closes every unused link of a purpose for a user (a new one replaces them). */
  async useAllOneTimeTokens(userId: string, purposes: readonly LinkPurpose[], at: Date): Promise<void> {
    await this.db
      .updateTable('one_time_tokens')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('purpose', 'in', purposes)
      .where('used_at', 'is', null)
      .execute();
  }

  /**
   * Deletes what sign-in no longer needs: sessions ended (expired or signed out) before `endedBefore`,
   * links expired before it, and counts of an address's attempts whose window closed before
   * `windowClosedBefore`. Returns how many rows of each went.
   */
  async sweep(
    endedBefore: Date,
    windowClosedBefore: Date,
  ): Promise<{ sessions: number; links: number; addresses: number }> {
    const sessions = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', endedBefore), eb('revoked_at', '<', endedBefore)]))
      .executeTakeFirst();
    const links = await this.db.deleteFrom('one_time_tokens').where('expires_at', '<', endedBefore).executeTakeFirst();
    const addresses = await this.db
      .deleteFrom('signin_failures')
      .where('window_started_at', '<', windowClosedBefore)
      .executeTakeFirst();
    if (Number(sessions.numDeletedRows) > 0) this.changed();
    return {
      sessions: Number(sessions.numDeletedRows),
      links: Number(links.numDeletedRows),
      addresses: Number(addresses.numDeletedRows),
    };
  }

  /** Every user's stored two-factor secret, for users who have one. */
  listTotpSecrets(): Promise<{ id: string; totp_secret: string | null }[]> {
    return this.db.selectFrom('users').select(['id', 'totp_secret']).where('totp_secret', 'is not', null).execute();
  }

  /** Replaces a user's stored two-factor secret if it is still `stored`; whether it was replaced. */
  async replaceTotpSecret(userId: string, stored: string, sealed: string): Promise<boolean> {
    const changed = await this.db
      .updateTable('users')
      .set({ totp_secret: sealed })
      .where('id', '=', userId)
      .where('totp_secret', '=', stored)
      .executeTakeFirst();
    return Number(changed.numUpdatedRows) === 1;
  }

  async countRecentTokens(userId: string, purpose: LinkPurpose, since: Date): Promise<number> {
    const row = await this.db
      .selectFrom('one_time_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** How many active accounts hold the administrator role, optionally leaving one out. */
  async countActiveAdministrators(exceptUserId?: string): Promise<number> {
    let query = this.db
      .selectFrom('users')
      .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_roles.role', '=', 'administrator')
      .where('users.status', '=', 'active');
    if (exceptUserId) query = query.where('users.id', '!=', exceptUserId);
    const row = await query.executeTakeFirstOrThrow();
    return row.n;
  }

  findAuthority(id: string) {
    return this.db.selectFrom('authorities').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  /**
   * One page of users in (lower(display_name), id) order, after or before a cursor. Fetches one row
   * more than asked so the caller knows whether another page exists. Paging backwards (`before`),
   * rows come nearest-first, that is in reverse list order.
   */
  async listUsers(filter: UserListFilter): Promise<UserListRow[]> {
    const backwards = !!filter.before;
    let query = this.db
      .selectFrom('users')
      .leftJoin('authorities', 'authorities.id', 'users.authority_id')
      .select([
        'users.id',
        'users.email',
        'users.display_name',
        'users.status',
        'authorities.name as authority_name',
        sql<string>`lower(users.display_name)`.as('sort_name'),
        sql<
          string[]
        >`coalesce((select array_agg(role order by role) from user_roles where user_roles.user_id = users.id), '{}')`.as(
          'roles',
        ),
      ]);
    if (filter.role) {
      const role = filter.role;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_roles')
            .select('user_roles.user_id')
            .whereRef('user_roles.user_id', '=', 'users.id')
            .where('user_roles.role', '=', role),
        ),
      );
    }
    if (filter.text) {
      const pattern = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb(sql`lower(users.display_name)`, 'like', pattern), eb(sql`lower(users.email)`, 'like', pattern)]),
      );
    }
    const cursor = filter.after ?? filter.before;
    if (cursor) {
      const op = backwards ? '<' : '>';
      query = query.where(
        sql<boolean>`(lower(users.display_name), users.id) ${sql.raw(op)} (${cursor.name}, ${cursor.id}::uuid)`,
      );
    }
    const direction = backwards ? 'desc' : 'asc';
    return query
      .orderBy(sql`lower(users.display_name)`, direction)
      .orderBy('users.id', direction)
      .limit(filter.limit + 1)
      .execute();
  }
}
