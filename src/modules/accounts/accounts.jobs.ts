import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { AccountsService } from './accounts.service.ts';

/** Sign-in's housekeeping: ended sessions, expired links and closed attempt windows go, hourly. */
export function accountsJobs(accounts: AccountsService): JobDefinition[] {
  return [
    defineJob({
      name: 'accounts.sweep',
      schema: noPayload,
      schedule: { everySeconds: 3600 },
      handler: async (_payload, { logger }) => {
        const swept = await accounts.sweep();
        if (swept.sessions + swept.links + swept.addresses > 0) logger.info(swept, 'sign-in records deleted');
      },
    }),
  ];
}
