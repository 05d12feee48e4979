import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeWhole } from '../files/write-whole.ts';

/**
 * The source of every inbound message, kept whole as a file in the mail folder (default
 * `DATA_DIR/mail`), one per message under a folder per month: `2026-11/<uuid>.eml`. The message's
 * `inbound_messages` row names its file in `raw_key`.
 *
 * Files rather than a database column: a message with a 1 MB attachment is 1.4 MB of MIME, which
 * PostgreSQL spent more time storing (TOAST chunks, WAL) than the gateway spent parsing, and which
 * crossed the client library and the database's socket a second time for nothing. Messages stored
 * before kept their source in the row's `raw_message` column.
 *
 * Writes go to a temporary file renamed into place, so a file is whole or absent. Erasure rewrites a
 * file the same way (`rewrite`).
 */
export class RawMailStore {
  constructor(readonly dir: string) {}

  /** A new key for a message received at `at`. */
  newKey(at: Date): string {
    const month = `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
    return `${month}/${crypto.randomUUID()}.eml`;
  }

  /** The file of a key; a key not of our making is refused. */
  pathOf(key: string): string {
    if (!/^\d{4}-\d{2}\/[0-9a-f-]{36}\.eml$/.test(key)) throw new Error(`Not a stored message key: ${key}`);
    return path.join(this.dir, key);
  }

  read(key: string): Promise<Buffer> {
    return fs.promises.readFile(this.pathOf(key));
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    await writeWhole(this.pathOf(key), bytes);
  }

  /**
   * Replaces a message's source with `change(source)`, whole or not at all. A source that
   * `change` leaves as it was is not written again. Returns whether the file changed.
   */
  async rewrite(key: string, change: (source: Buffer) => Buffer | Promise<Buffer>): Promise<boolean> {
    const source = await fs.promises.readFile(this.pathOf(key));
    const changed = await change(source);
    if (changed.equals(source)) return false;
    await this.write(key, changed);
    return true;
  }

  /** Removes a message's file (nothing if it is already gone). */
  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }
}
