import { defineJob, noPayload, type JobDefinition } from '../jobs/job.ts';
import type { FormFlashes } from './form-flashes.ts';

/** The sweep of expired form flashes, every minute (two sweeps at once are harmless). */
export function flashJobs(flashes: FormFlashes): JobDefinition[] {
  return [
    defineJob({
      name: 'flash.sweep-expired',
      schema: noPayload,
      schedule: { everySeconds: 60 },
      handler: async (_payload, { logger }) => {
        const removed = await flashes.sweepExpired();
        if (removed > 0) logger.info({ removed }, 'expired form flashes removed');
      },
    }),
  ];
}
