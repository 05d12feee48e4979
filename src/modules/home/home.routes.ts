import { z } from 'zod';
import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { actorOf, type PageRoute } from '../../http/routes.ts';
import { investigatorPanels, portalPanels } from './panels.ts';

const weeklyEmailForm = z.object({ weeklyEmail: z.enum(['on', 'off']) });

/** The home pages of the staff and authority faces, and the weekly email's settings. */
export function homeRoutes(services: Services): PageRoute[] {
  const { home } = services;
  return [
    {
      method: 'GET',
      url: '/staff',
      access: 'staff:home',
      handler: async (request, reply) => {
        const data = await home.staffHome(actorOf(request));
        return reply.render('home/views/staff.njk', {
          home: data,
          investigatorPanels: data.investigator ? investigatorPanels(data.investigator) : [],
        });
      },
    },
    {
      method: 'GET',
      url: '/portal',
      access: 'portal:home',
      handler: async (request, reply) => {
        const data = await home.portalHome(actorOf(request));
        return reply.render('home/views/portal.njk', {
          panels: portalPanels(data),
          onTime: data.onTime,
          linkOfficer: data.linkOfficer,
        });
      },
    },
    {
      method: 'GET',
      url: '/account/weekly-email',
      access: 'portal:home',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        return reply.render('home/views/weekly-email.njk', {
          linkOfficer: actor.roles.includes('link-officer'),
          digestOn: await home.digestOn(actor),
        });
      },
    },
    {
      method: 'POST',
      url: '/account/weekly-email',
      access: 'portal:home',
      handler: async (request, reply) =>
        handleForm(request, reply, '/account/weekly-email', async () => {
          const form = parseForm(weeklyEmailForm, request.body);
          await home.setDigest(actorOf(request), form.weeklyEmail === 'on');
          reply.setFlash({
            notice:
              form.weeklyEmail === 'on'
                ? 'You will get the weekly email of what falls due.'
                : 'You will no longer get the weekly email.',
          });
          return '/account/weekly-email';
        }),
    },
    {
      // The stop link in every weekly email: works without signing in, and stops it on opening.
      method: 'GET',
      url: '/weekly-email/stop/:token',
      access: 'public',
      handler: async (request, reply) => {
        const token = (request.params as { token?: unknown }).token;
        const stopped = typeof token === 'string' && (await home.stopDigest(token));
        if (!stopped) reply.code(404);
        return reply
          .header('referrer-policy', 'no-referrer')
          .render('home/views/weekly-email-stopped.njk', { stopped });
      },
    },
  ];
}
