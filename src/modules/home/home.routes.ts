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
        const overdueEnquiries =
          request.actor && can(request.actor, 'enquiries:read')
            ? await services.enquiries.overdue(request.actor, 10)
            : null;
        const bouncing = await services.correspondence.bouncingAuthorities(request.actor, 10);
        const casework =
          request.actor && can(request.actor, 'complaints:read')
            ? {
                myCases: await services.complaints.list(
                  request.actor,
                  { investigatorId: request.actor.id },
                  undefined,
                  10,
                ),
                queue: await services.complaints.queue(request.actor, undefined, 5),
              }
            : null;
        return reply.render('home/views/staff.njk', { needsLinkOfficer, overdueEnquiries, bouncing, casework });
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
