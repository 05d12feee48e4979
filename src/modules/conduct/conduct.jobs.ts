import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { ConductService } from './conduct.service.ts';

/** Reminders go out a fortnight before each review date (and for any overdue), once a review date; checked hourly. */
export function conductJobs(conduct: ConductService): JobDefinition[] {
  return [
    defineJob({
      name: 'conduct.review-reminders',
      schema: noPayload,
      schedule: { everySeconds: 3600 },
      handler: async () => {
        await conduct.remindReviewsDue();
      },
    }),
  ];
}
