import type { Services } from '../../services.ts';
import { page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { sendDocument } from '../../http/uploads.ts';
import { cursorQuery } from './complaints.schemas.ts';
import { OUTCOME_NAMES, STATUS_NAMES } from './domain.ts';
import { caseRow, serviceAreaName } from './presenters.ts';

/** The authority portal's complaint pages: its cases, one case, and a case's documents. */
export function complaintsPortalRoutes(services: Services): PageRoute[] {
  const { complaints } = services;

  return [
    page({
      url: '/portal/complaints',
      access: 'portal:complaints',
      query: cursorQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const list = await complaints.list(actor, {}, query.cursor);
        return reply.render('complaints/views/portal-list.njk', {
          page: list,
          rows: list.items.map(caseRow),
          nextHref: list.nextCursor ? `/portal/complaints?cursor=${encodeURIComponent(list.nextCursor)}` : null,
        });
      },
    }),
    page({
      url: '/portal/complaints/:id',
      access: 'portal:complaints',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const view = await complaints.getCase(actor, params.id);
        const [documents, requests, namedContacts] = await Promise.all([
          complaints.documents(actor, view.complaint.id),
          complaints.documentRequests(actor, view.complaint.id),
          services.conduct.portalNotice(actor, view.complaint.id),
        ]);
        return reply.render('complaints/views/portal-case.njk', {
          view,
          documents,
          requests,
          namedContacts,
          statusName: STATUS_NAMES[view.complaint.status],
          outcomeName: view.complaint.outcome ? OUTCOME_NAMES[view.complaint.outcome] : null,
          serviceAreaName: serviceAreaName(view.complaint.service_area),
        });
      },
    }),
    page({
      url: '/portal/documents/:id',
      access: 'portal:complaints',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { document, stream } = await services.caseDocuments.open(actor, params.id);
        return sendDocument(reply, document, stream);
      },
    }),
  ];
}
