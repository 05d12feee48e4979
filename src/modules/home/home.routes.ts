import type { PageRoute } from '../../http/routes.ts';

/** The home pages of the staff and authority faces. */
export function homeRoutes(): PageRoute[] {
  return [
    {
      method: 'GET',
      url: '/staff',
      access: 'staff:home',
      handler: async (_request, reply) => reply.render('home/views/staff.njk'),
    },
    {
      method: 'GET',
      url: '/portal',
      access: 'portal:home',
      handler: async (_request, reply) => reply.render('home/views/portal.njk'),
    },
  ];
}
