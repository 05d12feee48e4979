import type { Services } from '../../composition.ts';
import { apiRoute, type ApiRoute } from '../../http/api.ts';
import { invalid } from '../../platform/errors.ts';
import {
  apiCreateAuthority,
  apiUpdateAuthority,
  authorityIdParams,
  authorityListResponse,
  authorityResponse,
  directoryQuery,
  type AuthorityInput,
  type OfficerInput,
} from './authorities.schemas.ts';
import type { AuthorityDetail, SeniorOfficer } from './authorities.service.ts';
import { regionFrom } from './domain.ts';

const officerOut = (o: SeniorOfficer | null) =>
  o && {
    id: o.id,
    role: o.role,
    serviceArea: o.serviceArea,
    title: o.title,
    name: o.name,
    jobTitle: o.jobTitle,
    email: o.email,
  };

function authorityOut(a: AuthorityDetail) {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    reference: a.reference,
    address: a.address,
    region: a.region,
    genericInbox: a.genericInbox,
    active: a.active,
    closedAt: a.closedAt ? a.closedAt.toISOString() : null,
    chiefExecutive: officerOut(a.chiefExecutive),
    monitoringOfficer: officerOut(a.monitoringOfficer),
    headsOfService: a.headsOfService.map((h) => officerOut(h) as NonNullable<ReturnType<typeof officerOut>>),
  };
}

const officerIn = (o: SeniorOfficer | null): OfficerInput | null =>
  o && { title: o.title, name: o.name, jobTitle: o.jobTitle, email: o.email };

/** The authority directory over the API. Authority tokens read their own authority only. */
export function authoritiesApi(services: Services): ApiRoute[] {
  const { authorities } = services;
  return [
    apiRoute({
      method: 'GET',
      url: '/authorities',
      access: 'signed-in',
      summary: 'Search the authority directory',
      description:
        'Authorities in name order, 50 a page. `q` matches the start of words of the name or reference. ' +
        'Staff tokens need authorities:read; an authority token sees its own authority only.',
      tags: ['Authorities'],
      query: directoryQuery,
      response: authorityListResponse,
      handler: async ({ actor, query }) => {
        const page = await authorities.search(actor, query);
        return {
          items: page.items.map((i) => ({
            id: i.id,
            name: i.name,
            kind: i.kind,
            reference: i.reference,
            region: i.region,
            active: i.active,
          })),
          count: page.count,
          nextCursor: page.nextCursor,
        };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/authorities/:id',
      access: 'signed-in',
      summary: 'One authority with its senior officers',
      description: 'An authority token reads its own authority only: any other is 404.',
      tags: ['Authorities'],
      params: authorityIdParams,
      response: authorityResponse,
      handler: async ({ actor, params }) => authorityOut(await authorities.getAuthority(actor, params.id)),
    }),
    apiRoute({
      method: 'POST',
      url: '/authorities',
      access: 'authorities:manage',
      status: 201,
      summary: 'Add an authority',
      description: 'The chief executive (or equivalent) is required: every letter is addressed to them.',
      tags: ['Authorities'],
      body: apiCreateAuthority,
      response: authorityResponse,
      handler: async ({ actor, body }) => {
        const id = await authorities.create(
          actor,
          { ...body, monitoringOfficer: body.monitoringOfficer ?? null },
          body.headsOfService,
        );
        return authorityOut(await authorities.getAuthority(actor, id));
      },
    }),
    apiRoute({
      method: 'PATCH',
      url: '/authorities/:id',
      access: 'authorities:manage',
      summary: 'Change an authority',
      description:
        'Fields left out are unchanged; a null optional field is cleared (`monitoringOfficer: null` removes the monitoring officer).',
      tags: ['Authorities'],
      params: authorityIdParams,
      body: apiUpdateAuthority,
      response: authorityResponse,
      handler: async ({ actor, params, body, request }) => {
        const current = await authorities.getAuthority(actor, params.id);
        const raw = (request.body ?? {}) as Record<string, unknown>;
        const given = (key: string) => Object.hasOwn(raw, key);
        const chiefExecutive = body.chiefExecutive ?? officerIn(current.chiefExecutive);
        if (!chiefExecutive) throw invalid([{ field: 'chiefExecutive', message: 'Enter the chief executive' }]);
        const next: AuthorityInput = {
          name: body.name ?? current.name,
          kind: body.kind ?? current.kind,
          reference: given('reference') ? body.reference : current.reference,
          address: given('address') ? body.address : current.address,
          region: given('region') ? body.region : current.region ? regionFrom(current.region) : null,
          genericInbox: given('genericInbox') ? body.genericInbox : current.genericInbox,
          chiefExecutive,
          monitoringOfficer: given('monitoringOfficer')
            ? (body.monitoringOfficer ?? null)
            : officerIn(current.monitoringOfficer),
        };
        await authorities.update(actor, params.id, next);
        return authorityOut(await authorities.getAuthority(actor, params.id));
      },
    }),
  ];
}
