import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { pageQuery } from '../../platform/pagination.ts';
import { isRole } from './domain.ts';

export const apiUser = z.object({
  id: z.uuid(),
  displayName: z.string(),
  roles: z.array(z.string()),
  authorityId: z.uuid().nullable().describe('The authority an authority user belongs to; null for staff'),
  status: z.enum(['invited', 'active', 'deactivated']),
});

/** Accounts over the API: administrators' systems can list users (never their sign-in details). */
export function accountsApi(services: Services): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      url: '/users',
      access: 'users:manage',
      summary: 'Users, by name',
      tags: ['Users'],
      query: pageQuery,
      response: z.object({ items: z.array(apiUser), nextCursor: z.string().nullable() }),
      handler: async ({ actor, query }) => {
        const page = await services.userDirectory.list(actor, query);
        return {
          items: page.items.map((u) => ({
            id: u.id,
            displayName: u.display_name,
            roles: u.roles.filter(isRole),
            authorityId: u.authority_id,
            status: u.status,
          })),
          nextCursor: page.nextCursor,
        };
      },
    }),
  ];
}
