import { defineJob, noPayload, type JobDefinition } from '../jobs/job.ts';
import type { FilesService } from './files.service.ts';

/**
 * The documents folder's daily sweep: files no row names (left when a row went without its file, or
 * by an upload whose transaction never committed), once they are a day old. Two sweeps at once each
 * delete a file at most once.
 */
export function fileJobs(files: FilesService): JobDefinition[] {
  return [
    defineJob({
      name: 'files.sweep-orphans',
      schema: noPayload,
      schedule: { everySeconds: 24 * 3600 },
      handler: async (_payload, { logger }) => {
        const removed = await files.sweepOrphans();
        logger.info({ removed }, 'document files without a row removed');
      },
    }),
  ];
}
