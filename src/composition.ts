import type { Config } from './config.ts';
import { AccountsService } from './modules/accounts/accounts.service.ts';
import { UserDirectoryService } from './modules/accounts/user-directory.service.ts';
import { ApiTokensService } from './modules/api-tokens/api-tokens.service.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { AuthoritiesService } from './modules/authorities/authorities.service.ts';
import { LinkOfficersService } from './modules/link-officers/link-officers.service.ts';
import { EnquiriesService } from './modules/enquiries/enquiries.service.ts';
import { registerEnquiryJobs } from './modules/enquiries/enquiries.jobs.ts';
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/database.ts';
import type { Logger } from './platform/logger.ts';
import { workingCalendar } from './platform/calendar/calendar.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { RawMailStore } from './platform/mail/raw-store.ts';
import { MailSender } from './platform/mail/sender.ts';
import { OutboxService } from './modules/outbox/outbox.service.ts';
import { CorrespondenceService } from './modules/correspondence/correspondence.service.ts';
import { registerCorrespondenceJobs } from './modules/correspondence/correspondence.jobs.ts';
import { FilesService } from './platform/files/files.service.ts';
import { FormFlashes, registerFlashJobs } from './platform/flash/form-flashes.ts';
import { registerFileJobs } from './platform/files/files.jobs.ts';
import { ComplaintsService } from './modules/complaints/complaints.service.ts';
import { DecisionsService } from './modules/decisions/decisions.service.ts';
import { RemediesService } from './modules/remedies/remedies.service.ts';
import { registerRemedyJobs } from './modules/remedies/remedies.jobs.ts';
import { PublicReportsService } from './modules/public-reports/public-reports.service.ts';
import { registerPublicReportJobs } from './modules/public-reports/public-reports.jobs.ts';
import path from 'node:path';
import { Snapshots } from './platform/snapshot.ts';
import { HomeService } from './modules/home/home.service.ts';
import { registerHomeJobs } from './modules/home/home.jobs.ts';

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
    totpKeys: config.TOTP_ENCRYPTION_KEYS,
    sessionCacheMs: config.SESSION_CACHE_MS,
  });
  const jobs = new JobQueue({
    db,
    ...(config.database.kind === 'postgres' ? { databaseUrl: config.database.url } : {}),
    pollSeconds: config.JOB_POLL_SECONDS,
    logger: platform.logger,
  });
  const calendar = workingCalendar(config.EXTRA_CLOSURE_DAYS);
  // Shared, short-lived results of reads every staff member sees alike (the staff home's panels).
  const snapshots = new Snapshots(clock, config.DASHBOARD_CACHE_SECONDS * 1000);
  const mailSender = new MailSender(
    db.kysely,
    clock,
    {
      ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}),
      from: config.MAIL_FROM,
      domain: config.MAIL_DOMAIN,
      // A refusal at hand-over is a bounce: the correspondence falls back as for a delivery report.
      onRefused: (outboxId, response) => correspondence.refusedAtSend(outboxId, response),
    },
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
  const outbox = new OutboxService(db.kysely, clock);
  // A failed form's errors and input, kept for the next page request; expired ones are swept.
  const formFlashes = new FormFlashes(db.kysely, clock);
  registerFlashJobs(jobs, formFlashes);
  // The source of every inbound message (the gateway writes, filing and erasure read and rewrite).
  const rawMail = new RawMailStore(config.MAIL_DIR ? path.resolve(config.MAIL_DIR) : path.join(config.dataDir, 'mail'));
  const linkOfficers = new LinkOfficersService(db.kysely, clock, accounts, rawMail, {
    baseUrl: config.BASE_URL,
    confirmationTtlDays: 14,
    invitationTtlHours: config.INVITATION_TTL_HOURS,
  });
  const authorities = new AuthoritiesService(db.kysely, clock, {
    logger: platform.logger.child({ component: 'authorities' }),
    snapshots,
  });
  const apiTokens = new ApiTokensService(db.kysely, clock);
  const audit = new AuditService(db.kysely);
  const userDirectory = new UserDirectoryService(db.kysely);
  const files = new FilesService(db.kysely, clock, {
    dir: config.DOCUMENTS_DIR ? path.resolve(config.DOCUMENTS_DIR) : path.join(config.dataDir, 'documents'),
    maxBytes: config.DOCUMENT_MAX_BYTES,
    unfiledBudgetBytes: config.ANON_UPLOAD_BUDGET_BYTES,
  });
  registerFileJobs(jobs, files);
  // Every message on a case is a correspondence item: complaints and enquiries write through it.
  const correspondence = new CorrespondenceService(
    db.kysely,
    clock,
    { files, rawMail, jobs, logger: platform.logger.child({ component: 'correspondence' }) },
    { domain: config.MAIL_DOMAIN },
  );
  registerCorrespondenceJobs(jobs, correspondence, config.JOB_POLL_SECONDS);
  const complaints = new ComplaintsService(db.kysely, clock, calendar, files, correspondence, {
    baseUrl: config.BASE_URL,
    assessmentTargetWorkingDays: config.ASSESSMENT_TARGET_WORKING_DAYS,
    documentRequestWorkingDays: config.DOCUMENT_REQUEST_WORKING_DAYS,
  });
  // The public complaint form's drafts hold personal data: none is kept beyond 24 hours.
  jobs.every({
    name: 'complaints.sweep-drafts',
    everySeconds: 3600,
    run: async () => {
      await complaints.sweepDrafts();
    },
  });
  const enquiries = new EnquiriesService(db.kysely, clock, calendar, authorities, linkOfficers, files, correspondence, {
    baseUrl: config.BASE_URL,
    dueWorkingDays: {
      enquiry: config.ENQUIRY_DUE_WORKING_DAYS,
      'document-request': config.DOCUMENT_REQUEST_DUE_WORKING_DAYS,
    },
    reminderWorkingDays: config.ENQUIRY_REMINDER_WORKING_DAYS,
    escalationWorkingDays: config.ENQUIRY_ESCALATION_WORKING_DAYS,
  });
  const enquiryJobs = registerEnquiryJobs(jobs, enquiries, config.ENQUIRY_SWEEP_SECONDS);
  // Allocation gives the authority its chance to comment: the notice is queued with the change itself.
  complaints.onInvestigationStarted(async (trx, complaintId) => {
    await jobs.enqueue(trx, enquiryJobs.notifyAllocationJob, { complaintId });
  });
  complaints.addTimelineSource((complaintId) => enquiries.timelineEvents(complaintId));
  complaints.addTimelineSource((complaintId) => correspondence.timelineEvents(complaintId));
  // Draft and final decisions: remedies and public reports hook into them (below them in this file).
  const decisions = new DecisionsService(db.kysely, clock, calendar, complaints, correspondence, {
    baseUrl: config.BASE_URL,
    commentWorkingDays: config.DRAFT_COMMENT_WORKING_DAYS,
    reviewWorkingDays: config.DECISION_REVIEW_WORKING_DAYS,
  });
  complaints.addTimelineSource((complaintId) => decisions.timelineEvents(complaintId));
  // Remedies: proposed with a draft, agreed at the final decision, keeping the case open until complied with.
  const remedies = new RemediesService(db.kysely, clock, calendar, files, correspondence, complaints, decisions, {
    baseUrl: config.BASE_URL,
    dueWorkingDays: config.REMEDY_DUE_WORKING_DAYS,
    reminderWorkingDays: config.REMEDY_REMINDER_WORKING_DAYS,
    escalationWorkingDays: config.REMEDY_ESCALATION_WORKING_DAYS,
  });
  decisions.onDraftIssued((trx, actor, e) => remedies.proposeWithDraft(trx, actor, e));
  decisions.onFinalDecision((trx, actor, e) => remedies.agreeAtFinalDecision(trx, actor, e));
  decisions.addOpenWork((trx, complaintId) => remedies.openWork(trx, complaintId));
  complaints.addTimelineSource((complaintId) => remedies.timelineEvents(complaintId));
  registerRemedyJobs(jobs, remedies, config.REMEDY_SWEEP_SECONDS);
  // Public reports: the draft and final report go through decisions; the statutory tracker keeps the case open.
  const publicReports = new PublicReportsService(
    db.kysely,
    clock,
    calendar,
    { correspondence, files, decisions },
    {
      baseUrl: config.BASE_URL,
      noticeDays: config.PUBLIC_REPORT_NOTICE_DAYS,
      inspectionDays: 21,
      responseMonths: 3,
      reminderDays: config.PUBLIC_REPORT_REMINDER_DAYS,
      escalationDays: config.PUBLIC_REPORT_ESCALATION_DAYS,
    },
  );
  decisions.onFinalDecision((trx, actor, e) => publicReports.startTracker(trx, actor, e));
  decisions.addOpenWork((trx, complaintId) => publicReports.openWork(trx, complaintId));
  complaints.addTimelineSource((complaintId) => publicReports.timelineEvents(complaintId));
  registerPublicReportJobs(jobs, publicReports, config.PUBLIC_REPORT_SWEEP_SECONDS);
  // The home pages read each module's work; the weekly email to link officers is sent from them.
  const home = new HomeService(
    db.kysely,
    clock,
    calendar,
    { enquiries, decisions, remedies, publicReports, complaints, linkOfficers, correspondence, snapshots },
    { baseUrl: config.BASE_URL },
  );
  registerHomeJobs(jobs, home);
  return {
    platform,
    jobs,
    calendar,
    snapshots,
    mailSender,
    outbox,
    formFlashes,
    accounts,
    authorities,
    linkOfficers,
    apiTokens,
    audit,
    userDirectory,
    enquiries,
    enquiryJobs,
    files,
    rawMail,
    complaints,
    correspondence,
    decisions,
    remedies,
    publicReports,
    home,
  };
}

export type Services = ReturnType<typeof createServices>;
