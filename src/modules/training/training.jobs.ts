import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { TrainingService } from './training.service.ts';

/**
 * Training's work for the worker: offers not taken up in time lapse and go to the next on the waiting
 * list (every minute), and reminders two working days before a session (every quarter of an hour;
 * each person is reminded once).
 */
export function registerTrainingJobs(jobs: JobQueue, training: TrainingService): void {
  jobs.every({
    name: 'training.sweep-offers',
    everySeconds: 60,
    run: async (logger) => {
      const result = await training.sweepOffers();
      if (result.lapsed > 0) logger.info(result, 'training offers lapsed and offered on');
    },
  });
  jobs.every({
    name: 'training.send-reminders',
    everySeconds: 900,
    run: async (logger) => {
      const reminded = await training.sweepReminders();
      if (reminded > 0) logger.info({ reminded }, 'training reminders written');
    },
  });
}
