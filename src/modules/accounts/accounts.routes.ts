import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { type PageRoute, actorOf } from '../../http/routes.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { pickerBack, pickerQuery } from '../authorities/authorities.schemas.ts';
import {
  changePasswordForm,
  confirmPasswordForm,
  firstAdministratorForm,
  inviteForm,
  newPasswordForm,
  passwordResetRequestForm,
  rolesForm,
  safeNext,
  signInForm,
  tokenParams,
  twoFactorCodeForm,
  userIdParams,
  userListQuery,
} from './accounts.schemas.ts';
import type { StartedSession } from './accounts.service.ts';
import { AUTHORITY_ROLES, ROLE_NAMES, STAFF_ROLES, decodeCursor } from './domain.ts';

/** Path parameters that do not fit their schema name no page. */
function params<S extends z.ZodType>(schema: S, request: FastifyRequest): z.infer<S> {
  const parsed = schema.safeParse(request.params);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

/** The signed-in actor; access checks have already run, so this is for the type checker. */
const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
const withNext = (path: string, next: string | undefined) => (next ? `${path}?next=${encodeURIComponent(next)}` : path);

/** Pages part-way through sign-in need a session at that stage; anyone else starts again. */
function pendingSession(request: FastifyRequest, reply: FastifyReply, stage: 'mfa' | 'mfa-setup') {
  const session = request.session;
  if (session?.stage === stage) return session;
  void reply.redirect(session?.stage === 'active' ? '/home' : '/sign-in', 303);
  return null;
}

/**
 * A lockout during two-factor sign-in ends the half-finished sign-in: the message shows on the
 * sign-in page. Returns null then; otherwise the action's result.
 */
async function lockoutToSignIn(
  reply: FastifyReply,
  action: () => Promise<StartedSession>,
): Promise<StartedSession | null> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'rate-limited') {
      reply.endSession();
      reply.setFlash({ errors: [{ field: 'email', message: error.message }] });
      return null;
    }
    throw error;
  }
}

const LINK_GONE = 'accounts/views/link-gone.njk';
const linkPages = {
  invitation: {
    heading: 'Create your password',
    gone: 'Ask your Liaison administrator to send you a new invitation.',
  },
  'password-reset': {
    heading: 'Choose a new password',
    gone: 'You can ask for a new link on the reset your password page.',
  },
} as const;

export function accountsRoutes(services: Services): PageRoute[] {
  const { accounts, authorities } = services;
  return [
    // ------------------------------------------------------------------------- sign-in
    {
      method: 'GET',
      url: '/sign-in',
      access: 'public',
      handler: async (request, reply) => {
        const { next } = request.query as { next?: string };
        return reply.render('accounts/views/sign-in.njk', { next: safeNext(next, '') });
      },
    },
    {
      method: 'POST',
      url: '/sign-in',
      access: 'public',
      handler: async (request, reply) => {
        const next = typeof body(request).next === 'string' ? (body(request).next as string) : undefined;
        return handleForm(request, reply, withNext('/sign-in', next), async () => {
          const form = parseForm(signInForm, body(request));
          const { token, stage } = await accounts.signIn(form.email, form.password, request.ip, request.session?.id);
          reply.startSession(token);
          const safe = safeNext(form.next, '');
          if (stage === 'mfa') return withNext('/sign-in/two-factor', safe);
          if (stage === 'mfa-setup') return withNext('/sign-in/two-factor/set-up', safe);
          return safe || '/home';
        });
      },
    },
    {
      method: 'GET',
      url: '/sign-in/two-factor',
      access: 'public',
      handler: async (request, reply) => {
        if (!pendingSession(request, reply, 'mfa')) return reply;
        const { next } = request.query as { next?: string };
        return reply.render('accounts/views/two-factor.njk', { next: safeNext(next, '') });
      },
    },
    {
      method: 'POST',
      url: '/sign-in/two-factor',
      access: 'public',
      handler: async (request, reply) => {
        const session = pendingSession(request, reply, 'mfa');
        if (!session) return reply;
        const form = body(request);
        const next = safeNext(typeof form.next === 'string' ? form.next : undefined, '');
        return handleForm(request, reply, withNext('/sign-in/two-factor', next), async () => {
          const { code } = parseForm(twoFactorCodeForm, form);
          const started = await lockoutToSignIn(reply, () =>
            accounts.verifyTwoFactorAtSignIn(session.id, code, request.ip),
          );
          if (started === null) return '/sign-in';
          reply.startSession(started.token);
          return next || `/${started.face}`;
        });
      },
    },
    {
      method: 'GET',
      url: '/sign-in/two-factor/set-up',
      access: 'public',
      handler: async (request, reply) => {
        const session = pendingSession(request, reply, 'mfa-setup');
        if (!session) return reply;
        const { next } = request.query as { next?: string };
        const setUp = await accounts.twoFactorSetUpAtSignIn(session.id);
        return reply.render('accounts/views/two-factor-set-up.njk', {
          ...setUp,
          action: '/sign-in/two-factor/set-up',
          required: true,
          next: safeNext(next, ''),
        });
      },
    },
    {
      method: 'POST',
      url: '/sign-in/two-factor/set-up',
      access: 'public',
      handler: async (request, reply) => {
        const session = pendingSession(request, reply, 'mfa-setup');
        if (!session) return reply;
        const form = body(request);
        const next = safeNext(typeof form.next === 'string' ? form.next : undefined, '');
        return handleForm(request, reply, withNext('/sign-in/two-factor/set-up', next), async () => {
          const { code } = parseForm(twoFactorCodeForm, form);
          const started = await lockoutToSignIn(reply, () =>
            accounts.confirmTwoFactorAtSignIn(session.id, code, request.ip),
          );
          if (started === null) return '/sign-in';
          reply.startSession(started.token);
          reply.setFlash({
            notice: 'Two-factor authentication is set up. You will need a code each time you sign in.',
          });
          return next || `/${started.face}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/sign-out',
      access: 'public',
      handler: async (request, reply) => {
        if (request.session) await accounts.signOut(request.session.id, request.session.userId);
        reply.endSession();
        reply.setFlash({ notice: 'You have signed out.' });
        return reply.redirect('/sign-in', 303);
      },
    },
    {
      // Where "home" is depends on who you are.
      method: 'GET',
      url: '/home',
      access: 'signed-in',
      handler: async (request, reply) => reply.redirect(request.actor?.authorityId ? '/portal' : '/staff', 303),
    },

    // ------------------------------------------------------------------------- password reset
    {
      method: 'GET',
      url: '/password-reset',
      access: 'public',
      handler: async (_request, reply) => reply.render('accounts/views/password-reset.njk'),
    },
    {
      method: 'POST',
      url: '/password-reset',
      access: 'public',
      handler: async (request, reply) =>
        handleForm(request, reply, '/password-reset', async () => {
          const { email } = parseForm(passwordResetRequestForm, body(request));
          await accounts.requestPasswordReset(email);
          return '/password-reset/sent';
        }),
    },
    {
      method: 'GET',
      url: '/password-reset/sent',
      access: 'public',
      handler: async (_request, reply) => reply.render('accounts/views/password-reset-sent.njk'),
    },
    ...(['invitation', 'password-reset'] as const).flatMap((purpose): PageRoute[] => [
      {
        method: 'GET',
        url: `/${purpose}/:token`,
        access: 'public',
        handler: async (request, reply) => {
          const { token } = params(tokenParams, request);
          const link = await accounts.checkLink(token, purpose);
          if (link.state !== 'valid') {
            return reply.code(link.state === 'unknown' ? 404 : 410).render(LINK_GONE, {
              state: link.state,
              advice: linkPages[purpose].gone,
            });
          }
          return reply.render('accounts/views/new-password.njk', {
            heading: linkPages[purpose].heading,
            email: link.email,
            action: `/${purpose}/${token}`,
            invitation: purpose === 'invitation',
          });
        },
      },
      {
        method: 'POST',
        url: `/${purpose}/:token`,
        access: 'public',
        handler: async (request, reply) => {
          const { token } = params(tokenParams, request);
          return handleForm(request, reply, `/${purpose}/${token}`, async () => {
            const { password } = parseForm(newPasswordForm, body(request));
            if (purpose === 'password-reset') {
              await accounts.resetPassword(token, password);
              reply.endSession();
              reply.setFlash({ notice: 'Your password has been changed. Sign in with your new password.' });
              return '/sign-in';
            }
            const started = await accounts.acceptInvitation(token, password, request.session?.id);
            reply.startSession(started.token);
            if (started.stage === 'mfa-setup') return '/sign-in/two-factor/set-up';
            reply.setFlash({ notice: 'Your account is ready.' });
            return `/${started.face}`;
          });
        },
      },
    ]),

    // ------------------------------------------------------------------------- first administrator
    {
      method: 'GET',
      url: '/set-up/:token',
      access: 'public',
      handler: async (request, reply) => {
        const { token } = params(tokenParams, request);
        const link = await accounts.checkLink(token, 'first-administrator');
        if (link.state !== 'valid') {
          return reply.code(link.state === 'unknown' ? 404 : 410).render(LINK_GONE, {
            state: link.state,
            advice: 'Restart Liaison to get a new set-up link, if no administrator has been set up yet.',
          });
        }
        return reply.render('accounts/views/first-administrator.njk', { action: `/set-up/${token}` });
      },
    },
    {
      method: 'POST',
      url: '/set-up/:token',
      access: 'public',
      handler: async (request, reply) => {
        const { token } = params(tokenParams, request);
        return handleForm(request, reply, `/set-up/${token}`, async () => {
          const form = parseForm(firstAdministratorForm, body(request));
          const started = await accounts.completeFirstAdministrator(token, form, request.session?.id);
          reply.startSession(started.token);
          return '/sign-in/two-factor/set-up';
        });
      },
    },

    // ------------------------------------------------------------------------- your account
    {
      method: 'GET',
      url: '/account',
      access: 'signed-in',
      handler: async (request, reply) =>
        reply.render('accounts/views/account.njk', { account: await accounts.account(actorOf(request)) }),
    },
    {
      method: 'POST',
      url: '/account/sign-out-everywhere',
      access: 'signed-in',
      handler: async (request, reply) => {
        await accounts.signOutEverywhere(actorOf(request));
        reply.endSession();
        reply.setFlash({ notice: 'You have been signed out on every device.' });
        return reply.redirect('/sign-in', 303);
      },
    },
    {
      method: 'GET',
      url: '/account/password',
      access: 'signed-in',
      handler: async (_request, reply) => reply.render('accounts/views/change-password.njk'),
    },
    {
      method: 'POST',
      url: '/account/password',
      access: 'signed-in',
      handler: async (request, reply) =>
        handleForm(request, reply, '/account/password', async () => {
          const form = parseForm(changePasswordForm, body(request));
          const sessionId = request.session?.id ?? '';
          await accounts.changePassword(actorOf(request), sessionId, form.currentPassword, form.password, request.ip);
          reply.setFlash({ notice: 'Your password has been changed. You have been signed out on other devices.' });
          return '/account';
        }),
    },
    {
      method: 'GET',
      url: '/account/two-factor',
      access: 'signed-in',
      handler: async (request, reply) => {
        const account = await accounts.account(actorOf(request));
        if (account.twoFactorEnabled) return reply.redirect('/account', 303);
        const setUp = await accounts.twoFactorSetUpForAccount(actorOf(request));
        return reply.render('accounts/views/two-factor-set-up.njk', {
          ...setUp,
          action: '/account/two-factor',
          required: false,
        });
      },
    },
    {
      method: 'POST',
      url: '/account/two-factor',
      access: 'signed-in',
      handler: async (request, reply) =>
        handleForm(request, reply, '/account/two-factor', async () => {
          const { code } = parseForm(twoFactorCodeForm, body(request));
          await accounts.confirmTwoFactorForAccount(actorOf(request), request.session?.id ?? '', code, request.ip);
          reply.setFlash({ notice: 'Two-factor authentication is turned on.' });
          return '/account';
        }),
    },
    {
      method: 'GET',
      url: '/account/two-factor/turn-off',
      access: 'signed-in',
      handler: async (_request, reply) => reply.render('accounts/views/two-factor-turn-off.njk'),
    },
    {
      method: 'POST',
      url: '/account/two-factor/turn-off',
      access: 'signed-in',
      handler: async (request, reply) =>
        handleForm(request, reply, '/account/two-factor/turn-off', async () => {
          const { password } = parseForm(confirmPasswordForm, body(request));
          await accounts.disableTwoFactor(actorOf(request), password, request.ip);
          reply.setFlash({ notice: 'Two-factor authentication is turned off.' });
          return '/account';
        }),
    },

    // ------------------------------------------------------------------------- administration
    {
      method: 'GET',
      url: '/staff/users',
      access: 'users:manage',
      handler: async (request, reply) => {
        const parsed = userListQuery.safeParse(request.query);
        const query: z.infer<typeof userListQuery> = parsed.success ? parsed.data : { role: undefined, q: undefined };
        const page = await accounts.listUsers(actorOf(request), {
          role: query.role,
          text: query.q,
          after: decodeCursor(query.after),
          before: decodeCursor(query.before),
        });
        const filter = new URLSearchParams();
        if (query.role) filter.set('role', query.role);
        if (query.q) filter.set('q', query.q);
        const pageLink = (key: 'after' | 'before', cursor: string | null) => {
          if (!cursor) return null;
          const p = new URLSearchParams(filter);
          p.set(key, cursor);
          return `/staff/users?${p.toString()}`;
        };
        return reply.render('accounts/views/users.njk', {
          page,
          query,
          nextHref: pageLink('after', page.next),
          previousHref: pageLink('before', page.previous),
          roleOptions: [...STAFF_ROLES, ...AUTHORITY_ROLES].map((r) => ({
            value: r,
            text: ROLE_NAMES[r],
            selected: query.role === r,
          })),
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/users/invite',
      access: 'users:manage',
      handler: async (request, reply) => {
        // The authority is searched for (?q=) and chosen from what is found; one kept from a form sent
        // back, or named by the link from an authority's page (?authority=), comes first and chosen.
        const { q, authority } = pickerQuery.parse(request.query ?? {});
        const kept = request.flash.values?.authorityId;
        const chosenAuthorityId = typeof kept === 'string' && kept !== '' ? kept : (authority ?? null);
        return reply.render('accounts/views/invite.njk', {
          picker: await authorities.picker(q, chosenAuthorityId),
          chosenAuthorityId,
          staffRoles: STAFF_ROLES.map((r) => ({ value: r, text: ROLE_NAMES[r] })),
          authorityRoles: AUTHORITY_ROLES.map((r) => ({ value: r, text: ROLE_NAMES[r] })),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/users/invite',
      access: 'users:manage',
      handler: async (request, reply) =>
        handleForm(request, reply, pickerBack('/staff/users/invite', request.body), async () => {
          const form = parseForm(inviteForm, body(request));
          const id = await accounts.invite(actorOf(request), form);
          reply.setFlash({ notice: `An invitation has been sent to ${form.email}.` });
          return `/staff/users/${id}`;
        }),
    },
    {
      method: 'GET',
      url: '/staff/users/:id',
      access: 'users:manage',
      handler: async (request, reply) => {
        const { id } = params(userIdParams, request);
        const user = await accounts.userForAdmin(actorOf(request), id);
        return reply.render('accounts/views/user.njk', { user });
      },
    },
    {
      method: 'POST',
      url: '/staff/users/:id/roles',
      access: 'users:manage',
      handler: async (request, reply) => {
        const { id } = params(userIdParams, request);
        return handleForm(request, reply, `/staff/users/${id}`, async () => {
          const { roles } = parseForm(rolesForm, body(request));
          await accounts.changeRoles(actorOf(request), id, roles);
          reply.setFlash({ notice: 'Roles updated.' });
          return `/staff/users/${id}`;
        });
      },
    },
    ...(
      [
        ['deactivate', 'Account deactivated. They can no longer sign in.'],
        ['reactivate', 'Account reactivated.'],
        ['resend-invitation', 'A new invitation has been sent.'],
        ['reset-two-factor', 'Two-factor authentication reset. They will set it up again when they next sign in.'],
      ] as const
    ).map(([action, notice]): PageRoute => ({
      method: 'POST',
      url: `/staff/users/:id/${action}`,
      access: 'users:manage',
      handler: async (request, reply) => {
        const { id } = params(userIdParams, request);
        return handleForm(request, reply, `/staff/users/${id}`, async () => {
          const actor = actorOf(request);
          if (action === 'deactivate') await accounts.deactivate(actor, id);
          else if (action === 'reactivate') await accounts.reactivate(actor, id);
          else if (action === 'resend-invitation') await accounts.resendInvitation(actor, id);
          else await accounts.resetTwoFactor(actor, id);
          reply.setFlash({ notice });
          return `/staff/users/${id}`;
        });
      },
    })),
  ];
}
