import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { renderFragment } from '../../http/views.ts';
import { notFound } from '../../platform/errors.ts';
import type { HomeService } from './home.service.ts';
import { investigatorPanels, portalPanels } from './panels.ts';

type PortalHome = Awaited<ReturnType<HomeService['portalHome']>>;

/**
 * The authority home's panels as markup, rendered once for each snapshot of them (the service keeps
 * one for DASHBOARD_CACHE_SECONDS, shared by the authority's link officers) and forgotten with it.
 */
const renderedPanels = new WeakMap<PortalHome, string>();

function portalPanelsHtml(data: PortalHome): string {
  let html = renderedPanels.get(data);
  if (html === undefined) {
    html = renderFragment('home/views/_portal-panels.njk', { panels: portalPanels(data), onTime: data.onTime });
    renderedPanels.set(data, html);
  }
  return html;
}

const weeklyEmailForm = z.object({ weeklyEmail: z.enum(['on', 'off']) });
export const stopParams = z.object({ token: z.string().max(100) });

/** The home pages of the staff and authority faces, and the weekly email's settings. */
export function homeRoutes(services: Services): PageRoute[] {
  const { home } = services;
  return [
    page({
      url: '/staff',
      access: 'staff:home',
      handler: async ({ actor }, _request, reply) => {
        const data = await home.staffHome(actor);
        return reply.render('home/views/staff.njk', {
          home: data,
          investigatorPanels: data.investigator ? investigatorPanels(data.investigator) : [],
        });
      },
    }),
    page({
      url: '/portal',
      access: 'portal:home',
      handler: async ({ actor }, _request, reply) => {
        const data = await home.portalHome(actor);
        return reply.render('home/views/portal.njk', {
          panelsHtml: portalPanelsHtml(data),
          linkOfficer: data.linkOfficer,
        });
      },
    }),
    page({
      url: '/account/weekly-email',
      access: 'portal:home',
      handler: async ({ actor }, _request, reply) =>
        reply.render('home/views/weekly-email.njk', {
          linkOfficer: actor.roles.includes('link-officer'),
          digestOn: await home.digestOn(actor),
        }),
    }),
    form({
      url: '/account/weekly-email',
      access: 'portal:home',
      body: weeklyEmailForm,
      back: '/account/weekly-email',
      action: async ({ actor, body, back }) => {
        await home.setDigest(actor, body.weeklyEmail === 'on');
        return {
          to: back,
          notice:
            body.weeklyEmail === 'on'
              ? 'You will get the weekly email of what falls due.'
              : 'You will no longer get the weekly email.',
        };
      },
    }),
    // The stop link in every weekly email works without signing in. Opening it only asks: mail
    // scanners open links, and must not stop anything; the button posts the stop.
    page({
      url: '/weekly-email/stop/:token',
      access: 'public',
      params: stopParams,
      handler: async ({ params }, _request, reply) => {
        const state = await home.digestStopLink(params.token);
        if (state === null) reply.code(404);
        return reply
          .header('referrer-policy', 'no-referrer')
          .render('home/views/weekly-email-stop.njk', { state, token: params.token });
      },
    }),
    form({
      url: '/weekly-email/stop/:token',
      access: 'public',
      params: stopParams,
      body: z.object({}),
      back: ({ params }) => `/weekly-email/stop/${params.token}`,
      action: async ({ params }) => {
        if (!(await home.stopDigest(params.token))) throw notFound('This link to stop the weekly email');
        return { to: `/weekly-email/stop/${params.token}`, notice: 'You will not get the weekly email.' };
      },
    }),
  ];
}
