import type { Config } from '../config.ts';
import type { Services } from '../composition.ts';
import { accountsRoutes } from '../modules/accounts/accounts.routes.ts';
import { authoritiesRoutes } from '../modules/authorities/authorities.routes.ts';
import { apiTokensRoutes } from '../modules/api-tokens/api-tokens.routes.ts';
import { auditRoutes } from '../modules/audit/audit.routes.ts';
import { healthRoutes } from '../modules/health/health.routes.ts';
import { homeRoutes } from '../modules/home/home.routes.ts';
import { linkOfficersRoutes } from '../modules/link-officers/link-officers.routes.ts';
import { complaintsRoutes } from '../modules/complaints/complaints.routes.ts';
import { enquiriesRoutes } from '../modules/enquiries/enquiries.routes.ts';
import { remediesRoutes } from '../modules/remedies/remedies.routes.ts';
import { decisionsRoutes } from '../modules/decisions/decisions.routes.ts';
import { outboxRoutes } from '../modules/outbox/outbox.routes.ts';
import { correspondenceRoutes } from '../modules/correspondence/correspondence.routes.ts';
import { navigationRoutes } from '../modules/navigation/navigation.routes.ts';
import { siteRoutes } from '../modules/site/site.routes.ts';
import { publicReportsRoutes } from '../modules/public-reports/public-reports.routes.ts';
import type { PageRoute } from './routes.ts';

/** The one list of page modules. A new module adds its routes here. */
export function pageModules(services: Services, _config: Config): PageRoute[][] {
  return [
    healthRoutes(services),
    outboxRoutes(services),
    siteRoutes(),
    accountsRoutes(services),
    homeRoutes(services),
    navigationRoutes(),
    apiTokensRoutes(services),
    auditRoutes(services),
    authoritiesRoutes(services),
    linkOfficersRoutes(services),
    correspondenceRoutes(services),
    complaintsRoutes(services),
    enquiriesRoutes(services),
    remediesRoutes(services),
    decisionsRoutes(services),
    publicReportsRoutes(services),
  ];
}
