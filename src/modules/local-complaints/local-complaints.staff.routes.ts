import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { Services } from '../../services.ts';
import { can } from '../accounts/domain.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { caseContext } from '../complaints/case-context.ts';
import { formatDay, working } from './domain.ts';
import { candidateQuery, linkForm } from './local-complaints.schemas.ts';

/**
 * The case's "Local record" tab: the authority's record of the complaint once intake has linked
 * it (its stages and what they say for the premature check), or, until then, the candidates that
 * match the complainant, shown by reference and dates only, and the authority's figures in aggregate.
 */
export function localComplaintsStaffRoutes(services: Services): PageRoute[] {
  const { localComplaints } = services;
  const tab = (id: string) => `/staff/complaints/${id}/local-record`;
  return [
    page({
      url: '/staff/complaints/:id/local-record',
      access: 'complaints:read',
      params: withId,
      query: candidateQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const context = await caseContext(services, actor, params.id, 'local-record');
        const { complaint, complainant } = context.view;
        const linked = await localComplaints.linkedTo(actor, complaint.id);
        const candidates = linked
          ? []
          : await localComplaints.candidates(actor, {
              authorityId: complaint.authority_id,
              serviceArea: complaint.service_area,
              email: complainant?.email ?? null,
              phone: complainant?.phone ?? null,
              name: complainant?.name ?? null,
              reference: query.reference ?? null,
            });
        const aggregate = await localComplaints.aggregate(actor, complaint.authority_id);
        return reply.render('local-complaints/views/staff-case.njk', {
          ...context,
          linked: linked
            ? Object.assign(
                {
                  stageRows: linked.stages.map((s) =>
                    Object.assign(
                      { ackWorking: working(s.clock.acknowledge), respondWorking: working(s.clock.respond) },
                      s,
                    ),
                  ),
                },
                linked,
              )
            : null,
          candidates: candidates.map((c) =>
            Object.assign(
              {
                areaName: SERVICE_AREA_NAMES[c.service_area as ServiceArea] ?? c.service_area,
                matchedBy: [
                  c.by_reference ? 'reference' : null,
                  c.by_email ? 'email address' : null,
                  c.by_phone ? 'telephone' : null,
                  c.by_name ? 'name and service area' : null,
                ]
                  .filter((m) => m !== null)
                  .join(', '),
                receivedText: formatDay(c.received_on),
              },
              c,
            ),
          ),
          reference: query.reference ?? '',
          aggregate,
          canLink: can(actor, 'complaints:intake'),
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/local-record',
      access: 'complaints:intake',
      params: withId,
      body: linkForm,
      back: ({ params }) => tab(params.id),
      action: async ({ actor, params, body }) => {
        const view = await services.complaints.getCase(actor, params.id);
        await localComplaints.link(
          actor,
          { id: view.complaint.id, authorityId: view.complaint.authority_id },
          body.localId,
        );
        return { to: tab(params.id), notice: 'The authority’s local record is linked to this case.' };
      },
    }),
  ];
}
