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
        const actor = request.actor;
        if (!actor) return reply.redirect('/sign-in', 303);
        // The panels are independent: their queries run side by side.
        const [withoutLinkOfficer, overdueEnquiries, bouncing, myCases, queue] = await Promise.all([
          can(actor, 'link-officers:read') ? services.linkOfficers.authoritiesWithoutLinkOfficer(10) : null,
          can(actor, 'enquiries:read') ? services.enquiries.overdue(actor, 10) : null,
          services.correspondence.bouncingAuthorities(actor, 10),
          can(actor, 'complaints:read')
            ? services.complaints.list(actor, { investigatorId: actor.id }, undefined, 10)
            : null,
          can(actor, 'complaints:read') ? services.complaints.queue(actor, undefined, 5) : null,
        ]);
        const needsLinkOfficer = withoutLinkOfficer
          ? { ...withoutLinkOfficer, changesLink: can(actor, 'link-officers:manage') }
          : null;
        const casework = myCases && queue ? { myCases, queue } : null;
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
