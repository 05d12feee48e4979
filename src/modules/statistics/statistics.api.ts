import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import type { Services } from '../../services.ts';
import { openDataNotes } from './open-data.ts';
import { apiAuthorityQuery, apiYearsQuery } from './statistics.schemas.ts';

const interval = z.object({ lower: z.number(), upper: z.number() }).nullable();

const authorityYear = z.object({
  authorityId: z.uuid(),
  name: z.string(),
  kind: z.string(),
  year: z.number().int().describe('The year starting 1 April: 2026 is 1 April 2026 to 31 March 2027'),
  period: z.object({ from: z.string(), to: z.string() }),
  published: z.boolean(),
  received: z.number().int(),
  receivedByServiceArea: z.record(z.string(), z.number().int()),
  decided: z.number().int(),
  notForUs: z.number().int(),
  assessedAndClosed: z.number().int(),
  investigated: z.number().int(),
  upheld: z.number().int(),
  upheldRate: z.number().nullable().describe('From 0 to 1; null under the minimum volume of 10 investigations'),
  upheldRateInterval: interval,
  satisfactoryRemedy: z.number().int(),
  satisfactoryRemedyRate: z.number().nullable(),
  satisfactoryRemedyRateInterval: interval,
  remediesDue: z.number().int(),
  remediesComplied: z.number().int(),
  remediesCompliedLate: z.number().int(),
  complianceRate: z.number().nullable(),
  complianceRateInterval: interval,
  publicReports: z.number().int(),
  similarAuthorities: z.object({
    kind: z.string(),
    authorities: z.number().int(),
    upheldRate: z.number().nullable(),
    satisfactoryRemedyRate: z.number().nullable(),
    complianceRate: z.number().nullable(),
  }),
});

const dictionary = z.array(
  z.object({ field: z.string(), name: z.string(), counts: z.string(), excludes: z.string(), date: z.string() }),
);

/** The published figures over the API: no token needed (a token of staff or the authority also sees a year not yet published). */
export function statisticsApi(services: Services): ApiRoute[] {
  const { statistics } = services;
  return [
    apiRoute({
      method: 'GET',
      url: '/statistics',
      access: 'public',
      summary: 'Every authority’s published figures for a year',
      description:
        'One object per authority (open authorities, and closed ones with figures), in name order. 404 when the year has no published figures, with the years that have.',
      tags: ['Statistics'],
      query: apiYearsQuery,
      response: z.object({
        year: z.number().int(),
        period: z.object({ from: z.string(), to: z.string() }),
        licence: z.string(),
        dictionary,
        authorities: z.array(authorityYear),
      }),
      handler: async ({ actor, query }) => {
        const data = await statistics.yearObjects(actor, query.year, query.kind ?? null);
        const { licence, dictionary: entries } = openDataNotes();
        return {
          year: data.year.year,
          period: { from: data.year.from, to: data.year.to },
          licence,
          dictionary: entries,
          authorities: data.authorities,
        };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/statistics/authorities/:id',
      access: 'public',
      summary: 'An authority’s published figures for a year',
      description: 'A rate is a number from 0 to 1, or null under the minimum volume; the counts are always given.',
      tags: ['Statistics'],
      params: z.object({ id: z.uuid({ error: 'Must be an authority id' }) }),
      query: apiAuthorityQuery,
      response: authorityYear,
      handler: async ({ actor, params, query }) => statistics.authorityObject(actor, params.id, query.year),
    }),
  ];
}
