import type { ModuleManifest } from '../manifest.ts';
import { decisionsApi } from './decisions.api.ts';
import { decisionsDemoLoader } from './decisions.demo.ts';
import { decisionsRoutes } from './decisions.routes.ts';
import { DecisionsService } from './decisions.service.ts';

declare module '../../services.ts' {
  interface Services {
    decisions: DecisionsService;
  }
}

/** Draft and final decisions, the authority's comments and decision reviews. Remedies and public reports hook into them. */
export const decisionsModule: ModuleManifest = {
  name: 'decisions',
  services: ({ platform: { db, clock }, config, services }) => ({
    decisions: new DecisionsService(db.kysely, clock, services.calendar, services.complaints, services.correspondence, {
      baseUrl: config.BASE_URL,
      commentWorkingDays: config.DRAFT_COMMENT_WORKING_DAYS,
      reviewWorkingDays: config.DECISION_REVIEW_WORKING_DAYS,
    }),
  }),
  pages: decisionsRoutes,
  api: decisionsApi,
  caseTabs: [{ id: 'decision', text: 'Decision', path: '/decision', order: 40 }],
  timeline: (services) => (complaintId) => services.decisions.timelineEvents(complaintId),
  navigation: [
    {
      face: 'portal',
      row: 'more',
      order: 40,
      text: 'Findings',
      href: '/portal/findings',
      permission: 'findings:portal',
      description: 'The ombudsman’s decisions about your authority, to download.',
    },
  ],
  demo: [decisionsDemoLoader],
};
