import type { ModuleManifest } from '../manifest.ts';
import { homeApi } from './home.api.ts';
import { registerHomeHooks } from './home.hooks.ts';
import { homeJobs } from './home.jobs.ts';
import { homeRoutes } from './home.routes.ts';
import { HomeService } from './home.service.ts';

declare module '../../services.ts' {
  interface Services {
    home: HomeService;
  }
}

/** The home pages, which read each module's work, and the weekly email to link officers sent from them. */
export const homeModule: ModuleManifest = {
  name: 'home',
  services: ({ platform: { db, clock }, config, services }) => ({
    home: new HomeService(
      db.kysely,
      clock,
      services.calendar,
      {
        enquiries: services.enquiries,
        decisions: services.decisions,
        remedies: services.remedies,
        publicReports: services.publicReports,
        complaints: services.complaints,
        linkOfficers: services.linkOfficers,
        correspondence: services.correspondence,
        snapshots: services.snapshots,
        mail: services.mail,
      },
      { baseUrl: config.BASE_URL },
    ),
  }),
  jobs: (jobs, services) => jobs.register(...homeJobs(services.home)),
  plugins: registerHomeHooks,
  pages: homeRoutes,
  api: homeApi,
  navigation: [
    { face: 'staff', row: 'primary', order: 0, text: 'Home', href: '/staff', permission: 'staff:home' },
    { face: 'portal', row: 'primary', order: 0, text: 'Home', href: '/portal', permission: 'portal:home' },
  ],
};
