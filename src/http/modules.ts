import type { Config } from '../config.ts';
import type { Services } from '../composition.ts';
import { accountsRoutes } from '../modules/accounts/accounts.routes.ts';
import { homeRoutes } from '../modules/home/home.routes.ts';
import { siteRoutes } from '../modules/site/site.routes.ts';
import type { PageRoute } from './routes.ts';

/** The one list of page modules. A new module adds its routes here. */
export function pageModules(services: Services, _config: Config): PageRoute[][] {
  return [siteRoutes(), accountsRoutes(services), homeRoutes()];
}
