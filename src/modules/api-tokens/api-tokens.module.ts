import type { ModuleManifest } from '../manifest.ts';
import { apiTokensApi } from './api-tokens.api.ts';
import { apiTokensRoutes } from './api-tokens.routes.ts';
import { ApiTokensService } from './api-tokens.service.ts';
import { tokenCreateCommand } from './token-create.command.ts';

declare module '../../services.ts' {
  interface Services {
    apiTokens: ApiTokensService;
  }
}

/** API tokens: made by administrators for one role (and one authority), used by other systems. */
export const apiTokensModule: ModuleManifest = {
  name: 'api-tokens',
  services: ({ platform: { db, clock }, config }) => ({
    apiTokens: new ApiTokensService(db.kysely, clock, config.SESSION_CACHE_MS),
  }),
  pages: apiTokensRoutes,
  api: apiTokensApi,
  commands: { 'token:create': tokenCreateCommand },
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 40,
      text: 'API tokens',
      href: '/staff/tokens',
      permission: 'tokens:manage',
      description: 'Tokens for systems that use the JSON API.',
    },
  ],
};
