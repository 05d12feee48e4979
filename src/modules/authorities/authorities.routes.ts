import type { Services } from '../../services.ts';
import type { PageRoute } from '../../http/routes.ts';
import { authorityRoutes, directoryRoutes } from './authorities.directory.routes.ts';
import { importRoutes } from './authorities.import.routes.ts';
import { portalRoutes } from './authorities.portal.routes.ts';

export { MAX_UPLOAD_BYTES } from './authorities.import.routes.ts';
export { filterQueryString, spreadsheetSafe } from './presenters.ts';

/** Staff pages of the authority directory and its import, and the authority portal's own contacts page. */
export function authoritiesRoutes(services: Services): PageRoute[] {
  return [
    ...directoryRoutes(services),
    ...importRoutes(services),
    ...authorityRoutes(services),
    ...portalRoutes(services),
  ];
}
