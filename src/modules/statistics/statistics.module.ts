import path from 'node:path';
import type { ModuleManifest } from '../manifest.ts';
import { AnnualReviewService } from './letters.service.ts';
import { lettersRoutes } from './letters.routes.ts';
import { statisticsRefreshCommand } from './refresh.command.ts';
import { statisticsApi } from './statistics.api.ts';
import { statisticsJobs } from './statistics.jobs.ts';
import { statisticsRoutes } from './statistics.routes.ts';
import { StatisticsService } from './statistics.service.ts';
import './statistics.tables.ts';

declare module '../../services.ts' {
  interface Services {
    statistics: StatisticsService;
    annualReview: AnnualReviewService;
  }
}

/**
 * Performance statistics: each authority's figures for a year (1 April to 31 March) worked out from
 * the casework into a summary table, the public performance pages with their charts and tables, the
 * national summary, the open data (CSV, JSON and the API) and the publication date of each year.
 */
export const statisticsModule: ModuleManifest = {
  name: 'statistics',
  services: ({ platform: { db, clock }, config, services }) => ({
    statistics: new StatisticsService(db.kysely, clock, db.replica, path.join(config.dataDir, 'statistics')),
    annualReview: new AnnualReviewService(db.kysely, clock, services.jobs, services.mail, { baseUrl: config.BASE_URL }),
  }),
  jobs: (jobs, services) => jobs.register(...statisticsJobs(services.statistics, services.annualReview)),
  pages: (services) => [...statisticsRoutes(services), ...lettersRoutes(services)],
  api: statisticsApi,
  commands: { 'statistics:refresh': statisticsRefreshCommand },
  navigation: [
    { face: 'public', row: 'primary', order: 50, text: 'Performance', href: '/performance' },
    {
      face: 'staff',
      row: 'more',
      order: 80,
      text: 'Performance statistics',
      href: '/staff/statistics',
      permission: 'statistics:read',
      description: 'Each authority’s figures for the year, when they are published, and the annual review letters.',
    },
    {
      face: 'portal',
      row: 'more',
      order: 80,
      text: 'Your performance',
      href: '/portal/performance',
      permission: 'statistics:read',
      description:
        'Your authority’s figures for each year, compared with similar authorities, before and after they are published.',
    },
  ],
};
