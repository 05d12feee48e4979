import type { ModuleManifest } from '../manifest.ts';
import { DEFAULT_OFFER_HOURS } from './domain.ts';
import { trainingApi } from './training.api.ts';
import { trainingDemoLoader } from './training.demo.ts';
import { trainingJobs } from './training.jobs.ts';
import { trainingPortalRoutes } from './training.portal.routes.ts';
import { trainingPublicRoutes } from './training.public.routes.ts';
import { TrainingService } from './training.service.ts';
import { trainingSessionRoutes } from './training.sessions.routes.ts';
import { trainingStaffRoutes } from './training.staff.routes.ts';

declare module '../../services.ts' {
  interface Services {
    training: TrainingService;
  }
}

/** The mailbox part of an address such as `Liaison <no-reply@liaison.example>`. */
const mailboxOf = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from;

/**
 * Training for councils, care providers and councillors: courses on the public site, sessions,
 * bookings with a waiting list, the messages about them, attendance, certificates and feedback, and
 * each authority's training history beside its casework.
 */
export const trainingModule: ModuleManifest = {
  name: 'training',
  services: ({ platform: { db, clock }, config, services }) => ({
    training: new TrainingService(
      db.kysely,
      clock,
      services.calendar,
      services.mail,
      {
        baseUrl: config.BASE_URL,
        offerHours: DEFAULT_OFFER_HOURS,
        organiser: { name: 'Ombudsman training', email: mailboxOf(config.MAIL_FROM) },
      },
      services.snapshots,
    ),
  }),
  jobs: (jobs, services) => jobs.register(...trainingJobs(services.training)),
  pages: (services) => [
    ...trainingPublicRoutes(services),
    ...trainingStaffRoutes(services),
    ...trainingSessionRoutes(services),
    ...trainingPortalRoutes(services),
  ],
  api: trainingApi,
  navigation: [
    { face: 'public', row: 'primary', order: 40, text: 'Training', href: '/training' },
    {
      face: 'staff',
      row: 'more',
      order: 70,
      text: 'Training',
      href: '/staff/training',
      permission: 'training:read',
      description: 'Courses and sessions for authorities, bookings, registers, feedback and the finance export.',
    },
    {
      face: 'portal',
      row: 'more',
      order: 70,
      text: 'Training',
      href: '/portal/training',
      permission: 'training:book',
      description: 'Book places on the ombudsman’s training for you and your colleagues, and see who has been trained.',
    },
  ],
  demo: [trainingDemoLoader],
};
