import type { ModuleManifest } from '../manifest.ts';
import { publicReportsApi } from './public-reports.api.ts';
import { publicReportsDemoLoader } from './public-reports.demo.ts';
import { publicReportJobs } from './public-reports.jobs.ts';
import { publicReportsRoutes } from './public-reports.routes.ts';
import { PublicReportsService } from './public-reports.service.ts';

declare module '../../services.ts' {
  interface Services {
    publicReports: PublicReportsService;
  }
}

/** Public reports: the draft and final report go through decisions; the statutory tracker keeps the case open. */
export const publicReportsModule: ModuleManifest = {
  name: 'public-reports',
  services: ({ platform: { db, clock }, config, services }) => ({
    publicReports: new PublicReportsService(
      db.kysely,
      clock,
      services.calendar,
      { correspondence: services.correspondence, files: services.files, decisions: services.decisions },
      {
        baseUrl: config.BASE_URL,
        noticeDays: config.PUBLIC_REPORT_NOTICE_DAYS,
        inspectionDays: 21,
        responseMonths: 3,
        reminderDays: config.PUBLIC_REPORT_REMINDER_DAYS,
        escalationDays: config.PUBLIC_REPORT_ESCALATION_DAYS,
      },
    ),
  }),
  connect: ({ decisions, publicReports }) => {
    decisions.onFinalDecision((trx, actor, e) => publicReports.startTracker(trx, actor, e));
    decisions.addOpenWork((trx, complaintId) => publicReports.openWork(trx, complaintId));
  },
  jobs: (jobs, services, config) =>
    jobs.register(...publicReportJobs(services.publicReports, config.PUBLIC_REPORT_SWEEP_SECONDS)),
  pages: publicReportsRoutes,
  api: publicReportsApi,
  caseTabs: [{ id: 'public-report', text: 'Public report', path: '/public-report', order: 60 }],
  timeline: (services) => (complaintId) => services.publicReports.timelineEvents(complaintId),
  navigation: [
    {
      face: 'portal',
      row: 'more',
      order: 10,
      text: 'Public reports',
      href: '/portal/public-reports',
      permission: 'public-reports:portal',
      description: 'Reports the ombudsman is publishing about your authority, and the steps each needs.',
    },
  ],
  demo: [publicReportsDemoLoader],
};
