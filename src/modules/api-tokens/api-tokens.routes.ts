import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { type PageRoute, actorOf } from '../../http/routes.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import { AUTHORITY_ROLES, ROLE_NAMES, STAFF_ROLES, type Role } from '../accounts/domain.ts';
import { pickerBack, pickerQuery } from '../authorities/authorities.schemas.ts';
import { createTokenForm, tokenIdParams, tokenListQuery } from './api-tokens.schemas.ts';
import { roleName, tokenStatus } from './domain.ts';

/** Administrators' pages for API tokens: list, make (the secret shown once), revoke. */
export function apiTokensRoutes(services: Services): PageRoute[] {
  const { apiTokens, authorities } = services;
  return [
    {
      method: 'GET',
      url: '/staff/tokens',
      access: 'tokens:manage',
      handler: async (request, reply) => {
        const query = parseForm(tokenListQuery, request.query);
        const page = await apiTokens.list(actorOf(request), { cursor: query.cursor, limit: DEFAULT_PAGE_SIZE });
        const created = request.flash.values?.newToken;
        return reply.render('api-tokens/views/list.njk', {
          tokens: page.items.map((t) => ({
            ...t,
            roleName: roleName(t.role),
            status: tokenStatus(t),
          })),
          nextUrl: page.nextCursor ? `/staff/tokens?cursor=${encodeURIComponent(page.nextCursor)}` : null,
          firstPageUrl: query.cursor ? '/staff/tokens' : null,
          newToken: typeof created === 'string' ? created : null,
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/tokens/new',
      access: 'tokens:manage',
      handler: async (request, reply) => {
        const kept = request.flash.values ?? {};
        const role = (value: Role) => ({ value, text: ROLE_NAMES[value], checked: kept.role === value });
        return reply.render('api-tokens/views/new.njk', {
          roleItems: [...STAFF_ROLES.map(role), { divider: 'Authority roles' }, ...AUTHORITY_ROLES.map(role)],
          picker: await authorities.picker(
            pickerQuery.parse(request.query ?? {}).q,
            typeof kept.authority === 'string' && kept.authority !== '' ? kept.authority : null,
          ),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/tokens',
      access: 'tokens:manage',
      handler: async (request, reply) =>
        handleForm(request, reply, pickerBack('/staff/tokens/new', request.body), async () => {
          const form = parseForm(createTokenForm, request.body);
          const created = await apiTokens.create(actorOf(request), {
            name: form.name,
            role: form.role,
            authorityId: form.authority,
          });
          // The secret travels once, in the sealed one-request flash cookie, to the page that shows it.
          reply.setFlash({ notice: `API token ‘${created.name}’ created`, values: { newToken: created.token } });
          return '/staff/tokens';
        }),
    },
    {
      method: 'POST',
      url: '/staff/tokens/:id/revoke',
      access: 'tokens:manage',
      handler: async (request, reply) => {
        const { id } = parseForm(tokenIdParams, request.params);
        const { name } = await apiTokens.revoke(actorOf(request), id);
        reply.setFlash({ notice: `API token ‘${name}’ revoked` });
        return reply.redirect('/staff/tokens', 303);
      },
    },
  ];
}
