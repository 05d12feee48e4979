import type { ModuleManifest } from '../manifest.ts';
import { enquiriesApi } from './enquiries.api.ts';
import { enquiriesDemoLoader } from './enquiries.demo.ts';
import { enquiryJobs } from './enquiries.jobs.ts';
import { enquiriesRoutes } from './enquiries.routes.ts';
import { EnquiriesService } from './enquiries.service.ts';

declare module '../../services.ts' {
  interface Services {
    enquiries: EnquiriesService;
  }
}

/** Enquiries and document requests to authorities, with working-day deadlines, reminders and delegation. */
export const enquiriesModule: ModuleManifest = {
  name: 'enquiries',
  services: ({ platform: { db, clock }, config, services }) => ({
    enquiries: new EnquiriesService(
      db.kysely,
      clock,
      services.calendar,
      services.authorities,
      services.linkOfficers,
      services.files,
      services.caseDocuments,
      services.correspondence,
      {
        baseUrl: config.BASE_URL,
        dueWorkingDays: {
          enquiry: config.ENQUIRY_DUE_WORKING_DAYS,
          'document-request': config.DOCUMENT_REQUEST_DUE_WORKING_DAYS,
        },
        reminderWorkingDays: config.ENQUIRY_REMINDER_WORKING_DAYS,
        escalationWorkingDays: config.ENQUIRY_ESCALATION_WORKING_DAYS,
      },
    ),
  }),
  jobs: (jobs, services, config) => {
    const { notifyAllocationJob, sweepJob } = enquiryJobs(services.enquiries, config.ENQUIRY_SWEEP_SECONDS);
    jobs.register(notifyAllocationJob, sweepJob);
    // Allocation gives the authority its chance to comment: the notice is queued with the change itself.
    services.complaints.onInvestigationStarted(async (trx, complaintId) => {
      await jobs.enqueue(trx, notifyAllocationJob, { complaintId });
    });
  },
  pages: enquiriesRoutes,
  api: enquiriesApi,
  timeline: (services) => (complaintId) => services.enquiries.timelineEvents(complaintId),
  navigation: [
    {
      face: 'staff',
      row: 'primary',
      order: 30,
      text: 'Enquiries',
      href: '/staff/enquiries',
      permission: 'enquiries:read',
    },
    {
      face: 'portal',
      row: 'primary',
      order: 20,
      text: 'Enquiries',
      href: '/portal/enquiries',
      permission: 'enquiries:portal',
    },
  ],
  demo: [enquiriesDemoLoader],
};
