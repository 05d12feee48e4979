import type { ModuleManifest } from '../manifest.ts';
import { AnalyticsRepository } from './analytics.repository.ts';
import { registerPrivacy } from './privacy.hooks.ts';
import { privacyRoutes } from './privacy.routes.ts';
import { PrivacyService } from './privacy.service.ts';

declare module '../../services.ts' {
  interface Services {
    privacy: PrivacyService;
  }
}

/**
 * Privacy settings and first-party analytics: the cookie banner on public pages until the visitor
 * chooses, the privacy settings page, counts of public page views for visitors who said yes, and
 * the staff page that shows them.
 */
export const privacyModule: ModuleManifest = {
  name: 'privacy',
  services: ({ platform: { db, clock, logger } }) => ({
    privacy: new PrivacyService(new AnalyticsRepository(db.kysely), clock, logger.child({ component: 'analytics' })),
  }),
  plugins: registerPrivacy,
  pages: privacyRoutes,
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 90,
      text: 'Analytics',
      href: '/staff/analytics',
      permission: 'analytics:read',
      description: 'Visits to the public pages per day and the most viewed pages, from visitors who allowed analytics.',
    },
  ],
};
