import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import type { Services } from '../../services.ts';
import { notFound } from '../../platform/errors.ts';
import { stopParams } from './home.routes.ts';

/** The weekly email's one-click stop, posted by mail clients (their page POSTs carry no CSRF field). */
export function homeApi({ home }: Services): ApiRoute[] {
  return [
    apiRoute({
      method: 'POST',
      url: '/weekly-email/stop/:token',
      access: 'public',
      summary: 'One-click stop of the weekly email (RFC 8058): the List-Unsubscribe address of every weekly email',
      description:
        'Mail clients post `List-Unsubscribe=One-Click` here. The link officer the token was sent to gets no further weekly email; reminders about each case still come. 404 for a token that is not one sent.',
      tags: ['Home'],
      params: stopParams,
      response: z.object({ status: z.literal('stopped') }),
      handler: async ({ params }) => {
        if (!(await home.stopDigest(params.token))) throw notFound('This link to stop the weekly email');
        return { status: 'stopped' as const };
      },
    }),
  ];
}
