import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { CorrespondenceService } from './correspondence.service.ts';

/**
 * Correspondence work for the worker: the dispatch job (one per item, enqueued with the item), and
 * two safety sweeps: items never dispatched, and stored inbound mail never filed (e.g. if filing
 * failed when it arrived). All are idempotent, so running on several workers at once is safe.
 */
export function correspondenceJobs(correspondence: CorrespondenceService, everySeconds: number): JobDefinition[] {
  return [
    correspondence.dispatchJob,
    defineJob({
      name: 'correspondence.sweep',
      schema: noPayload,
      schedule: { everySeconds },
      handler: async () => {
        await correspondence.dispatchPending();
        await correspondence.fileUnprocessed();
      },
    }),
  ];
}
