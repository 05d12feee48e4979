import type { Config } from './config.ts';
import { AccountsService } from './modules/accounts/accounts.service.ts';
import { UserDirectoryService } from './modules/accounts/user-directory.service.ts';
import { ApiTokensService } from './modules/api-tokens/api-tokens.service.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { AuthoritiesService } from './modules/authorities/authorities.service.ts';
import { LinkOfficersService } from './modules/link-officers/link-officers.service.ts';
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/database.ts';
import type { Logger } from './platform/logger.ts';
import { workingCalendar } from './platform/calendar/calendar.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { MailSender } from './platform/mail/sender.ts';
import { OutboxService } from './modules/outbox/outbox.service.ts';

export interface Platform {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
}

/** Builds every service once, from repositories up. The one place dependencies are wired. */
export function createServices(platform: Platform) {
  const { config, db, clock } = platform;
  const accounts = new AccountsService(db.kysely, clock, {
    sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: config.SESSION_ABSOLUTE_HOURS,
    maxFailuresPerAccount: config.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: config.SIGNIN_MAX_FAILURES_PER_IP,
    lockoutMinutes: config.SIGNIN_LOCKOUT_MINUTES,
    secret: config.SESSION_SECRET,
    baseUrl: config.BASE_URL,
    invitationTtlHours: config.INVITATION_TTL_HOURS,
    passwordResetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
  });
  const jobs = new JobQueue({
    db,
    ...(config.database.kind === 'postgres' ? { databaseUrl: config.database.url } : {}),
    pollSeconds: config.JOB_POLL_SECONDS,
    logger: platform.logger,
  });
  const calendar = workingCalendar(config.EXTRA_CLOSURE_DAYS);
  const mailSender = new MailSender(
    db.kysely,
    clock,
    { ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}), from: config.MAIL_FROM, domain: config.MAIL_DOMAIN },
    platform.logger.child({ component: 'mail' }),
  );
  // The outbox is swept every poll interval: messages written by enqueueMail go out without anything else.
  jobs.every({
    name: 'mail.send-outbox',
    everySeconds: config.JOB_POLL_SECONDS,
    run: async () => {
      await mailSender.sendDue();
    },
  });
  const outbox = new OutboxService(db.kysely);
  const linkOfficers = new LinkOfficersService(db.kysely, clock, accounts, {
    baseUrl: config.BASE_URL,
    confirmationTtlDays: 14,
    invitationTtlHours: config.INVITATION_TTL_HOURS,
  });
  const authorities = new AuthoritiesService(db.kysely, clock, {
    logger: platform.logger.child({ component: 'authorities' }),
  });
  const apiTokens = new ApiTokensService(db.kysely, clock);
  const audit = new AuditService(db.kysely);
  const userDirectory = new UserDirectoryService(db.kysely);
  return {
    platform,
    jobs,
    calendar,
    mailSender,
    outbox,
    accounts,
    authorities,
    linkOfficers,
    apiTokens,
    audit,
    userDirectory,
  };
}

export type Services = ReturnType<typeof createServices>;
