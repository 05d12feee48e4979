import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { pickerQuery } from '../authorities/authorities.schemas.ts';
import { pickerBack } from '../authorities/authorities.schemas.ts';
import { inviteForm, rolesForm, userIdParams, userListQuery } from './accounts.schemas.ts';
import { AUTHORITY_ROLES, STAFF_ROLES, decodeCursor } from './domain.ts';
import { roleItems, roleOptions, userPageLinks } from './presenters.ts';

/** The users page's actions that need no more than the user's id, with the notice each leaves. */
const USER_ACTIONS = [
  ['deactivate', 'Account deactivated. They can no longer sign in.'],
  ['reactivate', 'Account reactivated.'],
  ['resend-invitation', 'A new invitation has been sent.'],
  ['reset-two-factor', 'Two-factor authentication reset. They will set it up again when they next sign in.'],
] as const;

/** Administrators' pages for people's accounts: the list, invitations, roles, and the account actions. */
export function usersRoutes(services: Services): PageRoute[] {
  const { accounts, authorities } = services;
  return [
    page({
      url: '/staff/users',
      access: 'users:manage',
      query: userListQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const users = await accounts.listUsers(actor, {
          role: query.role,
          text: query.q,
          after: decodeCursor(query.after),
          before: decodeCursor(query.before),
        });
        return reply.render('accounts/views/users.njk', {
          page: users,
          query,
          ...userPageLinks(query, users),
          roleOptions: roleOptions([...STAFF_ROLES, ...AUTHORITY_ROLES], query.role),
        });
      },
    }),
    page({
      url: '/staff/users/invite',
      access: 'users:manage',
      query: pickerQuery,
      handler: async ({ query: { q, authority } }, request, reply) => {
        // The authority is searched for (?q=) and chosen from what is found; one kept from a form sent
        // back, or named by the link from an authority's page (?authority=), comes first and chosen.
        const kept = request.flash.values?.authorityId;
        const chosenAuthorityId = typeof kept === 'string' && kept !== '' ? kept : (authority ?? null);
        return reply.render('accounts/views/invite.njk', {
          picker: await authorities.picker(q, chosenAuthorityId),
          chosenAuthorityId,
          staffRoles: roleItems(STAFF_ROLES),
          authorityRoles: roleItems(AUTHORITY_ROLES),
        });
      },
    }),
    form({
      url: '/staff/users/invite',
      access: 'users:manage',
      body: inviteForm,
      back: ({ sent }) => pickerBack('/staff/users/invite', sent),
      action: async ({ actor, body }) => {
        const id = await accounts.invite(actor, body);
        return { to: `/staff/users/${id}`, notice: `An invitation has been sent to ${body.email}.` };
      },
    }),
    page({
      url: '/staff/users/:id',
      access: 'users:manage',
      params: userIdParams,
      handler: async ({ actor, params }, _request, reply) => {
        const user = await accounts.userForAdmin(actor, params.id);
        return reply.render('accounts/views/user.njk', { user });
      },
    }),
    form({
      url: '/staff/users/:id/roles',
      access: 'users:manage',
      params: userIdParams,
      body: rolesForm,
      back: ({ params }) => `/staff/users/${params.id}`,
      action: async ({ actor, params, body, back }) => {
        await accounts.changeRoles(actor, params.id, body.roles);
        return { to: back, notice: 'Roles updated.' };
      },
    }),
    ...USER_ACTIONS.map(([action, notice]) =>
      form({
        url: `/staff/users/:id/${action}`,
        access: 'users:manage',
        params: userIdParams,
        body: z.object({}),
        back: ({ params }) => `/staff/users/${params.id}`,
        action: async ({ actor, params: { id }, back }) => {
          if (action === 'deactivate') await accounts.deactivate(actor, id);
          else if (action === 'reactivate') await accounts.reactivate(actor, id);
          else if (action === 'resend-invitation') await accounts.resendInvitation(actor, id);
          else await accounts.resetTwoFactor(actor, id);
          return { to: back, notice };
        },
      }),
    ),
  ];
}
