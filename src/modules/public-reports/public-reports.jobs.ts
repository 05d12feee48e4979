import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { PublicReportsService } from './public-reports.service.ts';

/** The public reports' work for the worker: the statutory steps' reminder and escalation sweep (each reminder still goes once). */
export function registerPublicReportJobs(jobs: JobQueue, reports: PublicReportsService, sweepSeconds: number): void {
  jobs.every({
    name: 'public-reports.sweep-reminders',
    everySeconds: sweepSeconds,
    run: async (logger) => {
      const result = await reports.sweep();
      if (result.reminders > 0) logger.info(result, 'public report reminders written');
    },
  });
}
