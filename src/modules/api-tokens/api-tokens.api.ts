import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { meResponse } from './api-tokens.schemas.ts';

/** API endpoints about the calling token. */
export function apiTokensApi(_services: Services): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      url: '/me',
      access: 'signed-in',
      summary: 'The calling token: its id, role and authority',
      tags: ['Tokens'],
      response: meResponse,
      handler: async ({ actor }) => ({
        type: 'token' as const,
        id: actor.id,
        roles: [...actor.roles],
        authorityId: actor.authorityId,
      }),
    }),
  ];
}
