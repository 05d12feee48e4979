import type { Services } from '../../composition.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import type { PageRoute } from '../../http/routes.ts';
import { safeNext, signInForm } from './accounts.schemas.ts';

export function accountsRoutes(services: Services): PageRoute[] {
  const { accounts } = services;
  return [
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
        const body = request.body as Record<string, unknown>;
        const next = typeof body.next === 'string' ? body.next : undefined;
        const back = next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
        return handleForm(request, reply, back, async () => {
          const form = parseForm(signInForm, body);
          const { token, stage } = await accounts.signIn(form.email, form.password, request.ip);
          reply.startSession(token);
          if (stage === 'mfa') return `/sign-in/two-factor${next ? `?next=${encodeURIComponent(next)}` : ''}`;
          if (stage === 'mfa-setup') return '/sign-in/two-factor/set-up';
          return safeNext(form.next, '/home');
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
  ];
}
