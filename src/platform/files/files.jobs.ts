import type { PeriodicTask } from '../jobs/queue.ts';
import type { FilesService } from './files.service.ts';

/**
 * The documents folder's daily sweep: files no row names (left when a row went without its file, or
 * by an upload whose transaction never committed), once they are a day old. On every worker; two
 * sweeps at once each delete a file at most once.
 */
export function registerFileJobs(jobs: { every(task: PeriodicTask): unknown }, files: FilesService): void {
  jobs.every({
    name: 'files.sweep-orphans',
    everySeconds: 24 * 3600,
    run: async (logger) => {
      const removed = await files.sweepOrphans();
      logger.info({ removed }, 'document files without a row removed');
    },
  });
}
