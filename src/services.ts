import type { Config } from './config.ts';
import type { WorkingCalendar } from './platform/calendar/calendar.ts';
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/database.ts';
import type { FilesService } from './platform/files/files.service.ts';
import type { FormFlashes } from './platform/flash/form-flashes.ts';
import type { JobQueue } from './platform/jobs/queue.ts';
import type { Logger } from './platform/logger.ts';
import type { RawMailStore } from './platform/mail/raw-store.ts';
import type { MailSender } from './platform/mail/sender.ts';
import type { Snapshots } from './platform/snapshot.ts';
import type { CaseParts } from './modules/manifest.ts';

/** What every service is built on: the configuration, the database, the clock and the log. */
export interface Platform {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
}

/**
 * Every service of a running Liaison, by name. The platform's are declared here; each module adds
 * its own in its manifest file, by augmenting this interface:
 *
 *     declare module '../../services.ts' {
 *       interface Services { training: TrainingService }
 *     }
 *
 * so a route, a job or a test reads `services.training` fully typed without this file changing.
 */
export interface Services {
  platform: Platform;
  jobs: JobQueue;
  calendar: WorkingCalendar;
  snapshots: Snapshots;
  mailSender: MailSender;
  formFlashes: FormFlashes;
  rawMail: RawMailStore;
  files: FilesService;
  /** What modules contribute to a case's pages: its tabs and its timeline's sources. */
  caseParts: CaseParts;
}
