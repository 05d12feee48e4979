import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { HomeService } from './home.service.ts';

/**
 * The weekly email to link officers: checked every quarter of an hour; it sends only on Mondays from
 * 07:00 London time, and each person's once a week (a unique key, not the timing, guarantees that).
 */
export function homeJobs(home: HomeService): JobDefinition[] {
  return [
    defineJob({
      name: 'home.weekly-digest',
      schema: noPayload,
      schedule: { everySeconds: 900 },
      handler: async (_payload, { logger }) => {
        const result = await home.sendWeeklyDigestsWhenDue();
        if (result && (result.sent > 0 || result.nothingDue > 0)) logger.info(result, 'weekly emails written');
      },
    }),
  ];
}
