import { loadConfig } from '../../config.ts';
import { lockDataFolder, openConfiguredDatabase } from '../../platform/db/database.ts';
import { migrate } from '../../platform/db/migrate.ts';
import type { Command } from '../command.ts';

export const migrateCommand: Command = {
  summary: 'Apply pending database migrations',
  usage: 'npm run migrate',
  whileRunning: 'it applied any pending migrations as it started, so there is nothing to do',
  run: async () => {
    const config = loadConfig();
    const unlock = config.database.kind === 'pglite' ? lockDataFolder(config.dataDir) : () => undefined;
    try {
      const db = await openConfiguredDatabase(config);
      const applied = await migrate(db);
      await db.close();
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      return 0;
    } finally {
      unlock();
    }
  },
};
