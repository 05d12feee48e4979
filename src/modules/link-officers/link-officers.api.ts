import { z } from 'zod';
import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import type { OfficerView } from './link-officers.service.ts';
import { officerApiBody } from './link-officers.schemas.ts';

export const apiLinkOfficer = z.object({
  id: z.uuid(),
  authorityId: z.uuid(),
  slot: z.number().int().describe('The place the officer holds: 1 or 2 (an authority has at most two)'),
  title: z.string(),
  forename: z.string(),
  surname: z.string(),
  jobTitle: z.string(),
  email: z.string(),
  correspondenceEmail: z.string().nullable().describe('Where ombudsman correspondence goes, when not the direct email'),
  phone: z.string().describe('Direct UK telephone number in E.164, e.g. +442079460958'),
  emailFailingSince: z
    .string()
    .nullable()
    .describe('When mail to the officer’s correspondence address began to bounce permanently; null when it does not'),
});

const authorityParams = z.object({ id: z.uuid({ error: 'Must be an authority id' }) });
const officerParams = z.object({
  id: z.uuid({ error: 'Must be an authority id' }),
  officerId: z.uuid({ error: 'Must be a link officer id' }),
});

const out = (o: OfficerView): z.input<typeof apiLinkOfficer> => ({
  id: o.id,
  authorityId: o.authorityId,
  slot: o.slot,
  title: o.title,
  forename: o.forename,
  surname: o.surname,
  jobTitle: o.jobTitle,
  email: o.email,
  correspondenceEmail: o.correspondenceEmail,
  phone: o.phone,
  emailFailingSince: o.failingSince ? o.failingSince.toISOString() : null,
});

const READ_SCOPE =
  'Staff tokens read any authority’s link officers (link-officers:read). An authority token reads its own ' +
  'authority’s; any other authority answers 404, as an unknown id does.';
const CHANGE_SCOPE =
  'Staff tokens with link-officers:manage change any authority’s link officers. An authority token changes ' +
  'none directly, whatever its role: as in the portal, the authority asks for a change of link officer and ' +
  'the ombudsman’s relationship team approves it, so its own authority answers 403 and nothing is changed. ' +
  'Any other authority answers 404, as an unknown id does, before the body is checked.';

/** An authority's link officers over the API. Replacing or removing an officer erases them. */
export function linkOfficersApi(services: Services): ApiRoute[] {
  const { linkOfficers } = services;
  return [
    apiRoute({
      method: 'GET',
      url: '/authorities/:id/link-officers',
      access: 'signed-in',
      summary: 'An authority’s link officers (at most two)',
      description: READ_SCOPE,
      tags: ['Link officers'],
      params: authorityParams,
      response: z.object({ items: z.array(apiLinkOfficer) }),
      handler: async ({ actor, params }) => {
        const { officers } = await linkOfficers.officers(actor, params.id);
        return { items: officers.map(out) };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/authorities/:id/link-officers',
      access: 'signed-in',
      summary: 'Add a link officer; 409 when the authority already has two',
      description: `${CHANGE_SCOPE} The telephone number must be a UK number; it is stored in E.164.`,
      tags: ['Link officers'],
      params: authorityParams,
      body: officerApiBody,
      status: 201,
      response: apiLinkOfficer,
      authorise: ({ actor, params }) => linkOfficers.assertCanChange(actor, params.id),
      handler: async ({ actor, params, body }) => {
        const id = await linkOfficers.addOfficer(actor, params.id, body);
        return out(await linkOfficers.officer(actor, params.id, id));
      },
    }),
    apiRoute({
      method: 'PUT',
      url: '/authorities/:id/link-officers/:officerId',
      access: 'signed-in',
      summary: 'Replace a link officer with someone else in the same place; the person replaced is erased',
      description: CHANGE_SCOPE,
      tags: ['Link officers'],
      params: officerParams,
      body: officerApiBody,
      response: apiLinkOfficer,
      authorise: ({ actor, params }) => linkOfficers.assertCanChange(actor, params.id),
      handler: async ({ actor, params, body }) => {
        const id = await linkOfficers.replaceOfficer(actor, params.id, params.officerId, body);
        return out(await linkOfficers.officer(actor, params.id, id));
      },
    }),
    apiRoute({
      method: 'DELETE',
      url: '/authorities/:id/link-officers/:officerId',
      access: 'signed-in',
      summary: 'Remove a link officer; they are erased',
      description: CHANGE_SCOPE,
      tags: ['Link officers'],
      params: officerParams,
      response: z.object({ id: z.uuid(), removed: z.literal(true) }),
      authorise: ({ actor, params }) => linkOfficers.assertCanChange(actor, params.id),
      handler: async ({ actor, params }) => {
        await linkOfficers.removeOfficer(actor, params.id, params.officerId);
        return { id: params.officerId, removed: true as const };
      },
    }),
  ];
}
