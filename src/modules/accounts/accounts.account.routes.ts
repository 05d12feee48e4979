import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { changePasswordForm, confirmPasswordForm, twoFactorCodeForm } from './accounts.schemas.ts';

/** The signed-in person's own account: sessions, password and two-factor authentication. */
export function accountRoutes(services: Services): PageRoute[] {
  const { accounts } = services;
  return [
    page({
      url: '/account',
      access: 'signed-in',
      handler: async ({ actor }, _request, reply) =>
        reply.render('accounts/views/account.njk', { account: await accounts.account(actor) }),
    }),
    form({
      url: '/account/sign-out-everywhere',
      access: 'signed-in',
      body: z.object({}),
      back: '/account',
      action: async ({ actor }, _request, reply) => {
        await accounts.signOutEverywhere(actor);
        reply.endSession();
        return { to: '/sign-in', notice: 'You have been signed out on every device.' };
      },
    }),
    page({
      url: '/account/password',
      access: 'signed-in',
      handler: async (_input, _request, reply) => reply.render('accounts/views/change-password.njk'),
    }),
    form({
      url: '/account/password',
      access: 'signed-in',
      body: changePasswordForm,
      back: '/account/password',
      action: async ({ actor, body }, request) => {
        const sessionId = request.session?.id ?? '';
        await accounts.changePassword(actor, sessionId, body.currentPassword, body.password, request.ip);
        return { to: '/account', notice: 'Your password has been changed. You have been signed out on other devices.' };
      },
    }),
    page({
      url: '/account/two-factor',
      access: 'signed-in',
      handler: async ({ actor }, _request, reply) => {
        const account = await accounts.account(actor);
        if (account.twoFactorEnabled) return reply.redirect('/account', 303);
        const setUp = await accounts.twoFactorSetUpForAccount(actor);
        return reply.render('accounts/views/two-factor-set-up.njk', {
          ...setUp,
          action: '/account/two-factor',
          required: false,
        });
      },
    }),
    form({
      url: '/account/two-factor',
      access: 'signed-in',
      body: twoFactorCodeForm,
      back: '/account/two-factor',
      action: async ({ actor, body }, request) => {
        await accounts.confirmTwoFactorForAccount(actor, request.session?.id ?? '', body.code, request.ip);
        return { to: '/account', notice: 'Two-factor authentication is turned on.' };
      },
    }),
    page({
      url: '/account/two-factor/turn-off',
      access: 'signed-in',
      handler: async (_input, _request, reply) => reply.render('accounts/views/two-factor-turn-off.njk'),
    }),
    form({
      url: '/account/two-factor/turn-off',
      access: 'signed-in',
      body: confirmPasswordForm,
      back: '/account/two-factor/turn-off',
      action: async ({ actor, body }, request) => {
        await accounts.disableTwoFactor(actor, body.password, request.ip);
        return { to: '/account', notice: 'Two-factor authentication is turned off.' };
      },
    }),
  ];
}
