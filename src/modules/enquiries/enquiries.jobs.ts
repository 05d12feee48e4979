import { z } from 'zod';
import { defineJob, noPayload } from '../../platform/jobs/queue.ts';
import type { EnquiriesService } from './enquiries.service.ts';

export const notifyAllocationPayload = z.object({ complaintId: z.uuid() });

/**
 * The enquiries' work for the worker: the allocation notice, which the complaints module enqueues
 * in the transaction that moves a complaint to investigation, and the reminder and escalation sweep
 * (every few minutes; each reminder still goes once).
 */
export function enquiryJobs(enquiries: EnquiriesService, sweepSeconds: number) {
  const notifyAllocationJob = defineJob({
    name: 'enquiries.notify-allocation',
    schema: notifyAllocationPayload,
    handler: async (payload) => {
      await enquiries.notifyAllocation(payload.complaintId);
    },
  });
  const sweepJob = defineJob({
    name: 'enquiries.sweep-reminders',
    schema: noPayload,
    schedule: { everySeconds: sweepSeconds },
    handler: async (_payload, { logger }) => {
      const result = await enquiries.sweep();
      if (result.reminders > 0) logger.info(result, 'enquiry reminders written');
    },
  });
  return { notifyAllocationJob, sweepJob };
}
