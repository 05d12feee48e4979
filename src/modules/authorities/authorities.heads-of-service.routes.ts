import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { Permission } from '../accounts/domain.ts';
import { notFound } from '../../platform/errors.ts';
import { headOfServiceForm } from './authorities.schemas.ts';
import type { AuthorityDetail } from './authorities.service.ts';
import { SERVICE_AREAS, SERVICE_AREA_NAMES, type ServiceArea } from './domain.ts';
import { headValues, serviceAreaItems, shownValues } from './presenters.ts';

/** A head of service's page: the authority and a service area; any other area is a page that does not exist. */
const headParams = z.object({ id: z.uuid(), area: z.enum(SERVICE_AREAS) });

/** The head of service for an area, or not found. */
function headOf(authority: AuthorityDetail, area: ServiceArea) {
  const head = authority.headsOfService.find((h) => h.serviceArea === area);
  if (!head) throw notFound('The head of service');
  return head;
}

/**
 * Adding, changing and removing a head of service, for staff and for the authority's own portal
 * alike: the same forms and rules under each face's address, permission and way back.
 */
export function headOfServiceRoutes(
  services: Services,
  face: { prefix: string; access: Permission; back: (id: string) => string; done: (id: string) => string },
): PageRoute[] {
  const { authorities } = services;
  const base = (id: string) => `${face.prefix}/${id}/heads-of-service`;
  return [
    page({
      url: `${face.prefix}/:id/heads-of-service/new`,
      access: face.access,
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const authority = await authorities.getAuthority(actor, params.id);
        return reply.render('authorities/views/head-of-service-form.njk', {
          authority,
          heading: 'Add a head of service',
          action: `${base(authority.id)}/new`,
          backHref: face.back(authority.id),
          serviceAreaItems: serviceAreaItems(request.flash.values?.serviceArea),
        });
      },
    }),
    form({
      url: `${face.prefix}/:id/heads-of-service/new`,
      access: face.access,
      params: withId,
      body: headOfServiceForm,
      back: ({ params }) => `${base(params.id)}/new`,
      action: async ({ actor, params, body }) => {
        await authorities.setHeadOfService(actor, params.id, body, true);
        return { to: face.done(params.id), notice: 'Head of service added' };
      },
    }),
    page({
      url: `${face.prefix}/:id/heads-of-service/:area`,
      access: face.access,
      params: headParams,
      handler: async ({ actor, params: { id, area } }, request, reply) => {
        const authority = await authorities.getAuthority(actor, id);
        const head = headOf(authority, area);
        return reply.render('authorities/views/head-of-service-form.njk', {
          authority,
          head,
          heading: `Change the head of ${SERVICE_AREA_NAMES[area].toLowerCase()}`,
          action: `${base(authority.id)}/${area}`,
          backHref: face.back(authority.id),
          removeHref: `${base(authority.id)}/${area}/remove`,
          values: shownValues(request.flash.values, () => headValues(head)),
        });
      },
    }),
    form({
      url: `${face.prefix}/:id/heads-of-service/:area`,
      access: face.access,
      params: headParams,
      // The service area is the page's, not the form's.
      body: headOfServiceForm.omit({ serviceArea: true }),
      back: ({ params }) => `${base(params.id)}/${encodeURIComponent(params.area)}`,
      action: async ({ actor, params: { id, area }, body }) => {
        await authorities.setHeadOfService(actor, id, { ...body, serviceArea: area }, false);
        return { to: face.done(id), notice: 'Head of service changed' };
      },
    }),
    page({
      url: `${face.prefix}/:id/heads-of-service/:area/remove`,
      access: face.access,
      params: headParams,
      handler: async ({ actor, params: { id, area } }, _request, reply) => {
        const authority = await authorities.getAuthority(actor, id);
        const head = headOf(authority, area);
        return reply.render('authorities/views/remove-head.njk', {
          authority,
          head,
          action: `${base(authority.id)}/${area}/remove`,
          backHref: `${base(authority.id)}/${area}`,
        });
      },
    }),
    form({
      url: `${face.prefix}/:id/heads-of-service/:area/remove`,
      access: face.access,
      params: headParams,
      body: z.object({}),
      back: ({ params }) => `${base(params.id)}/${params.area}/remove`,
      action: async ({ actor, params: { id, area } }) => {
        await authorities.removeHeadOfService(actor, id, area);
        return { to: face.done(id), notice: 'Head of service removed' };
      },
    }),
  ];
}
