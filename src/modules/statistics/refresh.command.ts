import type { Command } from '../../cli/command.ts';
import { onDatabase, option } from '../../cli/shared.ts';
import { systemClock } from '../../platform/clock.ts';
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
    return onDatabase(async (db) => {
      const statistics = new StatisticsService(db.kysely, systemClock);
      const done = await statistics.refresh(given === undefined ? undefined : Number(given));
      for (const d of done) console.log(`${yearLabel(d.year)}: figures for ${d.authorities} authorities.`);
      return 0;
    });
  },
};
