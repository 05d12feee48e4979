import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { AnnualReviewService } from './letters.service.ts';
import type { StatisticsService } from './statistics.service.ts';

/** Refreshed every hour: this year's and last year's figures (late compliance changes last year's). */
const REFRESH_SECONDS = 3600;

/** The statistics' work for the worker: the annual review letters' jobs, and the hourly refresh of the figures. */
export function statisticsJobs(statistics: StatisticsService, annualReview: AnnualReviewService): JobDefinition[] {
  return [
    annualReview.generateJob,
    annualReview.sendJob,
    defineJob({
      name: 'statistics.refresh',
      schema: noPayload,
      schedule: { everySeconds: REFRESH_SECONDS },
      handler: async (_payload, { logger }) => {
        const done = await statistics.refresh(undefined, { wait: false });
        if (done.length > 0) logger.info({ years: done }, 'performance figures worked out');
      },
    }),
  ];
}
