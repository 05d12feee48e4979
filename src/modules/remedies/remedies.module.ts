import type { ModuleManifest } from '../manifest.ts';
import { remediesApi } from './remedies.api.ts';
import { remediesDemoLoader } from './remedies.demo.ts';
import { remedyJobs } from './remedies.jobs.ts';
import { remediesRoutes } from './remedies.routes.ts';
import { RemediesService } from './remedies.service.ts';

declare module '../../services.ts' {
  interface Services {
    remedies: RemediesService;
  }
}

/** Remedies: proposed with a draft, agreed at the final decision, keeping the case open until complied with. */
export const remediesModule: ModuleManifest = {
  name: 'remedies',
  services: ({ platform: { db, clock }, config, services }) => ({
    remedies: new RemediesService(
      db.kysely,
      clock,
      services.calendar,
      services.files,
      services.caseDocuments,
      services.correspondence,
      services.complaints,
      services.decisions,
      {
        baseUrl: config.BASE_URL,
        dueWorkingDays: config.REMEDY_DUE_WORKING_DAYS,
        reminderWorkingDays: config.REMEDY_REMINDER_WORKING_DAYS,
        escalationWorkingDays: config.REMEDY_ESCALATION_WORKING_DAYS,
      },
    ),
  }),
  connect: ({ decisions, remedies }) => {
    decisions.onDraftIssued((trx, actor, e) => remedies.proposeWithDraft(trx, actor, e));
    decisions.onFinalDecision((trx, actor, e) => remedies.agreeAtFinalDecision(trx, actor, e));
    decisions.addOpenWork((trx, complaintId) => remedies.openWork(trx, complaintId));
  },
  jobs: (jobs, services, config) => jobs.register(...remedyJobs(services.remedies, config.REMEDY_SWEEP_SECONDS)),
  pages: remediesRoutes,
  api: remediesApi,
  caseTabs: [{ id: 'remedies', text: 'Remedies', path: '/remedies', order: 50 }],
  timeline: (services) => (complaintId) => services.remedies.timelineEvents(complaintId),
  navigation: [
    {
      face: 'staff',
      row: 'primary',
      order: 40,
      text: 'Remedies',
      href: '/staff/remedies',
      permission: 'remedies:read',
    },
    {
      face: 'portal',
      row: 'primary',
      order: 30,
      text: 'Remedies',
      href: '/portal/remedies',
      permission: 'remedies:portal',
    },
  ],
  demo: [remediesDemoLoader],
};
