import crypto from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { DbOrTx } from '../db/database.ts';
import { FlashRepository } from './flash.repository.ts';

/** How long a form's flash waits for the next page: the same five minutes as its cookie. */
export const FLASH_TTL_SECONDS = 5 * 60;

/** A flash key as the browser holds it: 32 random bytes, base64url (43 characters, whatever the flash holds). */
const KEY = /^[\w-]{43}$/;

/**
 * What a form sent back with errors carries to the next page (the messages, what was typed, a
 * notice), kept on the server for one request. The browser holds only a random key, so the cookie is
 * the same size whatever was typed, and it works for visitors without a session. A flash is deleted
 * when it is read, and by the sweep once it has expired.
 */
export class FormFlashes {
  private readonly repo: FlashRepository;

  constructor(
    db: DbOrTx,
    private readonly clock: Clock,
  ) {
    this.repo = new FlashRepository(db);
  }

  /** A new random key, for the cookie; the flash is stored under it with `keep`. */
  static newKey(): string {
    return crypto.randomBytes(32).toString('base64url');
  }

  private static hash(key: string): string {
    return crypto.createHash('sha256').update(key).digest('hex');
  }

  async keep(key: string, payload: Record<string, unknown>): Promise<void> {
    const now = this.clock.now();
    await this.repo.insert(
      FormFlashes.hash(key),
      JSON.stringify(payload),
      now,
      new Date(now.getTime() + FLASH_TTL_SECONDS * 1000),
    );
  }

  /** The flash kept under `key`, deleted as it is read (one statement); null if none, or expired. */
  async take(key: string): Promise<Record<string, unknown> | null> {
    if (!KEY.test(key)) return null;
    const row = await this.repo.take(FormFlashes.hash(key));
    if (!row || row.expires_at.getTime() <= this.clock.now().getTime()) return null;
    const payload: unknown = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    return payload && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : null;
  }

  /** Deletes every expired flash (what was typed into a form is never kept longer); returns how many. */
  async sweepExpired(): Promise<number> {
    return this.repo.deleteExpired(this.clock.now());
  }
}
