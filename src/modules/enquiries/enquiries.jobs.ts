import { z } from 'zod';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import type { EnquiriesService } from './enquiries.service.ts';

export const notifyAllocationPayload = z.object({ complaintId: z.uuid() });

/**
 * The enquiries' work for the worker: the reminder and escalation sweep (every few minutes, on every
 * worker: each reminder still goes once), and the allocation notice, which the complaints module
 * enqueues in the transaction that moves a complaint to investigation.
 */
export function registerEnquiryJobs(jobs: JobQueue, enquiries: EnquiriesService, sweepSeconds: number) {
  const notifyAllocationJob = defineJob({
    name: 'enquiries.notify-allocation',
    schema: notifyAllocationPayload,
    handler: async (payload) => {
      await enquiries.notifyAllocation(payload.complaintId);
    },
  });
  jobs.register(notifyAllocationJob);
  jobs.every({
    name: 'enquiries.sweep-reminders',
    everySeconds: sweepSeconds,
    run: async (logger) => {
      const result = await enquiries.sweep();
      if (result.reminders > 0) logger.info(result, 'enquiry reminders written');
    },
  });
  return { notifyAllocationJob };
}
