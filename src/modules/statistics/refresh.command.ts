import type { Command } from '../../cli/command.ts';
import { option } from '../../cli/shared.ts';
import { loadConfig } from '../../config.ts';
import { systemClock } from '../../platform/clock.ts';
import { lockDataFolder, openConfiguredDatabase } from '../../platform/db/database.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { DomainError } from '../../platform/errors.ts';
import { yearLabel } from './domain.ts';
import { StatisticsService } from './statistics.service.ts';

/** Works the performance figures out again at once: this year's and last year's, or one year's. */
export const statisticsRefreshCommand: Command = {
  summary: 'Work out the performance figures from the casework now',
  usage: 'npm run cli -- statistics:refresh [--year YYYY]',
  whileRunning: 'the running Liaison works them out every hour, or stop it and run this again',
  run: async (args) => {
    const given = option(args, 'year');
    if (given !== undefined && !/^\d{4}$/.test(given)) {
      console.error('--year must be four digits: the year the figures start on 1 April, like 2026');
      return 64;
    }
    const config = loadConfig();
    const unlock = config.database.kind === 'pglite' ? lockDataFolder(config.dataDir) : () => undefined;
    try {
      const db = await openConfiguredDatabase(config);
      try {
        await migrate(db);
        const statistics = new StatisticsService(db.kysely, systemClock);
        const done = await statistics.refresh(given === undefined ? undefined : Number(given));
        for (const d of done) console.log(`${yearLabel(d.year)}: figures for ${d.authorities} authorities.`);
        return 0;
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
  },
};
