import type { ModuleManifest } from '../manifest.ts';
import { authoritiesApi } from './authorities.api.ts';
import { authoritiesDemoLoader } from './authorities.demo.ts';
import { authoritiesRoutes } from './authorities.routes.ts';
import { AuthoritiesService } from './authorities.service.ts';

declare module '../../services.ts' {
  interface Services {
    authorities: AuthoritiesService;
  }
}

/** The authority directory: every authority, its senior officers and its services. */
export const authoritiesModule: ModuleManifest = {
  name: 'authorities',
  services: ({ platform: { db, clock, logger }, services }) => ({
    authorities: new AuthoritiesService(db.kysely, clock, {
      logger: logger.child({ component: 'authorities' }),
      snapshots: services.snapshots,
      searchDb: db.replica,
    }),
  }),
  pages: authoritiesRoutes,
  api: authoritiesApi,
  navigation: [
    {
      face: 'staff',
      row: 'primary',
      order: 50,
      text: 'Authorities',
      href: '/staff/authorities',
      permission: 'authorities:read',
    },
    {
      face: 'portal',
      row: 'primary',
      order: 40,
      text: 'Your authority',
      href: '/portal/authority',
      permission: 'portal:home',
    },
  ],
  demo: [authoritiesDemoLoader],
};
