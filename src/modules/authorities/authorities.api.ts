import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import {
  apiCreateAuthority,
  apiUpdateAuthority,
  authorityIdParams,
  authorityListResponse,
  authorityResponse,
  directoryQuery,
} from './authorities.schemas.ts';
import type { AuthorityChanges, AuthorityDetail, SeniorOfficer } from './authorities.service.ts';

const officerOut = (o: SeniorOfficer | null) =>
  o && {
    id: o.id,
    role: o.role,
    serviceArea: o.serviceArea,
    title: o.title,
    name: o.name,
    jobTitle: o.jobTitle,
    email: o.email,
    emailFailingSince: o.bouncing ? o.bouncing.since.toISOString() : null,
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
    genericInboxFailingSince: a.genericInboxBouncing ? a.genericInboxBouncing.since.toISOString() : null,
    active: a.active,
    closedAt: a.closedAt ? a.closedAt.toISOString() : null,
    chiefExecutive: officerOut(a.chiefExecutive),
    monitoringOfficer: officerOut(a.monitoringOfficer),
    leader: officerOut(a.leader),
    scrutinyChair: officerOut(a.scrutinyChair),
    headsOfService: a.headsOfService.map((h) => officerOut(h) as NonNullable<ReturnType<typeof officerOut>>),
  };
}

/** The names of the fields a JSON body gives, before it is validated. */
const fieldsGiven = (body: unknown): string[] =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : [];

/**
 * The authority directory over the API. Authority tokens read their own authority only, and change
 * its contacts only; any other authority is not found for them.
 */
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
      description:
        'Staff tokens need authorities:read. An authority token reads its own authority only: any other ' +
        'answers 404, as an unknown id does.',
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
          {
            ...body,
            monitoringOfficer: body.monitoringOfficer ?? null,
            leader: body.leader ?? null,
            scrutinyChair: body.scrutinyChair ?? null,
          },
          body.headsOfService,
        );
        return authorityOut(await authorities.getAuthority(actor, id));
      },
    }),
    apiRoute({
      method: 'PATCH',
      url: '/authorities/:id',
      access: 'signed-in',
      summary: 'Change an authority',
      description:
        'Takes the fields of POST, and `active`. Fields left out are unchanged; a null optional field is ' +
        'cleared (`monitoringOfficer: null` removes the monitoring officer; `leader` and `scrutinyChair`, the ' +
        'leader of the council and the chair of scrutiny, likewise). `headsOfService` replaces the ' +
        'whole set. `active: false` closes the authority and `active: true` reopens it. All the changes are ' +
        'made together, or none is. Staff tokens need authorities:manage and may change every field. An ' +
        'authority token with the link officer or senior officer role may change its own authority’s ' +
        'contacts: `address`, `genericInbox`, `chiefExecutive`, `monitoringOfficer`, `leader`, `scrutinyChair` ' +
        'and `headsOfService`. ' +
        '`name`, `kind`, `reference`, `region` and `active` are the ombudsman’s directory record: from an ' +
        'authority token they answer 403 naming each field, and nothing is changed. A delegate’s token may ' +
        'not change its authority (403). Any other authority answers 404, as an unknown id does, before the ' +
        'body is checked.',
      tags: ['Authorities'],
      params: authorityIdParams,
      body: apiUpdateAuthority,
      response: authorityResponse,
      authorise: ({ actor, params, body }) => authorities.assertMayChange(actor, params.id, fieldsGiven(body)),
      handler: async ({ actor, params, body, request }) => {
        // Absent and null differ for the optional fields: absent leaves the field as it is.
        const raw = (request.body ?? {}) as Record<string, unknown>;
        const given = (key: keyof typeof body) => Object.hasOwn(raw, key);
        const changes: AuthorityChanges = {};
        if (body.name !== undefined) changes.name = body.name;
        if (body.kind !== undefined) changes.kind = body.kind;
        if (given('reference')) changes.reference = body.reference;
        if (given('address')) changes.address = body.address;
        if (given('region')) changes.region = body.region;
        if (given('genericInbox')) changes.genericInbox = body.genericInbox;
        if (body.chiefExecutive) changes.chiefExecutive = body.chiefExecutive;
        if (given('monitoringOfficer')) changes.monitoringOfficer = body.monitoringOfficer ?? null;
        if (given('leader')) changes.leader = body.leader ?? null;
        if (given('scrutinyChair')) changes.scrutinyChair = body.scrutinyChair ?? null;
        if (body.headsOfService) changes.headsOfService = body.headsOfService;
        if (body.active !== undefined) changes.active = body.active;
        await authorities.change(actor, params.id, changes);
        return authorityOut(await authorities.getAuthority(actor, params.id));
      },
    }),
  ];
}
