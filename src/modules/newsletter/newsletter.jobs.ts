import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { NewsletterService } from './newsletter.service.ts';

/**
 * The newsletter's work for the worker: an issue's fan-out (enqueued when it is sent), and the sweep
 * that moves sending issues on, every poll interval.
 */
export function newsletterJobs(newsletter: NewsletterService, everySeconds: number): JobDefinition[] {
  return [
    newsletter.fanOutJob,
    defineJob({
      name: 'newsletter.sweep',
      schema: noPayload,
      schedule: { everySeconds },
      handler: async () => {
        await newsletter.sweep();
      },
    }),
  ];
}
