import type { Services } from '../../services.ts';
import type { PageRoute } from '../../http/routes.ts';
import { complaintsPortalRoutes } from './complaints.portal.routes.ts';
import { complaintsPublicRoutes } from './complaints.public.routes.ts';
import { complaintsStaffRoutes } from './complaints.staff.routes.ts';

/** Staff pages, the authority portal's complaint pages and the public complaint form. */
export function complaintsRoutes(services: Services): PageRoute[] {
  return [...complaintsPublicRoutes(services), ...complaintsStaffRoutes(services), ...complaintsPortalRoutes(services)];
}
