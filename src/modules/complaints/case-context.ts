import type { Services } from '../../services.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { OUTCOME_NAMES, STATUS_NAMES } from './domain.ts';

/** A tab's id, as a module contributes it with its manifest's `caseTabs` (`summary`, `decision`…). */
export type CaseTab = string;

/**
 * What every staff case page shows above its content: the identity bar and the sub-navigation, for
 * the case a typed route's `:id` names.
 */
export async function caseContext(services: Services, actor: Actor, complaintId: string, tab: CaseTab) {
  const view = await services.complaints.getCase(actor, complaintId);
  const markers = (await services.complaints.caseMarkers(actor, [view.complaint.id])).get(view.complaint.id) ?? [];
  const base = `/staff/complaints/${view.complaint.id}`;
  return {
    view,
    tab,
    markers,
    statusName: STATUS_NAMES[view.complaint.status],
    outcomeName: view.complaint.outcome ? OUTCOME_NAMES[view.complaint.outcome] : null,
    serviceAreaName: SERVICE_AREA_NAMES[view.complaint.service_area as ServiceArea] ?? view.complaint.service_area,
    subNav: services.caseParts.tabs.map((t) => ({ text: t.text, href: `${base}${t.path}`, active: t.id === tab })),
    allowedTo: {
      intake: can(actor, 'complaints:intake'),
      assess: can(actor, 'complaints:assess'),
    },
  };
}
