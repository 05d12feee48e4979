import type { Services } from '../../composition.ts';
import type { PageRoute } from '../../http/routes.ts';
import { can } from '../accounts/domain.ts';

/** The home pages of the staff and authority faces. */
export function homeRoutes(services: Services): PageRoute[] {
  return [
    {
      method: 'GET',
      url: '/staff',
      access: 'staff:home',
      handler: async (request, reply) => {
        const needsLinkOfficer = can(request.actor, 'link-officers:read')
          ? {
              ...(await services.linkOfficers.authoritiesWithoutLinkOfficer(10)),
              changesLink: can(request.actor, 'link-officers:manage'),
            }
          : null;
        return reply.render('home/views/staff.njk', { needsLinkOfficer });
      },
    },
    {
      method: 'GET',
      url: '/portal',
      access: 'portal:home',
      handler: async (_request, reply) => reply.render('home/views/portal.njk'),
    },
  ];
}
