import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden } from '../../platform/errors.ts';
import type { JobDefinition, JobQueue } from '../../platform/jobs/queue.ts';
import type { Logger } from '../../platform/logger.ts';
import { Snapshots } from '../../platform/snapshot.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import type { Counts, Progress } from './domain.ts';
import { NewsletterDeliveriesRepository } from './deliveries.repository.ts';
import type { MailSettings } from './newsletter.mail.ts';
import { NewsletterRepository } from './newsletter.repository.ts';
import type { IssueStatus } from './newsletter.tables.ts';
import { NewsletterSubscribersRepository } from './subscribers.repository.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export interface NewsletterSettings extends MailSettings {
  /** Deliveries written to the outbox per transaction. */
  batchSize: number;
  /** The fan-out waits while this many of the newsletter's messages wait in the outbox (so a pause takes hold). */
  backlog: number;
  /**
   * How long an issue's counts, once read, are shown to everyone who asks (the progress page, its
   * script's figures, the API); 0 or none: read on every request.
   */
  progressCacheMs?: number;
}

/** A recent publication or an upcoming training session the composer may add to an issue's content. */
export interface Insertion {
  /** Stable between the compose page and its form (`publication:<slug>`, `session:<id>`). */
  key: string;
  kind: 'Publication' | 'Training';
  label: string;
  markdown: string;
}

export interface IssueInput {
  subject: string;
  preheader: string;
  body: string;
  topics: string[];
}

export interface IssueView {
  id: string;
  slug: string;
  subject: string;
  preheader: string;
  body: string;
  topics: string[];
  status: IssueStatus;
  scheduledFor: Date | null;
  sentAt: Date | null;
  progress: Progress;
}

export interface NewsletterDeps {
  linkOfficers: LinkOfficersService;
  jobs: JobQueue;
  mail: Outbox;
  logger: Logger;
  /** Recent publications and upcoming training, as Markdown lines (from those modules). */
  insertions?: () => Promise<Insertion[]>;
}

export const fanOutPayload = z.object({ issueId: z.uuid() });

/** What every newsletter use case works with: the repositories, the clock, the other modules, the settings and the fan-out's job. */
export interface NewsletterContext {
  db: Kysely<Database>;
  issues: NewsletterRepository;
  subscribers: NewsletterSubscribersRepository;
  deliveries: NewsletterDeliveriesRepository;
  clock: Clock;
  deps: NewsletterDeps;
  settings: NewsletterSettings;
  /** The job that writes an issue's deliveries to the outbox, enqueued when its sending starts. */
  fanOutJob: JobDefinition<typeof fanOutPayload>;
  /** When this process last suppressed hard-bounced addresses in its sweep (wall clock). */
  bounces: { readAt: number };
  /**
   * Issues' counts as last read, each with the time it was read, kept for `settings.progressCacheMs`
   * and shared by the requests of this process (one read for concurrent requests).
   */
  counted: Snapshots;
}

/** An issue's counts and when they were read. */
export interface CountsRead {
  counts: Counts;
  at: Date;
}

export function newsletterContext(
  db: Kysely<Database>,
  clock: Clock,
  deps: NewsletterDeps,
  settings: NewsletterSettings,
  fanOutJob: JobDefinition<typeof fanOutPayload>,
): NewsletterContext {
  return {
    db,
    issues: new NewsletterRepository(db),
    subscribers: new NewsletterSubscribersRepository(db),
    deliveries: new NewsletterDeliveriesRepository(db),
    clock,
    deps,
    settings,
    fanOutJob,
    bounces: { readAt: 0 },
    counted: new Snapshots(clock, settings.progressCacheMs ?? 0),
  };
}

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function assertManage(actor: Actor | null): asserts actor is Actor {
  if (!can(actor, 'newsletter:manage')) throw forbidden();
}

export async function auditIssue(trx: DbOrTx, actor: Actor, action: string, id: string): Promise<void> {
  await writeAudit(trx, auditEventBy(actor, action, { type: 'newsletter-issue', id }));
}
