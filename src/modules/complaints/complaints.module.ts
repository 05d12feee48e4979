import type { ModuleManifest } from '../manifest.ts';
import { complaintsApi } from './complaints.api.ts';
import { complaintsDemoLoader } from './complaints.demo.ts';
import { complaintsJobs } from './complaints.jobs.ts';
import { complaintsRoutes } from './complaints.routes.ts';
import { CaseDocuments } from './case-documents.ts';
import { ComplaintsService } from './complaints.service.ts';

declare module '../../services.ts' {
  interface Services {
    complaints: ComplaintsService;
    caseDocuments: CaseDocuments;
  }
}

/** Complaints: intake, assessment, the case page and its timeline (to which other modules add). */
export const complaintsModule: ModuleManifest = {
  name: 'complaints',
  services: ({ platform: { db, clock }, config, services }) => ({
    complaints: new ComplaintsService(
      db.kysely,
      clock,
      services.calendar,
      services.files,
      services.correspondence,
      services.caseParts.timeline,
      {
        baseUrl: config.BASE_URL,
        assessmentTargetWorkingDays: config.ASSESSMENT_TARGET_WORKING_DAYS,
        documentRequestWorkingDays: config.DOCUMENT_REQUEST_WORKING_DAYS,
      },
    ),
    caseDocuments: new CaseDocuments(db.kysely, services.files),
  }),
  jobs: (jobs, services) => jobs.register(...complaintsJobs(services.complaints)),
  pages: complaintsRoutes,
  api: complaintsApi,
  caseTabs: [
    { id: 'summary', text: 'Summary', path: '', order: 0 },
    { id: 'documents', text: 'Documents', path: '/documents', order: 10 },
    { id: 'history', text: 'Timeline', path: '/history', order: 20 },
  ],
  navigation: [
    {
      face: 'staff',
      row: 'primary',
      order: 10,
      text: 'Complaints',
      href: '/staff/complaints',
      permission: 'complaints:read',
    },
    {
      face: 'staff',
      row: 'primary',
      order: 20,
      text: 'Assessment',
      href: '/staff/assessment',
      permission: 'complaints:read',
    },
    {
      face: 'portal',
      row: 'primary',
      order: 10,
      text: 'Complaints',
      href: '/portal/complaints',
      permission: 'portal:complaints',
    },
  ],
  demo: [complaintsDemoLoader],
};
