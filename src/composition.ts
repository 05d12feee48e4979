import path from 'node:path';
import { MODULES } from './modules/index.ts';
import type { ModuleManifest } from './modules/manifest.ts';
import { workingCalendar } from './platform/calendar/calendar.ts';
import { FilesService } from './platform/files/files.service.ts';
import { fileJobs } from './platform/files/files.jobs.ts';
import { flashJobs } from './platform/flash/flash.jobs.ts';
import { FormFlashes } from './platform/flash/form-flashes.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { mailJobs } from './platform/mail/mail.jobs.ts';
import { Outbox } from './platform/mail/outbox.ts';
import { RawMailStore } from './platform/mail/raw-store.ts';
import { MailSender } from './platform/mail/sender.ts';
import { Snapshots } from './platform/snapshot.ts';
import type { CaseParts, Platform, Services } from './services.ts';

export type { Platform, Services } from './services.ts';

/**
 * Builds every service once: the platform's here, then each module's from its manifest, in the
 * order of `MODULES`; then the modules connect to each other's events and register their jobs.
 * The one place dependencies are wired.
 */
export function createServices(platform: Platform, modules: readonly ModuleManifest[] = MODULES): Services {
  const { config, db, clock } = platform;
  const jobs = new JobQueue({
    db,
    ...(config.database.kind === 'postgres' ? { databaseUrl: config.database.url } : {}),
    pollSeconds: config.JOB_POLL_SECONDS,
    logger: platform.logger,
    schedule: config.ROLES.includes('worker'),
  });
  const caseParts: CaseParts = { tabs: [], timeline: [] };
  const registry: Partial<Services> = {};
  const services = registry as Services; // complete once every module below is built (checked there)
  const mailSender = new MailSender(
    db.kysely,
    clock,
    {
      ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}),
      from: config.MAIL_FROM,
      domain: config.MAIL_DOMAIN,
      concurrency: config.MAIL_CONCURRENCY,
      perDomainPerSecond: config.MAIL_PER_DOMAIN_PER_SECOND,
      leaseSeconds: config.MAIL_LEASE_SECONDS,
      // A refusal at hand-over is a bounce: the correspondence falls back as for a delivery report.
      onRefused: (outboxId, response) => services.correspondence.refusedAtSend(outboxId, response),
    },
    platform.logger.child({ component: 'mail' }),
  );
  // A failed form's errors and input, kept for the next page request; expired ones are swept.
  const formFlashes = new FormFlashes(db.kysely, clock);
  const files = new FilesService(db.kysely, clock, {
    dir: config.DOCUMENTS_DIR ? path.resolve(config.DOCUMENTS_DIR) : path.join(config.dataDir, 'documents'),
    maxBytes: config.DOCUMENT_MAX_BYTES,
    unfiledBudgetBytes: config.ANON_UPLOAD_BUDGET_BYTES,
  });
  // The platform's own jobs: the outbox sent and its claims recovered, expired flashes and orphan files swept.
  const mail = mailJobs(mailSender, config.MAIL_LEASE_SECONDS);
  jobs.register(mail.send, mail.sweep, ...flashJobs(formFlashes), ...fileJobs(files));
  Object.assign(registry, {
    platform,
    jobs,
    calendar: workingCalendar(config.EXTRA_CLOSURE_DAYS),
    // Shared, short-lived results of reads every staff member sees alike (the staff home's panels).
    snapshots: new Snapshots(clock, config.DASHBOARD_CACHE_SECONDS * 1000),
    mailSender,
    mail: new Outbox(jobs, mail.send),
    formFlashes,
    // The source of every inbound message (the gateway writes, filing and erasure read and rewrite).
    rawMail: new RawMailStore(config.MAIL_DIR ? path.resolve(config.MAIL_DIR) : path.join(config.dataDir, 'mail')),
    files,
    caseParts,
  } satisfies Partial<Services>);

  for (const module of modules) {
    const built = module.services?.({ platform, config, services: builtSoFar(registry, module.name) }) ?? {};
    Object.assign(registry, built);
  }
  for (const module of modules) {
    caseParts.tabs.push(...(module.caseTabs ?? []));
    if (module.timeline) caseParts.timeline.push(module.timeline(services));
  }
  caseParts.tabs.sort((a, b) => a.order - b.order);
  for (const module of modules) module.connect?.(services);
  for (const module of modules) module.jobs?.(jobs, services, config);
  return services;
}

/** The services a module may use while it is built: asking for one not built yet fails, naming both. */
function builtSoFar(registry: Partial<Services>, asking: string): Services {
  return new Proxy(registry, {
    get(target, name) {
      if (typeof name === 'string' && !(name in target)) {
        throw new Error(
          `The ${asking} module uses the service "${name}", which is not built yet: list the module that builds it above ${asking} in src/modules/index.ts`,
        );
      }
      return Reflect.get(target, name) as unknown;
    },
  }) as Services;
}
