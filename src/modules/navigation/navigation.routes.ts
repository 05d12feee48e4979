import type { PageRoute } from '../../http/routes.ts';

/**
 * The "More" page of each signed-in face: the areas that do not fit the header's one row, each with
 * what it is for. The layout's `navigation.more` lists only those the person may open.
 */
export function navigationRoutes(): PageRoute[] {
  return [
    {
      method: 'GET',
      url: '/staff/more',
      access: 'staff:home',
      handler: async (_request, reply) => reply.render('navigation/views/more.njk'),
    },
    {
      method: 'GET',
      url: '/portal/more',
      access: 'portal:home',
      handler: async (_request, reply) => reply.render('navigation/views/more.njk'),
    },
  ];
}
