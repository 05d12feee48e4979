import type { ModuleManifest } from '../manifest.ts';
import { localComplaintsApi } from './local-complaints.api.ts';
import { localComplaintsJobs } from './local-complaints.jobs.ts';
import { localComplaintsPortalRoutes } from './local-complaints.portal.routes.ts';
import { LocalComplaintsService } from './local-complaints.service.ts';
import { localComplaintsStaffRoutes } from './local-complaints.staff.routes.ts';

declare module '../../services.ts' {
  interface Services {
    localComplaints: LocalComplaintsService;
  }
}

/**
 * The authority's own complaint handling (stage 1 and stage 2 under the Complaint Handling Code,
 * and the statutory social care routes): its log, the Code's clocks, imports, the link to the
 * ombudsman's case, oversight and the annual self-assessment. See docs/architecture.md, "Adding a module".
 */
export const localComplaintsModule: ModuleManifest = {
  name: 'local-complaints',
  services: ({ platform: { db, clock }, services }) => ({
    localComplaints: new LocalComplaintsService(db.kysely, clock, services.calendar, services.snapshots),
  }),
  jobs: (jobs, services) => jobs.register(...localComplaintsJobs(services.localComplaints)),
  pages: (services) => [...localComplaintsPortalRoutes(services), ...localComplaintsStaffRoutes(services)],
  api: localComplaintsApi,
  caseTabs: [{ id: 'local-record', text: 'Local record', path: '/local-record', order: 15 }],
  timeline: (services) => (complaintId) => services.localComplaints.timelineEvents(complaintId),
  navigation: [
    {
      face: 'portal',
      row: 'more',
      order: 15,
      text: 'Your complaints log',
      href: '/portal/local-complaints',
      permission: 'local-complaints:read',
      description:
        'Your authority’s own stage 1 and stage 2 complaints, their deadlines under the Code, imports, oversight and the annual self-assessment.',
    },
  ],
};
