import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { ComplaintsService } from './complaints.service.ts';

/** The public complaint form's drafts hold personal data: none is kept beyond 24 hours (swept hourly). */
export function complaintsJobs(complaints: ComplaintsService): JobDefinition[] {
  return [
    defineJob({
      name: 'complaints.sweep-drafts',
      schema: noPayload,
      schedule: { everySeconds: 3600 },
      handler: async () => {
        await complaints.sweepDrafts();
      },
    }),
  ];
}
