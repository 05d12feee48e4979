import type { DbOrTx } from '../db/database.ts';

/** Kysely queries for the one-request form flashes (migration 0062). */
export class FlashRepository {
  constructor(private readonly db: DbOrTx) {}

  async insert(keyHash: string, payload: string, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.db
      .insertInto('form_flashes')
      .values({ key_hash: keyHash, payload, created_at: createdAt, expires_at: expiresAt })
      .execute();
  }

  /** Reads and deletes the flash with this key in one statement: a flash is given out at most once. */
  async take(keyHash: string): Promise<{ payload: unknown; expires_at: Date } | undefined> {
    return this.db
      .deleteFrom('form_flashes')
      .where('key_hash', '=', keyHash)
      .returning(['payload', 'expires_at'])
      .executeTakeFirst();
  }

  /** Deletes every flash expired at `now`; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('form_flashes').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
