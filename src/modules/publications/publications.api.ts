import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { PUBLICATION_KINDS } from './domain.ts';
import { apiPublicationBody, apiPublishBody, libraryQuery } from './publications.schemas.ts';

const idParams = z.object({ id: z.uuid({ error: 'Must be a publication id' }) });

/** Publications over the API: drafts and publishing for editors' tokens, the library for anyone. */
export function publicationsApi(services: Services): ApiRoute[] {
  const { publications } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/publications',
      access: 'publications:edit',
      summary: 'Write a draft publication (relationship lead and casework manager tokens)',
      description:
        'The web address is made from the title. 400 for an unknown kind or topic, an empty title, a joint report ' +
        'without partners, or a title whose address another publication has, or had.',
      tags: ['Publications'],
      body: apiPublicationBody,
      status: 201,
      response: z.object({ id: z.uuid(), slug: z.string(), status: z.literal('draft') }),
      handler: async ({ actor, body }) =>
        publications.createDraft(actor, {
          kind: body.kind,
          title: body.title,
          summary: body.summary,
          body: body.body,
          topics: body.topics ?? [],
          councillorQuestions: body.councillorQuestions ?? [],
          partners: body.partners ?? [],
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/publications/:id/publish',
      access: 'publications:edit',
      summary: 'Publish a draft now, or schedule it',
      description:
        'Without `publishAt` it is published at once; with one (which must be in the future) it is scheduled and ' +
        'the public sees it from then. 409 when it is already published or withdrawn.',
      tags: ['Publications'],
      params: idParams,
      body: apiPublishBody,
      response: z.object({ status: z.enum(['published', 'scheduled']), url: z.string() }),
      handler: async ({ actor, params, body }) =>
        publications.publish(actor, params.id, body.publishAt ? new Date(body.publishAt) : null),
    }),
    apiRoute({
      method: 'GET',
      url: '/publications',
      access: 'public',
      summary: 'The published publications, newest first, or best match first for a search (no token needed)',
      description:
        'Words are searched in English, stemmed ("complaining" finds "complaints"); a title counts for more than ' +
        'the text. Follow `next` as `cursor` for the next page.',
      tags: ['Publications'],
      query: libraryQuery.omit({ year: true }).extend({
        kind: z.enum(PUBLICATION_KINDS, { error: 'Must be a kind of publication' }).optional(),
        year: z.coerce.number().int().min(1900).max(2100).optional(),
      }),
      response: z.object({
        items: z.array(
          z.object({
            id: z.uuid(),
            slug: z.string(),
            kind: z.enum(PUBLICATION_KINDS),
            title: z.string(),
            summary: z.string(),
            publishedAt: z.date().transform((d) => d.toISOString()),
            url: z.string(),
          }),
        ),
        next: z.string().optional().describe('The cursor of the next page; absent on the last'),
      }),
      handler: async ({ query }) => {
        if (query.topic && !(await publications.library.topics()).has(query.topic))
          throw new DomainError('validation', 'There is a problem', [{ field: 'topic', message: 'Not a known topic' }]);
        const result = await publications.library.library(query);
        return {
          items: result.items.map((i) => ({
            id: i.id,
            slug: i.slug,
            kind: i.kind,
            title: i.title,
            summary: i.summary,
            publishedAt: i.publishedAt,
            url: publications.url(i.slug),
          })),
          ...(result.next ? { next: result.next } : {}),
        };
      },
    }),
  ];
}
