import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';

/** The counts behind the sign-in limits: attempts per client address, and failed sign-ins and lockouts per account. */
export class SignInLimitsRepository {
  constructor(private readonly db: DbOrTx) {}

  /**
   * Reserves one sign-in attempt for a client address in one statement: false (nothing reserved)
   * once the address has used `maxAttempts` within the window that began at `windowStart`; a window
   * that began at or before it starts again from this attempt.
   */
  async reserveAddressAttempt(ipHash: string, now: Date, windowStart: Date, maxAttempts: number): Promise<boolean> {
    const expired = sql<boolean>`signin_failures.window_started_at <= ${windowStart}`;
    const row = await this.db
      .insertInto('signin_failures')
      .values({ ip_hash: ipHash, attempts: 1, window_started_at: now })
      .onConflict((oc) =>
        oc
          .column('ip_hash')
          .doUpdateSet({
            attempts: sql<number>`CASE WHEN ${expired} THEN 1 ELSE signin_failures.attempts + 1 END`,
            window_started_at: sql<Date>`CASE WHEN ${expired} THEN ${now}::timestamptz ELSE signin_failures.window_started_at END`,
          })
          .where(sql<boolean>`${expired} OR signin_failures.attempts < ${maxAttempts}`),
      )
      .returning('attempts')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Gives back one attempt reserved for a client address. */
  async releaseAddressAttempt(ipHash: string): Promise<void> {
    await this.db
      .updateTable('signin_failures')
      .set({ attempts: sql<number>`greatest(attempts - 1, 0)` })
      .where('ip_hash', '=', ipHash)
      .execute();
  }

  /**
   * Counts one attempt against an account unless it is locked, and locks it until `lockEnd` when
   * the count reaches `limit`; a count whose lock has run out starts again at 1. Null while
   * the account is locked. Sessions are not affected, so cached sessions are kept.
   */
  async reserveAccountAttempt(
    userId: string,
    now: Date,
    limit: number,
    lockEnd: Date,
  ): Promise<{ locks: boolean } | null> {
    const count = sql<number>`CASE WHEN users.locked_until IS NOT NULL AND users.failed_signins >= ${limit}
      THEN 1 ELSE users.failed_signins + 1 END`;
    const row = await this.db
      .updateTable('users')
      .set({
        failed_signins: count,
        locked_until: sql<Date | null>`CASE WHEN ${count} >= ${limit} THEN ${lockEnd}::timestamptz ELSE users.locked_until END`,
      })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .returning(['locked_until'])
      .executeTakeFirst();
    if (!row) return null;
    return { locks: row.locked_until !== null && row.locked_until > now };
  }
}
