import { defineJob, noPayload, type JobDefinition } from '../jobs/job.ts';
import type { MailSender } from './sender.ts';

/**
 * The outbox's dispatch, every poll interval: messages written by `enqueueMail` go out without
 * anything else. Each message is leased while it is sent, so runs on several workers at once never
 * send one twice.
 */
export function mailJobs(mailSender: MailSender, everySeconds: number): JobDefinition[] {
  return [
    defineJob({
      name: 'mail.send-outbox',
      schema: noPayload,
      schedule: { everySeconds },
      handler: async () => {
        await mailSender.sendDue();
      },
    }),
  ];
}
