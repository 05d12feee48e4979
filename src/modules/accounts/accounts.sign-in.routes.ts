import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, type Done } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { DomainError } from '../../platform/errors.ts';
import {
  firstAdministratorForm,
  newPasswordForm,
  nextQuery,
  passwordResetRequestForm,
  safeNext,
  sentNext,
  signInForm,
  tokenParams,
  twoFactorCodeForm,
} from './accounts.schemas.ts';
import type { AccountsService, StartedSession } from './accounts.service.ts';

type Session = NonNullable<FastifyRequest['session']>;

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

/**
 * A two-factor step of signing in: only for a session at that stage (anyone else starts again),
 * and its errors go back to its page with the same-site `next` it was sent.
 */
function twoFactorStep(
  url: string,
  stage: 'mfa' | 'mfa-setup',
  action: (
    input: { session: Session; code: string; next: string },
    request: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<string | Done>,
): PageRoute {
  const route = form({
    url,
    access: 'public',
    body: twoFactorCodeForm,
    back: ({ sent }) => withNext(url, safeNext(sentNext.parse(sent), '')),
    action: async ({ body }, request, reply) => {
      // The handler below lets through only a session at this stage.
      const session = request.session;
      if (!session) throw new DomainError('unauthenticated', 'Sign in to continue');
      return action({ session, code: body.code, next: safeNext(body.next, '') }, request, reply);
    },
  });
  return {
    ...route,
    handler: async (request, reply) => (pendingSession(request, reply, stage) ? route.handler(request, reply) : reply),
  };
}

/**
 * Signing in: errors go back to the sign-in page with the `next` the form was sent (made safe when
 * that page reads it); success follows only a same-site `next`.
 */
function signInRoute(accounts: AccountsService): PageRoute {
  return form({
    url: '/sign-in',
    access: 'public',
    body: signInForm,
    back: ({ sent }) => withNext('/sign-in', sentNext.parse(sent)),
    action: async ({ body }, request, reply) => {
      const { token, stage } = await accounts.signIn(body.email, body.password, request.ip, request.session?.id);
      reply.startSession(token);
      const safe = safeNext(body.next, '');
      if (stage === 'mfa') return withNext('/sign-in/two-factor', safe);
      if (stage === 'mfa-setup') return withNext('/sign-in/two-factor/set-up', safe);
      return safe || '/home';
    },
  });
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

/** Signing in and out, two-factor sign-in, password reset, invitations and the first administrator. */
export function signInRoutes(services: Services): PageRoute[] {
  const { accounts } = services;
  return [
    page({
      url: '/sign-in',
      access: 'public',
      query: nextQuery,
      handler: async ({ query }, _request, reply) => reply.render('accounts/views/sign-in.njk', { next: query.next }),
    }),
    signInRoute(accounts),
    page({
      url: '/sign-in/two-factor',
      access: 'public',
      query: nextQuery,
      handler: async ({ query }, request, reply) => {
        if (!pendingSession(request, reply, 'mfa')) return reply;
        return reply.render('accounts/views/two-factor.njk', { next: query.next });
      },
    }),
    twoFactorStep('/sign-in/two-factor', 'mfa', async ({ session, code, next }, request, reply) => {
      const started = await lockoutToSignIn(reply, () =>
        accounts.verifyTwoFactorAtSignIn(session.id, code, request.ip),
      );
      if (started === null) return '/sign-in';
      reply.startSession(started.token);
      return next || `/${started.face}`;
    }),
    page({
      url: '/sign-in/two-factor/set-up',
      access: 'public',
      query: nextQuery,
      handler: async ({ query }, request, reply) => {
        const session = pendingSession(request, reply, 'mfa-setup');
        if (!session) return reply;
        const setUp = await accounts.twoFactorSetUpAtSignIn(session.id);
        return reply.render('accounts/views/two-factor-set-up.njk', {
          ...setUp,
          action: '/sign-in/two-factor/set-up',
          required: true,
          next: query.next,
        });
      },
    }),
    twoFactorStep('/sign-in/two-factor/set-up', 'mfa-setup', async ({ session, code, next }, request, reply) => {
      const started = await lockoutToSignIn(reply, () =>
        accounts.confirmTwoFactorAtSignIn(session.id, code, request.ip),
      );
      if (started === null) return '/sign-in';
      reply.startSession(started.token);
      return {
        to: next || `/${started.face}`,
        notice: 'Two-factor authentication is set up. You will need a code each time you sign in.',
      };
    }),
    form({
      url: '/sign-out',
      access: 'public',
      body: z.object({}),
      back: '/sign-in',
      action: async (_input, request, reply) => {
        if (request.session) await accounts.signOut(request.session.id, request.session.userId);
        reply.endSession();
        return { to: '/sign-in', notice: 'You have signed out.' };
      },
    }),
    // Where "home" is depends on who you are.
    page({
      url: '/home',
      access: 'signed-in',
      handler: async ({ actor }, _request, reply) => reply.redirect(actor.authorityId ? '/portal' : '/staff', 303),
    }),

    // ------------------------------------------------------------------------- password reset
    page({
      url: '/password-reset',
      access: 'public',
      handler: async (_input, _request, reply) => reply.render('accounts/views/password-reset.njk'),
    }),
    form({
      url: '/password-reset',
      access: 'public',
      body: passwordResetRequestForm,
      back: '/password-reset',
      action: async ({ body }) => {
        await accounts.requestPasswordReset(body.email);
        return '/password-reset/sent';
      },
    }),
    page({
      url: '/password-reset/sent',
      access: 'public',
      handler: async (_input, _request, reply) => reply.render('accounts/views/password-reset-sent.njk'),
    }),
    ...(['invitation', 'password-reset'] as const).flatMap((purpose): PageRoute[] => [
      page({
        url: `/${purpose}/:token`,
        access: 'public',
        params: tokenParams,
        handler: async ({ params: { token } }, _request, reply) => {
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
      }),
      form({
        url: `/${purpose}/:token`,
        access: 'public',
        params: tokenParams,
        body: newPasswordForm,
        back: ({ params }) => `/${purpose}/${params.token}`,
        action: async ({ params: { token }, body: { password } }, request, reply) => {
          if (purpose === 'password-reset') {
            await accounts.resetPassword(token, password);
            reply.endSession();
            return { to: '/sign-in', notice: 'Your password has been changed. Sign in with your new password.' };
          }
          const started = await accounts.acceptInvitation(token, password, request.session?.id);
          reply.startSession(started.token);
          if (started.stage === 'mfa-setup') return '/sign-in/two-factor/set-up';
          return { to: `/${started.face}`, notice: 'Your account is ready.' };
        },
      }),
    ]),

    // ------------------------------------------------------------------------- first administrator
    page({
      url: '/set-up/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params: { token } }, _request, reply) => {
        const link = await accounts.checkLink(token, 'first-administrator');
        if (link.state !== 'valid') {
          return reply.code(link.state === 'unknown' ? 404 : 410).render(LINK_GONE, {
            state: link.state,
            advice: 'Restart Liaison to get a new set-up link, if no administrator has been set up yet.',
          });
        }
        return reply.render('accounts/views/first-administrator.njk', { action: `/set-up/${token}` });
      },
    }),
    form({
      url: '/set-up/:token',
      access: 'public',
      params: tokenParams,
      body: firstAdministratorForm,
      back: ({ params }) => `/set-up/${params.token}`,
      action: async ({ params, body }, request, reply) => {
        const started = await accounts.completeFirstAdministrator(params.token, body, request.session?.id);
        reply.startSession(started.token);
        return '/sign-in/two-factor/set-up';
      },
    }),
  ];
}
