import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { AccountsService } from './accounts.service.ts';

/** Sign-in's housekeeping: ended sessions, expired links and closed attempt windows go, hourly. */
export function registerAccountsJobs(jobs: JobQueue, accounts: AccountsService): void {
  jobs.every({
    name: 'accounts.sweep',
    everySeconds: 3600,
    run: async (logger) => {
      const swept = await accounts.sweep();
      if (swept.sessions + swept.links + swept.addresses > 0) logger.info(swept, 'sign-in records deleted');
    },
  });
}
