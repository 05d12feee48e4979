import type { ModuleManifest } from '../manifest.ts';
import { correspondenceApi } from './correspondence.api.ts';
import { correspondenceJobs } from './correspondence.jobs.ts';
import { correspondenceRoutes } from './correspondence.routes.ts';
import { CorrespondenceService } from './correspondence.service.ts';

declare module '../../services.ts' {
  interface Services {
    correspondence: CorrespondenceService;
  }
}

/** Correspondence: every message on a case, both ways; the one sender for case mail and the holding pen. */
export const correspondenceModule: ModuleManifest = {
  name: 'correspondence',
  // Every message no other module claims is filed on its case or held for staff.
  inboundMail: (services) => ({
    kind: 'catch-all',
    take: async (id, parsed) => {
      await services.correspondence.fileInbound(id, parsed);
      return true;
    },
  }),
  services: ({ platform: { db, clock, logger }, config, services }) => ({
    correspondence: new CorrespondenceService(
      db.kysely,
      clock,
      {
        files: services.files,
        rawMail: services.rawMail,
        jobs: services.jobs,
        mail: services.mail,
        linkOfficers: services.linkOfficers,
        logger: logger.child({ component: 'correspondence' }),
      },
      { domain: config.MAIL_DOMAIN },
    ),
  }),
  jobs: (jobs, services, config) =>
    jobs.register(...correspondenceJobs(services.correspondence, config.JOB_POLL_SECONDS)),
  pages: correspondenceRoutes,
  api: correspondenceApi,
  caseTabs: [{ id: 'correspondence', text: 'Correspondence', path: '/correspondence', order: 30 }],
  timeline: (services) => (complaintId) => services.correspondence.timelineEvents(complaintId),
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 20,
      text: 'Holding pen',
      href: '/staff/holding-pen',
      permission: 'holding-pen:triage',
      description: 'Emails that could not be filed to a case by themselves.',
    },
    {
      face: 'portal',
      row: 'more',
      order: 30,
      text: 'Correspondence',
      href: '/portal/correspondence',
      permission: 'portal:complaints',
      description: 'Every message between the ombudsman and your authority, across all cases.',
    },
  ],
};
