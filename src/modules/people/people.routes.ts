import { z } from 'zod';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { Services } from '../../services.ts';
import { normaliseReference } from '../complaints/domain.ts';
import { PARTY_ROLE_NAMES } from './domain.ts';

const personParams = z.object({ id: z.uuid() });
const partyParams = z.object({ id: z.uuid(), partyId: z.uuid() });
const findQuery = z.object({
  reference: z.string().trim().max(40, 'Enter a case reference, like 26 001 234').optional().catch(undefined),
});
const linkBody = z.object({ checked: z.enum(['yes']).optional().catch(undefined) });
const buttonOnly = z.unknown();

const personPage = (id: string) => `/staff/people/${id}`;
const roleName = (p: { role: keyof typeof PARTY_ROLE_NAMES }) =>
  Object.assign({ roleName: PARTY_ROLE_NAMES[p.role] }, p);

/** Staff pages: a person across cases, suggestions, comparing side by side, linking and unlinking. */
export function peopleRoutes(services: Services): PageRoute[] {
  const { people, complaints } = services;
  return [
    page({
      url: '/staff/people/:id',
      access: 'complaints:read',
      params: personParams,
      query: findQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const person = await people.person(actor, params.id);
        let found: ReturnType<typeof roleName>[] | null = null;
        let findError: string | null = null;
        if (person.canLink && query.reference) {
          if (!normaliseReference(query.reference)) findError = 'Enter a case reference, like 26 001 234';
          else {
            const list = await complaints.list(actor, { reference: query.reference }, undefined, 5);
            const parties = await Promise.all(list.items.map((c) => people.partiesOfCase(actor, c.id)));
            found = parties
              .flat()
              .filter((p) => p.personId !== person.id)
              .map(roleName);
          }
        }
        return reply.render('people/views/person.njk', {
          person,
          parties: person.parties.map(roleName),
          suggestions: person.suggestions.map(roleName),
          reference: query.reference ?? '',
          found,
          findError,
        });
      },
    }),
    page({
      url: '/staff/people/:id/compare/:partyId',
      access: 'people:link',
      params: partyParams,
      handler: async ({ actor, params }, _request, reply) => {
        const compared = await people.compare(actor, params.id, params.partyId);
        return reply.render('people/views/compare.njk', {
          person: compared.person,
          parties: compared.person.parties.map(roleName),
          candidate: roleName(compared.candidate),
          alreadyLinked: compared.alreadyLinked,
          shares: compared.shares,
        });
      },
    }),
    form({
      url: '/staff/people/:id/link/:partyId',
      access: 'people:link',
      params: partyParams,
      body: linkBody,
      back: ({ params }) => `${personPage(params.id)}/compare/${params.partyId}`,
      action: async ({ actor, params, body }) => {
        await people.link(actor, params.id, params.partyId, body.checked === 'yes');
        return { to: personPage(params.id), notice: 'Linked as one person' };
      },
    }),
    form({
      url: '/staff/people/:id/unlink/:partyId',
      access: 'people:link',
      params: partyParams,
      body: buttonOnly,
      back: ({ params }) => personPage(params.id),
      action: async ({ actor, params }) => {
        await people.unlink(actor, params.id, params.partyId);
        return { to: personPage(params.id), notice: 'Unlinked: that case’s party is a person of their own again' };
      },
    }),
  ];
}
