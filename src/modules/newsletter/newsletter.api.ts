import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { perAddressLimit } from '../../http/uploads.ts';
import type { Services } from '../../services.ts';
import { tokenParams, apiIssueBody, apiSendBody, apiSubscriptionBody, ISSUE_STATUSES } from './newsletter.schemas.ts';

const issueParams = z.object({ id: z.uuid({ error: 'Must be an issue id' }) });

export const SUBSCRIBE_LIMIT_MESSAGE =
  'Too many subscription requests have come from your network in the last hour. Try again later.';

/** Subscription requests from one address: shared by the public form and the API. */
export const subscribeLimit = perAddressLimit({
  max: 10,
  timeWindow: '1 hour',
  field: 'email',
  message: SUBSCRIBE_LIMIT_MESSAGE,
});

const issueStatus = z.object({
  id: z.uuid(),
  status: z.enum(ISSUE_STATUSES),
  recipients: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  bounced: z.number().int(),
});

/** The newsletter over the API: subscribing (public), and issues (staff tokens). */
export function newsletterApi(services: Services): ApiRoute[] {
  const { newsletter } = services;
  const statusOf = async (actor: Parameters<typeof newsletter.issue>[0], id: string) => {
    const issue = await newsletter.issue(actor, id);
    const { recipients, sent, failed, bounced } = issue.progress;
    return { id: issue.id, status: issue.status, recipients, sent, failed, bounced };
  };
  return [
    apiRoute({
      method: 'POST',
      url: '/newsletter/subscriptions',
      access: 'public',
      summary: 'Ask to receive the Ombudsman Link newsletter (no token)',
      description:
        'A confirmation link is emailed to the address; the subscription starts when it is opened. The answer is the same whether or not the address already subscribes. Requests from one network are limited (429).',
      tags: ['Newsletter'],
      body: apiSubscriptionBody,
      status: 202,
      response: z.object({ status: z.literal('confirmation-sent') }),
      handler: async ({ request, body }) => {
        await subscribeLimit(request);
        await newsletter.requestSubscription({
          email: body.email,
          name: body.name || null,
          organisation: body.organisation || null,
        });
        return { status: 'confirmation-sent' as const };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/newsletter/unsubscribe/:token',
      access: 'public',
      summary: 'One-click unsubscribe (RFC 8058): the List-Unsubscribe address of every issue',
      description:
        'Mail clients post `List-Unsubscribe=One-Click` here. The address the token stands for receives no further issue. 404 for a token that was altered.',
      tags: ['Newsletter'],
      params: tokenParams,
      response: z.object({ status: z.literal('unsubscribed') }),
      handler: async ({ params }) => {
        await newsletter.unsubscribe(params.token);
        return { status: 'unsubscribed' as const };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/newsletter/issues',
      access: 'newsletter:manage',
      summary: 'Write a newsletter issue as a draft (relationship leads, administrators)',
      tags: ['Newsletter'],
      body: apiIssueBody,
      status: 201,
      response: z.object({ id: z.uuid(), status: z.literal('draft') }),
      handler: async ({ actor, body }) => ({
        id: await newsletter.createIssue(actor, {
          subject: body.subject,
          preheader: body.preheader ?? '',
          body: body.body,
          topics: body.topics ?? [],
        }),
        status: 'draft' as const,
      }),
    }),
    apiRoute({
      method: 'POST',
      url: '/newsletter/issues/:id/send',
      access: 'newsletter:manage',
      summary: 'Send an issue now, or schedule it',
      description:
        'Its recipients (current link officers and confirmed subscribers, once each) are worked out when sending starts. 409 when the issue has already been sent; 400 for a time in the past.',
      tags: ['Newsletter'],
      params: issueParams,
      body: apiSendBody,
      status: 202,
      response: issueStatus,
      handler: async ({ actor, params, body }) => {
        await newsletter.send(actor, params.id, body?.scheduledFor ? new Date(body.scheduledFor) : null);
        return statusOf(actor, params.id);
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/newsletter/issues/:id',
      access: 'newsletter:manage',
      summary: 'An issue’s status and its sending’s counts',
      tags: ['Newsletter'],
      params: issueParams,
      response: issueStatus,
      handler: async ({ actor, params }) => statusOf(actor, params.id),
    }),
  ];
}
