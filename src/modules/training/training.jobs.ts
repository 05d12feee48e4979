import { defineJob, noPayload, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { TrainingService } from './training.service.ts';

/**
 * Training's work for the worker: offers not taken up in time lapse and go to the next on the waiting
 * list (every minute), and reminders two working days before a session (every quarter of an hour;
 * each person is reminded once).
 */
export function trainingJobs(training: TrainingService): JobDefinition[] {
  return [
    defineJob({
      name: 'training.sweep-offers',
      schema: noPayload,
      schedule: { everySeconds: 60 },
      handler: async (_payload, { logger }) => {
        const result = await training.sweepOffers();
        if (result.lapsed > 0) logger.info(result, 'training offers lapsed and offered on');
      },
    }),
    defineJob({
      name: 'training.send-reminders',
      schema: noPayload,
      schedule: { everySeconds: 900 },
      handler: async (_payload, { logger }) => {
        const reminded = await training.sweepReminders();
        if (reminded > 0) logger.info({ reminded }, 'training reminders written');
      },
    }),
  ];
}
