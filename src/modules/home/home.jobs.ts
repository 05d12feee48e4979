import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { HomeService } from './home.service.ts';

/**
 * The weekly email to link officers: checked every quarter of an hour on every worker; it sends only
 * on Mondays from 07:00 London time, and each person's once a week (a unique key, not the timing,
 * guarantees that).
 */
export function registerHomeJobs(jobs: JobQueue, home: HomeService): void {
  jobs.every({
    name: 'home.weekly-digest',
    everySeconds: 900,
    run: async (logger) => {
      const result = await home.sendWeeklyDigestsWhenDue();
      if (result && (result.sent > 0 || result.nothingDue > 0)) logger.info(result, 'weekly emails written');
    },
  });
}
