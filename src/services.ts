import type { Config } from './config.ts';
import type { WorkingCalendar } from './platform/calendar/calendar.ts';
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/database.ts';
import type { FilesService } from './platform/files/files.service.ts';
import type { FormFlashes } from './platform/flash/form-flashes.ts';
import type { JobQueue } from './platform/jobs/queue.ts';
import type { Logger } from './platform/logger.ts';
import type { RawMailStore } from './platform/mail/raw-store.ts';
import type { Outbox } from './platform/mail/outbox.ts';
import type { MailSender } from './platform/mail/sender.ts';
import type { Snapshots } from './platform/snapshot.ts';
import type { TimelineSource } from './modules/complaints/complaints.service.ts';

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
  /** Writes messages to the outbox, with the job that sends them, in the caller's transaction. */
  mail: Outbox;
  formFlashes: FormFlashes;
  rawMail: RawMailStore;
  files: FilesService;
  /** What modules contribute to a case's pages: its tabs and its timeline's sources. */
  caseParts: CaseParts;
}

/** A tab of the staff case page: `/staff/complaints/:id<path>`. */
export interface CaseTab {
  id: string;
  text: string;
  path: string;
  /** Position among the tabs: lower comes first (Summary is 0). */
  order: number;
}

/** What the modules contribute to a case's pages (their manifests' `caseTabs` and `timeline`), gathered at start-up. */
export interface CaseParts {
  tabs: CaseTab[];
  timeline: TimelineSource[];
}
