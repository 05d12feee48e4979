import type { ModuleManifest } from '../manifest.ts';
import { conductApi } from './conduct.api.ts';
import { conductDemoLoader } from './conduct.demo.ts';
import { conductJobs } from './conduct.jobs.ts';
import { conductRoutes } from './conduct.routes.ts';
import { ConductService } from './conduct.service.ts';

/**
 * The address of the published policy on unreasonable complainant behaviour in the publications
 * library (the address its title gives it): the restriction pages and letters link to it once published.
 */
export const POLICY_SLUG = 'our-policy-on-unreasonable-complainant-behaviour';

declare module '../../services.ts' {
  interface Services {
    conduct: ConductService;
  }
}

/**
 * Unreasonable behaviour: warnings and contact restrictions on a person across their cases, the
 * decision letters, the marker on their cases, contacts flagged (never refused) and the reviews.
 */
export const conductModule: ModuleManifest = {
  name: 'conduct',
  services: ({ platform: { db, clock }, config, services }) => ({
    conduct: new ConductService(
      db.kysely,
      clock,
      services.calendar,
      services.people,
      services.correspondence,
      services.mail,
      { baseUrl: config.BASE_URL, policySlug: POLICY_SLUG },
      {
        page: (slug) => services.publications.library.page(slug),
        url: (slug) => services.publications.url(slug),
      },
    ),
  }),
  connect: (services) => {
    services.complaints.addCaseMarkers(services.conduct.caseMarkers);
    services.correspondence.onInboundFiled(services.conduct.inboundFiled);
    services.people.addLinkCheck(services.conduct.linkCheck);
    services.home.addStaffPanel(services.conduct.homePanel);
    services.people.addErasure(services.conduct.erasePerson);
  },
  jobs: (jobs, services) => jobs.register(...conductJobs(services.conduct)),
  pages: conductRoutes,
  demo: [conductDemoLoader],
  api: conductApi,
  caseTabs: [{ id: 'contact', text: 'Contact', path: '/contact', order: 70 }],
  timeline: (services) => services.conduct.timeline,
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 75,
      text: 'Restrictions',
      href: '/staff/restrictions',
      permission: 'conduct:manage',
      description: 'Warnings and contact restrictions in force, with overdue reviews first.',
    },
    {
      face: 'staff',
      row: 'more',
      order: 76,
      text: 'Contacts for you',
      href: '/staff/contacts',
      permission: 'complaints:read',
      description: 'What people whose named officer you are have sent.',
    },
  ],
};
