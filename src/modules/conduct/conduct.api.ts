import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import type { Services } from '../../services.ts';
import { apiRecordBody, apiReviewBody, apiTerms } from './conduct.schemas.ts';

const personParams = z.object({ id: z.uuid({ error: 'Must be a person id' }) });
const recordParams = z.object({ id: z.uuid({ error: 'Must be a restriction id' }) });

/** Warnings and restrictions over the API (casework managers' tokens). */
export function conductApi(services: Services): ApiRoute[] {
  const { conduct } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/people/:id/restrictions',
      access: 'conduct:manage',
      summary: 'Record a warning or a contact restriction on a person (casework managers)',
      description:
        'The person is the `personId` of a complaint’s complainant or representative. A restriction needs a warning ' +
        'first unless `staffSafetyRisk` is true (then `noWarningReason`), and at least one term. The review date must be ' +
        'in the future and at most 12 months ahead; a named officer must be an active member of staff. Each problem is ' +
        'a 400 naming its field and nothing is recorded; an unknown person is a 404. The decision letter is sent ' +
        '(by email when the person is the only party with an email address on an open case of theirs, else for post) ' +
        'and recorded on every open case of theirs.',
      tags: ['Conduct'],
      params: personParams,
      body: apiRecordBody,
      status: 201,
      response: z.object({ id: z.uuid(), reviewDate: z.string(), letterId: z.uuid() }),
      handler: async ({ actor, params, body }) =>
        conduct.record(actor, params.id, {
          ...apiTerms(body),
          kind: body.kind,
          reason: body.reason,
          reviewOn: body.reviewDate,
          staffSafetyRisk: body.staffSafetyRisk ?? false,
          noWarningReason: body.noWarningReason ?? null,
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/restrictions/:id/review',
      access: 'conduct:manage',
      summary: 'Review a warning or restriction: extend, vary or lift it (casework managers)',
      description:
        '`extend` needs a new `reviewDate`; `vary` takes the new terms (a restriction only); `lift` ends it and its ' +
        'marker. Each sends the person a letter. 409 when it was lifted already.',
      tags: ['Conduct'],
      params: recordParams,
      body: apiReviewBody,
      response: z.object({
        id: z.uuid(),
        status: z.enum(['active', 'lifted']),
        reviewDate: z.string().nullable(),
        letterId: z.uuid(),
      }),
      handler: async ({ actor, params, body }) =>
        conduct.review(actor, params.id, {
          outcome: body.outcome,
          reason: body.reason,
          reviewOn: body.reviewDate ?? null,
          terms: body.outcome === 'vary' ? apiTerms(body) : null,
        }),
    }),
  ];
}
