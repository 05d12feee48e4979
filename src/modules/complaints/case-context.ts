import type { FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { actorOf, idParam } from '../../http/routes.ts';
import { can } from '../accounts/domain.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { OUTCOME_NAMES, STATUS_NAMES } from './domain.ts';

/**
 * The tabs of a staff case page, in order. A module with a page about a case adds its tab here and
 * renders it with `staffCaseContext` and `complaints/views/_case-header.njk`.
 */
export const CASE_TABS = [
  { id: 'summary', text: 'Summary', path: '' },
  { id: 'documents', text: 'Documents', path: '/documents' },
  { id: 'history', text: 'Timeline', path: '/history' },
  { id: 'correspondence', text: 'Correspondence', path: '/correspondence' },
  { id: 'decision', text: 'Decision', path: '/decision' },
  { id: 'remedies', text: 'Remedies', path: '/remedies' },
  { id: 'public-report', text: 'Public report', path: '/public-report' },
] as const;
export type CaseTab = (typeof CASE_TABS)[number]['id'];

/** What every staff case page shows above its content: the identity bar and the sub-navigation. */
export async function staffCaseContext(services: Services, request: FastifyRequest, tab: CaseTab) {
  const actor = actorOf(request);
  const view = await services.complaints.getCase(actor, idParam(request));
  const base = `/staff/complaints/${view.complaint.id}`;
  return {
    view,
    tab,
    statusName: STATUS_NAMES[view.complaint.status],
    outcomeName: view.complaint.outcome ? OUTCOME_NAMES[view.complaint.outcome] : null,
    serviceAreaName: SERVICE_AREA_NAMES[view.complaint.service_area as ServiceArea] ?? view.complaint.service_area,
    subNav: CASE_TABS.map((t) => ({ text: t.text, href: `${base}${t.path}`, active: t.id === tab })),
    allowedTo: {
      intake: can(actor, 'complaints:intake'),
      assess: can(actor, 'complaints:assess'),
    },
  };
}
