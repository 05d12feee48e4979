import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { RemediesService } from './remedies.service.ts';

/** The remedies' work for the worker: the reminder and escalation sweep, on every worker (each reminder still goes once). */
export function registerRemedyJobs(jobs: JobQueue, remedies: RemediesService, sweepSeconds: number): void {
  jobs.every({
    name: 'remedies.sweep-reminders',
    everySeconds: sweepSeconds,
    run: async (logger) => {
      const result = await remedies.sweep();
      if (result.reminders > 0 || result.escalated > 0) logger.info(result, 'remedy reminders written');
    },
  });
}
