import { accountsModule } from './accounts/accounts.module.ts';
import { apiTokensModule } from './api-tokens/api-tokens.module.ts';
import { auditModule } from './audit/audit.module.ts';
import { authoritiesModule } from './authorities/authorities.module.ts';
import { complaintsModule } from './complaints/complaints.module.ts';
import { correspondenceModule } from './correspondence/correspondence.module.ts';
import { decisionsModule } from './decisions/decisions.module.ts';
import { enquiriesModule } from './enquiries/enquiries.module.ts';
import { healthModule } from './health/health.module.ts';
import { homeModule } from './home/home.module.ts';
import { linkOfficersModule } from './link-officers/link-officers.module.ts';
import type { ModuleManifest } from './manifest.ts';
import { navigationModule } from './navigation/navigation.module.ts';
import { outboxModule } from './outbox/outbox.module.ts';
import { publicReportsModule } from './public-reports/public-reports.module.ts';
import { remediesModule } from './remedies/remedies.module.ts';
import { siteModule } from './site/site.module.ts';
import { privacyModule } from './privacy/privacy.module.ts';
import { publicationsModule } from './publications/publications.module.ts';
import { trainingModule } from './training/training.module.ts';
import { newsletterModule } from './newsletter/newsletter.module.ts';
import { peopleModule } from './people/people.module.ts';
import { conductModule } from './conduct/conduct.module.ts';
import { localComplaintsModule } from './local-complaints/local-complaints.module.ts';
import { statisticsModule } from './statistics/statistics.module.ts';

/**
 * Every module, in the order their services are built (a module may use the services of those
 * above it) and their demo data loaded. A new capability is one folder under src/modules with its
 * `<name>.module.ts`, and one line here.
 */
export const MODULES: readonly ModuleManifest[] = [
  healthModule,
  siteModule,
  navigationModule,
  authoritiesModule,
  accountsModule,
  outboxModule,
  linkOfficersModule,
  apiTokensModule,
  auditModule,
  correspondenceModule,
  complaintsModule,
  enquiriesModule,
  decisionsModule,
  remediesModule,
  publicReportsModule,
  homeModule,
  privacyModule,
  publicationsModule,
  trainingModule,
  newsletterModule,
  peopleModule,
  conductModule,
  localComplaintsModule,
  statisticsModule,
];
