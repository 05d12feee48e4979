import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { can } from '../accounts/domain.ts';
import { pickerQuery } from '../authorities/authorities.schemas.ts';
import { pickerBack } from '../authorities/authorities.schemas.ts';
import {
  addDelegateForm,
  confirmationForm,
  confirmationParams,
  coverFormBody,
  officerDetailsSchema,
  portalChangeRequestForm,
  publicChangeRequestForm,
  rejectForm,
} from './link-officers.schemas.ts';
import { officerFormValues } from './presenters.ts';

const officerParams = z.object({ id: z.uuid(), officerId: z.uuid() });

/** Staff pages for an authority's link officers, the change queue, and the public and portal pages. */
export function linkOfficersRoutes(services: Services): PageRoute[] {
  const { linkOfficers } = services;
  const base = (authorityId: string) => `/staff/authorities/${authorityId}/link-officers`;

  const staff: PageRoute[] = [
    page({
      url: '/staff/authorities/:id/link-officers',
      access: 'link-officers:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const data = await linkOfficers.officers(actor, params.id);
        return reply.render('link-officers/views/staff-list.njk', {
          ...data,
          canManage: can(actor, 'link-officers:manage'),
        });
      },
    }),
    page({
      url: '/staff/authorities/:id/link-officers/add',
      access: 'link-officers:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const data = await linkOfficers.officers(actor, params.id);
        return reply.render('link-officers/views/staff-officer-form.njk', {
          ...data,
          mode: 'add',
          action: `${base(data.authority.id)}/add`,
        });
      },
    }),
    form({
      url: '/staff/authorities/:id/link-officers/add',
      access: 'link-officers:manage',
      params: withId,
      body: officerDetailsSchema,
      back: ({ params }) => `${base(params.id)}/add`,
      action: async ({ actor, params, body }) => {
        await linkOfficers.addOfficer(actor, params.id, body);
        return { to: base(params.id), notice: `${body.forename} ${body.surname} has been added as a link officer.` };
      },
    }),
    ...(['edit', 'replace'] as const).flatMap((mode): PageRoute[] => [
      page({
        url: `/staff/authorities/:id/link-officers/:officerId/${mode}`,
        access: 'link-officers:manage',
        params: officerParams,
        handler: async ({ actor, params }, request, reply) => {
          const officer = await linkOfficers.officer(actor, params.id, params.officerId);
          const { authority } = await linkOfficers.officers(actor, params.id);
          return reply.render('link-officers/views/staff-officer-form.njk', {
            authority,
            officer,
            mode,
            values: officerFormValues(mode, officer, request.flash.values ?? {}),
            action: `${base(params.id)}/${officer.id}/${mode}`,
          });
        },
      }),
      form({
        url: `/staff/authorities/:id/link-officers/:officerId/${mode}`,
        access: 'link-officers:manage',
        params: officerParams,
        body: officerDetailsSchema,
        back: ({ params }) => `${base(params.id)}/${params.officerId}/${mode}`,
        action: async ({ actor, params, body }) => {
          if (mode === 'edit') {
            await linkOfficers.editOfficer(actor, params.id, params.officerId, body);
            return { to: base(params.id), notice: 'The link officer’s details have been updated.' };
          }
          await linkOfficers.replaceOfficer(actor, params.id, params.officerId, body);
          return {
            to: base(params.id),
            notice: `${body.forename} ${body.surname} has replaced the link officer. Nothing about the previous link officer has been kept.`,
          };
        },
      }),
    ]),
    page({
      url: '/staff/authorities/:id/link-officers/:officerId/remove',
      access: 'link-officers:manage',
      params: officerParams,
      handler: async ({ actor, params }, _request, reply) => {
        const officer = await linkOfficers.officer(actor, params.id, params.officerId);
        const { authority } = await linkOfficers.officers(actor, params.id);
        return reply.render('link-officers/views/staff-remove.njk', { authority, officer });
      },
    }),
    form({
      url: '/staff/authorities/:id/link-officers/:officerId/remove',
      access: 'link-officers:manage',
      params: officerParams,
      body: z.object({}),
      back: ({ params }) => `${base(params.id)}/${params.officerId}/remove`,
      action: async ({ actor, params }) => {
        await linkOfficers.removeOfficer(actor, params.id, params.officerId);
        return { to: base(params.id), notice: 'The link officer has been removed. Nothing about them has been kept.' };
      },
    }),
    page({
      url: '/staff/link-officer-changes',
      access: 'link-officers:manage',
      handler: async ({ actor }, _request, reply) => {
        const requests = await linkOfficers.pendingChanges(actor);
        return reply.render('link-officers/views/staff-changes.njk', { requests });
      },
    }),
    page({
      url: '/staff/link-officer-changes/:id',
      access: 'link-officers:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const change = await linkOfficers.changeRequest(actor, params.id);
        return reply.render('link-officers/views/staff-change.njk', { change });
      },
    }),
    form({
      url: '/staff/link-officer-changes/:id/approve',
      access: 'link-officers:manage',
      params: withId,
      body: z.object({}),
      back: ({ params }) => `/staff/link-officer-changes/${params.id}`,
      action: async ({ actor, params }) => {
        await linkOfficers.approveChange(actor, params.id);
        return { to: '/staff/link-officer-changes', notice: 'The change has been made.' };
      },
    }),
    form({
      url: '/staff/link-officer-changes/:id/reject',
      access: 'link-officers:manage',
      params: withId,
      body: rejectForm,
      back: ({ params }) => `/staff/link-officer-changes/${params.id}`,
      action: async ({ actor, params, body }) => {
        await linkOfficers.rejectChange(actor, params.id, body.reason);
        return {
          to: '/staff/link-officer-changes',
          notice: 'The request has been rejected and the person who asked has been told why.',
        };
      },
    }),
  ];

  const portal: PageRoute[] = [
    page({
      url: '/portal/link-officers',
      access: 'portal:home',
      handler: async ({ actor }, _request, reply) =>
        reply.render('link-officers/views/portal-officers.njk', await linkOfficers.portalOverview(actor)),
    }),
    page({
      url: '/portal/delegates',
      access: 'portal:home',
      handler: async ({ actor }, _request, reply) =>
        reply.render('link-officers/views/portal-delegates.njk', await linkOfficers.portalOverview(actor)),
    }),
    form({
      url: '/portal/delegates',
      access: 'link-officers:delegate',
      body: addDelegateForm,
      back: '/portal/delegates',
      action: async ({ actor, body }) => {
        await linkOfficers.inviteDelegate(actor, body);
        return { to: '/portal/delegates', notice: `${body.name} has been invited to the portal as a delegate.` };
      },
    }),
    page({
      url: '/portal/cover',
      access: 'link-officers:delegate',
      handler: async ({ actor }, _request, reply) =>
        reply.render('link-officers/views/portal-cover.njk', await linkOfficers.portalOverview(actor)),
    }),
    form({
      url: '/portal/cover',
      access: 'link-officers:delegate',
      body: coverFormBody,
      back: '/portal/cover',
      action: async ({ actor, body }) => {
        await linkOfficers.addCover(actor, body);
        return { to: '/portal/cover', notice: 'The absence cover has been recorded.' };
      },
    }),
    form({
      url: '/portal/cover/:id/remove',
      access: 'link-officers:delegate',
      params: withId,
      body: z.object({}),
      back: '/portal/cover',
      action: async ({ actor, params }) => {
        await linkOfficers.removeCover(actor, params.id);
        return { to: '/portal/cover', notice: 'The absence cover has been removed.' };
      },
    }),
    page({
      url: '/portal/link-officer-change',
      access: 'portal:home',
      handler: async ({ actor }, _request, reply) =>
        reply.render('link-officers/views/change-form.njk', {
          ...(await linkOfficers.portalOverview(actor)),
          face: 'portal',
          action: '/portal/link-officer-change',
        }),
    }),
    form({
      url: '/portal/link-officer-change',
      access: 'portal:home',
      body: portalChangeRequestForm,
      back: '/portal/link-officer-change',
      action: async ({ actor, body: [change, details] }) => {
        const requester = await linkOfficers.requesterFor(actor);
        const notice = await linkOfficers.requestChange(actor, {
          authorityId: actor.authorityId ?? '',
          change: change.change,
          details,
          requesterName: requester.name,
          requesterEmail: requester.email,
        });
        return { to: '/portal/link-officers', notice };
      },
    }),
  ];

  const publicPages: PageRoute[] = [
    page({
      url: '/link-officer-change',
      access: 'public',
      query: pickerQuery,
      handler: async ({ query }, request, reply) => {
        const kept = request.flash.values?.authorityId;
        return reply.render('link-officers/views/change-form.njk', {
          picker: await services.authorities.picker(query.q, typeof kept === 'string' && kept !== '' ? kept : null),
          face: 'public',
          action: '/link-officer-change',
        });
      },
    }),
    form({
      url: '/link-officer-change',
      access: 'public',
      body: publicChangeRequestForm,
      back: ({ sent }) => pickerBack('/link-officer-change', sent),
      action: async ({ actor, body: [f, d] }) => {
        const notice = await linkOfficers.requestChange(actor, {
          authorityId: f.authorityId,
          change: f.change,
          replacesEmail: f.replacesEmail,
          details: d,
          requesterName: f.requesterName,
          requesterEmail: f.requesterEmail,
        });
        return { to: '/link-officer-change/sent', notice };
      },
    }),
    page({
      url: '/link-officer-change/sent',
      access: 'public',
      handler: async (_input, _request, reply) => reply.render('link-officers/views/change-sent.njk'),
    }),
    page({
      url: '/link-officer-change/confirm/:token',
      access: 'public',
      params: confirmationParams,
      handler: async ({ params }, _request, reply) => {
        const change = await linkOfficers.changeForConfirmation(params.token);
        return reply.render('link-officers/views/change-confirm.njk', { change, token: params.token });
      },
    }),
    form({
      url: '/link-officer-change/confirm/:token',
      access: 'public',
      params: confirmationParams,
      body: confirmationForm,
      back: ({ params }) => `/link-officer-change/confirm/${params.token}`,
      action: async ({ params, body }) => {
        if (body.decision === 'decline') {
          await linkOfficers.declineChange(params.token);
          return {
            to: '/link-officer-change/sent',
            notice: 'You have declined the request. It will not be passed to the ombudsman.',
          };
        }
        await linkOfficers.confirmChange(params.token);
        return {
          to: '/link-officer-change/sent',
          notice: 'Thank you. The request has been passed to the ombudsman’s relationship team.',
        };
      },
    }),
  ];

  return [...staff, ...portal, ...publicPages];
}
