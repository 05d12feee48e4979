import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { PublicReportsService } from './public-reports.service.ts';

/** The public reports' work for the worker: the statutory steps' reminder and escalation sweep (each reminder still goes once). */
export function publicReportJobs(reports: PublicReportsService, sweepSeconds: number): JobDefinition[] {
  return [
    defineJob({
      name: 'public-reports.sweep-reminders',
      schema: noPayload,
      schedule: { everySeconds: sweepSeconds },
      handler: async (_payload, { logger }) => {
        const result = await reports.sweep();
        if (result.reminders > 0) logger.info(result, 'public report reminders written');
      },
    }),
  ];
}
