import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { notFound } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import { headOfServiceRoutes } from './authorities.heads-of-service.routes.ts';
import { contactsForm } from './authorities.schemas.ts';
import { formValues, missingAreas, shownValues } from './presenters.ts';

const PORTAL_HOME = '/portal/authority';
const portalBase = (id: string) => `/portal/authority/${id}`;

/**
 * The authority portal's own page, and its forms for the authority's contacts: its link officers
 * and senior officers change the address, generic inbox and senior officers, with the staff forms'
 * fields and messages. The service refuses another authority (not found) and the directory fields.
 */
export function portalRoutes(services: Services): PageRoute[] {
  const { authorities } = services;
  return [
    page({
      url: '/portal/authority',
      access: 'portal:home',
      handler: async ({ actor }, _request, reply) => {
        if (!actor.authorityId) throw notFound('The authority');
        const [authority, trainingHistory] = await Promise.all([
          authorities.getAuthority(actor, actor.authorityId),
          services.training.authorityHistory(actor, actor.authorityId),
        ]);
        return reply.render('authorities/views/portal-authority.njk', {
          authority,
          trainingHistory,
          canChange: can(actor, 'authorities:contacts'),
          canAddHead: missingAreas(authority).length > 0,
        });
      },
    }),
    page({
      url: '/portal/authority/:id/contacts',
      access: 'authorities:contacts',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const authority = await authorities.getAuthority(actor, params.id);
        return reply.render('authorities/views/authority-form.njk', {
          heading: 'Change your authority’s contacts',
          caption: authority.name,
          contactsOnly: true,
          action: `${portalBase(authority.id)}/contacts`,
          values: shownValues(request.flash.values, () => formValues(authority)),
          cancelHref: PORTAL_HOME,
        });
      },
    }),
    form({
      url: '/portal/authority/:id/contacts',
      access: 'authorities:contacts',
      params: withId,
      body: contactsForm,
      back: ({ params }) => `${portalBase(params.id)}/contacts`,
      action: async ({ actor, params, body }) => {
        await authorities.change(actor, params.id, body);
        return { to: PORTAL_HOME, notice: 'Contacts changed' };
      },
    }),
    ...headOfServiceRoutes(services, {
      prefix: '/portal/authority',
      access: 'authorities:contacts',
      back: () => PORTAL_HOME,
      done: () => PORTAL_HOME,
    }),
  ];
}
