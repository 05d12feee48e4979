import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { notFound } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { apiCreateBody, apiDates, apiEventBody } from './local-complaints.schemas.ts';

const params = z.object({ id: z.uuid({ error: 'Must be a local complaint id' }) });

/**
 * Pushing the authority's complaints from its own system. Authority tokens only (link officer or
 * delegate to write), each for its own authority: another authority's record is not found.
 */
export function localComplaintsApi(services: Services): ApiRoute[] {
  const { localComplaints } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/local-complaints',
      access: 'local-complaints:manage',
      summary: 'Record a complaint the authority received (stage 1 starts)',
      description:
        'Returns the stage 1 deadlines under the Complaint Handling Code (or the statutory route). 409 when the reference is already in the authority’s log.',
      tags: ['Local complaints'],
      body: apiCreateBody,
      status: 201,
      response: apiDates,
      handler: async ({ actor, body }) =>
        localComplaints.create(actor, {
          reference: body.reference,
          receivedOn: body.receivedOn,
          serviceArea: body.serviceArea,
          channel: body.channel ?? 'other',
          complainant: {
            name: body.complainant.name,
            email: body.complainant.email ?? null,
            phone: body.complainant.phone ?? null,
          },
          summary: body.summary,
          handler: body.handler ?? null,
          statutoryRoute: body.statutoryRoute ?? null,
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/local-complaints/:id/events',
      access: 'local-complaints:manage',
      summary: 'Record an event on a local complaint: acknowledged, extended, responded, escalated or closed',
      description:
        'Returns the current stage’s deadlines (`respondBy` counted from the acknowledgement once there is one). 400 when the Code does not allow it: ' +
        'a date before receipt or in the future, a second extension or one past the maximum, escalation before a response or with the same handler.',
      tags: ['Local complaints'],
      params,
      body: apiEventBody,
      response: apiDates,
      handler: async ({ actor, params, body }) =>
        localComplaints.recordEvent(actor, params.id, {
          type: body.type,
          on: body.on,
          handler: body.handler ?? null,
          reason: body.reason ?? null,
          extensionWorkingDays: body.extensionWorkingDays ?? null,
          outcome: body.outcome ?? null,
          toldOfOmbudsman: body.toldOfOmbudsman ?? null,
        }),
    }),
    apiRoute({
      method: 'GET',
      url: '/local-complaints/:id',
      access: 'local-complaints:read',
      summary: 'A local complaint’s current stage and deadlines',
      tags: ['Local complaints'],
      params,
      response: apiDates.extend({ reference: z.string(), closedOn: z.string().nullable() }),
      handler: async ({ actor, params }) => {
        if (!actor.authorityId) throw notFound('The complaint');
        return localComplaints.dates(actor, params.id);
      },
    }),
  ];
}
