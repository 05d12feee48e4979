import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';

/** The weekly email's own tables: who stopped it, and what went each week. */
export class HomeRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): HomeRepository {
    return new HomeRepository(db);
  }

  /** Whether the person gets the weekly email (on unless they stopped it). */
  async digestOn(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('home_digest_settings')
      .select('stopped_at')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return !row?.stopped_at;
  }

  async setDigest(userId: string, on: boolean, now: Date): Promise<void> {
    const stopped = on ? null : now;
    await this.db
      .insertInto('home_digest_settings')
      .values({ user_id: userId, stopped_at: stopped, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ stopped_at: stopped, updated_at: now }))
      .execute();
  }

  /** The person a stop link was sent to, by the link token's hash. */
  digestByStopHash(hash: string) {
    return this.db
      .selectFrom('home_digests as d')
      .innerJoin('users as u', 'u.id', 'd.user_id')
      .select(['d.user_id', 'd.authority_id', 'u.email'])
      .where('d.stop_token_hash', '=', hash)
      .executeTakeFirst();
  }

  /**
   * The next link officers owed this week's email: active accounts with the link officer role, at an
   * open authority, who have not stopped it and have no row for the week yet; by authority, so that
   * one authority's figures serve all its officers.
   */
  recipients(weekOf: string, limit: number) {
    return this.db
      .selectFrom('users as u')
      .innerJoin('user_roles as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'link-officer'))
      .innerJoin('authorities as a', 'a.id', 'u.authority_id')
      .leftJoin('home_digest_settings as s', 's.user_id', 'u.id')
      .select(['u.id', 'u.email', 'u.display_name', 'a.id as authority_id', 'a.name as authority_name'])
      .where('u.status', '=', 'active')
      .where('a.closed_at', 'is', null)
      .where('s.stopped_at', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('home_digests as d')
              .select('d.id')
              .whereRef('d.user_id', '=', 'u.id')
              .where('d.week_of', '=', weekOf),
          ),
        ),
      )
      .orderBy('a.id')
      .orderBy('u.id')
      .limit(limit)
      .execute();
  }

  /**
   * Records the week's email for a person; false when it was already recorded (a second run, or
   * another worker): the unique key on (person, week) is what stops a second message.
   */
  async recordDigest(values: {
    userId: string;
    authorityId: string;
    weekOf: string;
    items: number;
    stopTokenHash: string;
    sentAt: Date;
  }): Promise<boolean> {
    const row = await this.db
      .insertInto('home_digests')
      .values({
        user_id: values.userId,
        authority_id: values.authorityId,
        week_of: values.weekOf,
        items: values.items,
        stop_token_hash: values.stopTokenHash,
        sent_at: values.sentAt,
      })
      .onConflict((oc) => oc.constraint('home_digests_once').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** How many emails went for a week (tests and logs). */
  async countForWeek(weekOf: string): Promise<number> {
    const row = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM home_digests WHERE week_of = ${weekOf}::date AND items > 0`.execute(this.db);
    return row.rows[0]?.n ?? 0;
  }
}
