import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import { AUTHORITY_ROLES, ROLE_NAMES, STAFF_ROLES, type Role } from '../accounts/domain.ts';
import { pickerQuery } from '../authorities/authorities.schemas.ts';
import { pickerBack } from '../authorities/authorities.schemas.ts';
import { createTokenForm, tokenListQuery } from './api-tokens.schemas.ts';
import { roleName, tokenStatus } from './domain.ts';

/** Administrators' pages for API tokens: list, make (the secret shown once), revoke. */
export function apiTokensRoutes(services: Services): PageRoute[] {
  const { apiTokens, authorities } = services;
  return [
    page({
      url: '/staff/tokens',
      access: 'tokens:manage',
      query: tokenListQuery,
      handler: async ({ actor, query }, request, reply) => {
        const tokens = await apiTokens.list(actor, { cursor: query.cursor, limit: DEFAULT_PAGE_SIZE });
        const created = request.flash.values?.newToken;
        return reply.render('api-tokens/views/list.njk', {
          tokens: tokens.items.map((t) => ({
            ...t,
            roleName: roleName(t.role),
            status: tokenStatus(t),
          })),
          nextUrl: tokens.nextCursor ? `/staff/tokens?cursor=${encodeURIComponent(tokens.nextCursor)}` : null,
          firstPageUrl: query.cursor ? '/staff/tokens' : null,
          newToken: typeof created === 'string' ? created : null,
        });
      },
    }),
    page({
      url: '/staff/tokens/new',
      access: 'tokens:manage',
      query: pickerQuery,
      handler: async ({ query }, request, reply) => {
        const kept = request.flash.values ?? {};
        const role = (value: Role) => ({ value, text: ROLE_NAMES[value], checked: kept.role === value });
        return reply.render('api-tokens/views/new.njk', {
          roleItems: [...STAFF_ROLES.map(role), { divider: 'Authority roles' }, ...AUTHORITY_ROLES.map(role)],
          picker: await authorities.picker(
            query.q,
            typeof kept.authority === 'string' && kept.authority !== '' ? kept.authority : null,
          ),
        });
      },
    }),
    form({
      url: '/staff/tokens',
      access: 'tokens:manage',
      body: createTokenForm,
      back: ({ sent }) => pickerBack('/staff/tokens/new', sent),
      action: async ({ actor, body }, _request, reply) => {
        const created = await apiTokens.create(actor, {
          name: body.name,
          role: body.role,
          authorityId: body.authority,
        });
        // The secret travels once, in the sealed one-request flash cookie, to the page that shows it.
        reply.setFlash({ notice: `API token ‘${created.name}’ created`, values: { newToken: created.token } });
        return '/staff/tokens';
      },
    }),
    form({
      url: '/staff/tokens/:id/revoke',
      access: 'tokens:manage',
      params: withId,
      body: z.object({}),
      back: '/staff/tokens',
      action: async ({ actor, params }) => {
        const { name } = await apiTokens.revoke(actor, params.id);
        return { to: '/staff/tokens', notice: `API token ‘${name}’ revoked` };
      },
    }),
  ];
}
