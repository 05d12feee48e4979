import { loadConfig } from '../config.ts';
import { lockDataFolder, openConfiguredDatabase, type Db } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrate.ts';
import { DomainError } from '../platform/errors.ts';

/** Reads `--name value` options. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Runs a command's work on the configured database, migrated first, holding the embedded database's
 * data folder meanwhile. A refusal (`DomainError`) is printed, one line a field as `--field: message`,
 * and ends the command with exit code 65; anything else is thrown. Returns the work's exit code.
 */
export async function onDatabase(work: (db: Db) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const unlock = config.database.kind === 'pglite' ? lockDataFolder(config.dataDir) : () => undefined;
  try {
    const db = await openConfiguredDatabase(config);
    try {
      await migrate(db);
      return await work(db);
    } catch (error) {
      if (error instanceof DomainError) {
        console.error(
          error.fields.length > 0 ? error.fields.map((f) => `--${f.field}: ${f.message}`).join('\n') : error.message,
        );
        return 65;
      }
      throw error;
    } finally {
      await db.close();
    }
  } finally {
    unlock();
  }
}
