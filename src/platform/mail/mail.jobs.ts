import { defineJob, noPayload, type JobDefinition } from '../jobs/job.ts';
import type { MailSender } from './sender.ts';

export interface MailJobs {
  /** Sends what is due; enqueued by `Outbox` in the transaction that writes a message. */
  send: JobDefinition<typeof noPayload>;
  /**
   * The outbox's recovery: claims of a sender that died are taken back when their lease ends, and
   * messages waiting for a retry go when it falls due. It runs as often as a claim lasts, at most a
   * minute apart, and once when a worker starts.
   */
  sweep: JobDefinition<typeof noPayload>;
}

/**
 * The outbox's jobs. Each message is leased while it is sent, so runs on several workers at once
 * never send one twice; a run that finds nothing due does nothing.
 */
export function mailJobs(mailSender: MailSender, leaseSeconds: number): MailJobs {
  const drain = async () => {
    await mailSender.sendDue();
  };
  return {
    send: defineJob({ name: 'mail.send', schema: noPayload, handler: drain }),
    sweep: defineJob({
      name: 'mail.sweep',
      schema: noPayload,
      schedule: { everySeconds: Math.max(1, Math.min(60, leaseSeconds)) },
      handler: drain,
    }),
  };
}
