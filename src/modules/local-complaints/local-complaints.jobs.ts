import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { LocalComplaintsService } from './local-complaints.service.ts';

/** The local complaints log's retention sweep, daily. */
export function localComplaintsJobs(localComplaints: LocalComplaintsService): JobDefinition[] {
  return [
    defineJob({
      name: 'local-complaints.retention',
      schema: noPayload,
      schedule: { everySeconds: 24 * 3600 },
      handler: async () => {
        await localComplaints.sweepRetention();
      },
    }),
  ];
}
