import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { RemediesService } from './remedies.service.ts';

/** The remedies' work for the worker: the reminder and escalation sweep (each reminder still goes once). */
export function remedyJobs(remedies: RemediesService, sweepSeconds: number): JobDefinition[] {
  return [
    defineJob({
      name: 'remedies.sweep-reminders',
      schema: noPayload,
      schedule: { everySeconds: sweepSeconds },
      handler: async (_payload, { logger }) => {
        const result = await remedies.sweep();
        if (result.reminders > 0 || result.escalated > 0) logger.info(result, 'remedy reminders written');
      },
    }),
  ];
}
