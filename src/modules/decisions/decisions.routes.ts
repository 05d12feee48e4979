import type { Services } from '../../services.ts';
import type { PageRoute } from '../../http/routes.ts';
import { decisionsPortalRoutes } from './decisions.portal.routes.ts';
import { decisionsPublicRoutes } from './decisions.public.routes.ts';
import { decisionsStaffRoutes } from './decisions.staff.routes.ts';

/** Staff decision pages, the authority's decision and timeline pages, findings, and the complainant's link. */
export function decisionsRoutes(services: Services): PageRoute[] {
  return [...decisionsStaffRoutes(services), ...decisionsPortalRoutes(services), ...decisionsPublicRoutes(services)];
}
