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
        // The panels are independent: their queries run side by side. Every panel but the person's own
        // cases is the same for all staff, so it is shared for DASHBOARD_CACHE_SECONDS.
        const shared = services.snapshots;
        const [withoutLinkOfficer, overdueEnquiries, bouncing, myCases, queue] = await Promise.all([
          can(actor, 'link-officers:read')
            ? shared.get('home.without-link-officer', () => services.linkOfficers.authoritiesWithoutLinkOfficer(10))
            : null,
          can(actor, 'enquiries:read')
            ? shared.get('home.overdue-enquiries', () => services.enquiries.overdue(actor, 10))
            : null,
          can(actor, 'link-officers:read')
            ? shared.get('home.bouncing', () => services.correspondence.bouncingAuthorities(actor, 10))
            : null,
          can(actor, 'complaints:read')
            ? services.complaints.list(actor, { investigatorId: actor.id }, undefined, 10)
            : null,
          can(actor, 'complaints:read')
            ? shared.get('home.queue', () => services.complaints.queue(actor, undefined, 5))
            : null,
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
