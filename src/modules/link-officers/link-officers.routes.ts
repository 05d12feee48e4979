import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { handleForm, parseForm, zodFieldErrors } from '../../http/forms.ts';
import { type PageRoute, actorOf, idParam } from '../../http/routes.ts';
import { can } from '../accounts/domain.ts';
import { pickerBack, pickerQuery } from '../authorities/authorities.schemas.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import {
  addDelegateForm,
  coverForm,
  nestDateFields,
  officerDetailsSchema,
  portalChangeForm,
  publicChangeForm,
  rejectForm,
} from './link-officers.schemas.ts';

/** A path parameter that must be an id; anything else is a page that does not exist. */
/** Parses one form body with two schemas, reporting every problem from both at once. */
function parseTogether<A extends z.ZodType, B extends z.ZodType>(a: A, b: B, body: unknown): [z.infer<A>, z.infer<B>] {
  const first = a.safeParse(body ?? {});
  const second = b.safeParse(body ?? {});
  if (first.success && second.success) return [first.data, second.data];
  const fields = [
    ...(first.success ? [] : zodFieldErrors(first.error)),
    ...(second.success ? [] : zodFieldErrors(second.error)),
  ];
  throw new DomainError('validation', 'There is a problem', fields);
}

const tokenParam = (request: FastifyRequest): string => {
  const value = (request.params as { token?: string }).token ?? '';
  if (!/^[\w-]{20,128}$/.test(value)) throw notFound();
  return value;
};

/** Staff pages for an authority's link officers, the change queue, and the public and portal pages. */
export function linkOfficersRoutes(services: Services): PageRoute[] {
  const { linkOfficers } = services;
  const base = (authorityId: string) => `/staff/authorities/${authorityId}/link-officers`;

  const staff: PageRoute[] = [
    {
      method: 'GET',
      url: '/staff/authorities/:id/link-officers',
      access: 'link-officers:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const data = await linkOfficers.officers(actor, idParam(request, 'id'));
        return reply.render('link-officers/views/staff-list.njk', {
          ...data,
          canManage: can(actor, 'link-officers:manage'),
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/authorities/:id/link-officers/add',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const data = await linkOfficers.officers(actorOf(request), idParam(request, 'id'));
        return reply.render('link-officers/views/staff-officer-form.njk', {
          ...data,
          mode: 'add',
          action: `${base(data.authority.id)}/add`,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/authorities/:id/link-officers/add',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const authorityId = idParam(request, 'id');
        return handleForm(request, reply, `${base(authorityId)}/add`, async () => {
          const details = parseForm(officerDetailsSchema, request.body);
          await linkOfficers.addOfficer(actorOf(request), authorityId, details);
          reply.setFlash({ notice: `${details.forename} ${details.surname} has been added as a link officer.` });
          return base(authorityId);
        });
      },
    },
    ...(['edit', 'replace'] as const).flatMap((mode): PageRoute[] => [
      {
        method: 'GET',
        url: `/staff/authorities/:id/link-officers/:officerId/${mode}`,
        access: 'link-officers:manage',
        handler: async (request, reply) => {
          const actor = actorOf(request);
          const authorityId = idParam(request, 'id');
          const officer = await linkOfficers.officer(actor, authorityId, idParam(request, 'officerId'));
          const { authority } = await linkOfficers.officers(actor, authorityId);
          const flashValues = request.flash.values ?? {};
          const current =
            mode === 'edit' && Object.keys(flashValues).length === 0
              ? {
                  title: officer.title,
                  forename: officer.forename,
                  surname: officer.surname,
                  jobTitle: officer.jobTitle,
                  email: officer.email,
                  correspondenceEmail: officer.correspondenceEmail ?? '',
                  phone: officer.phoneDisplay,
                }
              : flashValues;
          return reply.render('link-officers/views/staff-officer-form.njk', {
            authority,
            officer,
            mode,
            values: current,
            action: `${base(authorityId)}/${officer.id}/${mode}`,
          });
        },
      },
      {
        method: 'POST',
        url: `/staff/authorities/:id/link-officers/:officerId/${mode}`,
        access: 'link-officers:manage',
        handler: async (request, reply) => {
          const authorityId = idParam(request, 'id');
          const officerId = idParam(request, 'officerId');
          return handleForm(request, reply, `${base(authorityId)}/${officerId}/${mode}`, async () => {
            const details = parseForm(officerDetailsSchema, request.body);
            if (mode === 'edit') {
              await linkOfficers.editOfficer(actorOf(request), authorityId, officerId, details);
              reply.setFlash({ notice: 'The link officer’s details have been updated.' });
            } else {
              await linkOfficers.replaceOfficer(actorOf(request), authorityId, officerId, details);
              reply.setFlash({
                notice: `${details.forename} ${details.surname} has replaced the link officer. Nothing about the previous link officer has been kept.`,
              });
            }
            return base(authorityId);
          });
        },
      },
    ]),
    {
      method: 'GET',
      url: '/staff/authorities/:id/link-officers/:officerId/remove',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const authorityId = idParam(request, 'id');
        const officer = await linkOfficers.officer(actor, authorityId, idParam(request, 'officerId'));
        const { authority } = await linkOfficers.officers(actor, authorityId);
        return reply.render('link-officers/views/staff-remove.njk', { authority, officer });
      },
    },
    {
      method: 'POST',
      url: '/staff/authorities/:id/link-officers/:officerId/remove',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const authorityId = idParam(request, 'id');
        await linkOfficers.removeOfficer(actorOf(request), authorityId, idParam(request, 'officerId'));
        reply.setFlash({ notice: 'The link officer has been removed. Nothing about them has been kept.' });
        return reply.redirect(base(authorityId), 303);
      },
    },
    {
      method: 'GET',
      url: '/staff/link-officer-changes',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const requests = await linkOfficers.pendingChanges(actorOf(request));
        return reply.render('link-officers/views/staff-changes.njk', { requests });
      },
    },
    {
      method: 'GET',
      url: '/staff/link-officer-changes/:id',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const change = await linkOfficers.changeRequest(actorOf(request), idParam(request, 'id'));
        return reply.render('link-officers/views/staff-change.njk', { change });
      },
    },
    {
      method: 'POST',
      url: '/staff/link-officer-changes/:id/approve',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, `/staff/link-officer-changes/${id}`, async () => {
          await linkOfficers.approveChange(actorOf(request), id);
          reply.setFlash({ notice: 'The change has been made.' });
          return '/staff/link-officer-changes';
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/link-officer-changes/:id/reject',
      access: 'link-officers:manage',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, `/staff/link-officer-changes/${id}`, async () => {
          const form = parseForm(rejectForm, request.body);
          await linkOfficers.rejectChange(actorOf(request), id, form.reason);
          reply.setFlash({ notice: 'The request has been rejected and the person who asked has been told why.' });
          return '/staff/link-officer-changes';
        });
      },
    },
  ];

  const portal: PageRoute[] = [
    {
      method: 'GET',
      url: '/portal/link-officers',
      access: 'portal:home',
      handler: async (request, reply) => {
        const data = await linkOfficers.portalOverview(actorOf(request));
        return reply.render('link-officers/views/portal-officers.njk', data);
      },
    },
    {
      method: 'GET',
      url: '/portal/delegates',
      access: 'portal:home',
      handler: async (request, reply) => {
        const data = await linkOfficers.portalOverview(actorOf(request));
        return reply.render('link-officers/views/portal-delegates.njk', data);
      },
    },
    {
      method: 'POST',
      url: '/portal/delegates',
      access: 'link-officers:delegate',
      handler: async (request, reply) =>
        handleForm(request, reply, '/portal/delegates', async () => {
          const form = parseForm(addDelegateForm, request.body);
          await linkOfficers.inviteDelegate(actorOf(request), form);
          reply.setFlash({ notice: `${form.name} has been invited to the portal as a delegate.` });
          return '/portal/delegates';
        }),
    },
    {
      method: 'GET',
      url: '/portal/cover',
      access: 'link-officers:delegate',
      handler: async (request, reply) => {
        const data = await linkOfficers.portalOverview(actorOf(request));
        return reply.render('link-officers/views/portal-cover.njk', data);
      },
    },
    {
      method: 'POST',
      url: '/portal/cover',
      access: 'link-officers:delegate',
      handler: async (request, reply) =>
        handleForm(request, reply, '/portal/cover', async () => {
          const form = parseForm(coverForm, nestDateFields(request.body, ['starts', 'ends']));
          await linkOfficers.addCover(actorOf(request), form);
          reply.setFlash({ notice: 'The absence cover has been recorded.' });
          return '/portal/cover';
        }),
    },
    {
      method: 'POST',
      url: '/portal/cover/:id/remove',
      access: 'link-officers:delegate',
      handler: async (request, reply) => {
        await linkOfficers.removeCover(actorOf(request), idParam(request, 'id'));
        reply.setFlash({ notice: 'The absence cover has been removed.' });
        return reply.redirect('/portal/cover', 303);
      },
    },
    {
      method: 'GET',
      url: '/portal/link-officer-change',
      access: 'portal:home',
      handler: async (request, reply) => {
        const data = await linkOfficers.portalOverview(actorOf(request));
        return reply.render('link-officers/views/change-form.njk', {
          ...data,
          face: 'portal',
          action: '/portal/link-officer-change',
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/link-officer-change',
      access: 'portal:home',
      handler: async (request, reply) =>
        handleForm(request, reply, '/portal/link-officer-change', async () => {
          const actor = actorOf(request);
          const [form, details] = parseTogether(portalChangeForm, officerDetailsSchema, request.body);
          const requester = await linkOfficers.requesterFor(actor);
          const notice = await linkOfficers.requestChange(actor, {
            authorityId: actor.authorityId ?? '',
            change: form.change,
            details,
            requesterName: requester.name,
            requesterEmail: requester.email,
          });
          reply.setFlash({ notice });
          return '/portal/link-officers';
        }),
    },
  ];

  const publicPages: PageRoute[] = [
    {
      method: 'GET',
      url: '/link-officer-change',
      access: 'public',
      handler: async (request, reply) => {
        const kept = request.flash.values?.authorityId;
        return reply.render('link-officers/views/change-form.njk', {
          picker: await services.authorities.picker(
            pickerQuery.parse(request.query ?? {}).q,
            typeof kept === 'string' && kept !== '' ? kept : null,
          ),
          face: 'public',
          action: '/link-officer-change',
        });
      },
    },
    {
      method: 'POST',
      url: '/link-officer-change',
      access: 'public',
      handler: async (request, reply) =>
        handleForm(request, reply, pickerBack('/link-officer-change', request.body), async () => {
          const [f, d] = parseTogether(publicChangeForm, officerDetailsSchema, request.body);
          const notice = await linkOfficers.requestChange(request.actor, {
            authorityId: f.authorityId,
            change: f.change,
            replacesEmail: f.replacesEmail,
            details: d,
            requesterName: f.requesterName,
            requesterEmail: f.requesterEmail,
          });
          reply.setFlash({ notice });
          return '/link-officer-change/sent';
        }),
    },
    {
      method: 'GET',
      url: '/link-officer-change/sent',
      access: 'public',
      handler: async (_request, reply) => reply.render('link-officers/views/change-sent.njk'),
    },
    {
      method: 'GET',
      url: '/link-officer-change/confirm/:token',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenParam(request);
        const change = await linkOfficers.changeForConfirmation(token);
        return reply.render('link-officers/views/change-confirm.njk', { change, token });
      },
    },
    {
      method: 'POST',
      url: '/link-officer-change/confirm/:token',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenParam(request);
        const decision = (request.body as { decision?: string } | undefined)?.decision;
        if (decision === 'decline') {
          await linkOfficers.declineChange(token);
          reply.setFlash({ notice: 'You have declined the request. It will not be passed to the ombudsman.' });
        } else {
          await linkOfficers.confirmChange(token);
          reply.setFlash({ notice: 'Thank you. The request has been passed to the ombudsman’s relationship team.' });
        }
        return reply.redirect('/link-officer-change/sent', 303);
      },
    },
  ];

  return [...staff, ...portal, ...publicPages];
}
