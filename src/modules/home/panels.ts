import type { HomeService, Panel } from './home.service.ts';

export type { Panel };
export { PANEL_ITEMS } from './context.ts';

const LATE = { text: 'Late', classes: 'govuk-tag--red' };
const OVERDUE = { text: 'Overdue', classes: 'govuk-tag--red' };
const OPEN = { text: 'Open', classes: 'govuk-tag--blue' };
const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

type PortalHome = Awaited<ReturnType<HomeService['portalHome']>>;
type StaffHome = Awaited<ReturnType<HomeService['staffHome']>>;

function enquiriesPanel(p: NonNullable<PortalHome['enquiries']>, staff: boolean): Panel {
  const parts = [
    p.overdue > 0 ? `${p.overdue.toLocaleString('en-GB')} overdue` : null,
    p.soon > 0 ? `${p.soon.toLocaleString('en-GB')} due soon` : null,
  ];
  return {
    id: 'enquiries',
    heading: staff ? 'Enquiry responses awaited on my cases' : 'Enquiries to answer',
    total: p.total,
    summary: parts.filter(Boolean).join(', ') || null,
    empty: staff ? 'No enquiry responses awaited' : 'No enquiries due',
    viewAll: staff
      ? { href: '/staff/enquiries', text: 'View all enquiries' }
      : { href: '/portal/enquiries', text: 'View all enquiries' },
    items: p.items.map((e) => ({
      href: `${staff ? '/staff' : '/portal'}/enquiries/${e.id}`,
      text: `${e.kindName} ${e.number}`,
      reference: staff ? `${e.reference}, ${e.authorityName}` : e.reference,
      dueDate: e.dueDate,
      tag: e.tag,
    })),
  };
}

function tasksPanel(p: NonNullable<PortalHome['tasks']>, own: boolean): Panel {
  return {
    id: 'tasks',
    heading: own ? 'Your tasks' : 'Tasks delegated to colleagues',
    total: p.total,
    summary: p.late > 0 ? `${p.late.toLocaleString('en-GB')} late` : null,
    empty: own ? 'No tasks are waiting for you' : 'No delegated tasks are out',
    viewAll: own
      ? { href: '/portal/enquiries', text: 'View all your enquiries' }
      : { href: '/portal/delegation', text: 'View delegation' },
    items: p.items.map((t) => ({
      href: `/portal/enquiries/${t.enquiryId}`,
      text: `${own ? 'Enquiry' : `${t.delegateName}: enquiry`} ${t.number}${t.question === null ? '' : `, question ${t.question}`}`,
      reference: t.reference,
      dueDate: t.dueDate,
      tag: t.late ? LATE : OPEN,
    })),
  };
}

function draftsPanel(p: NonNullable<PortalHome['drafts']>, staff: boolean): Panel {
  return {
    id: 'drafts',
    heading: staff ? 'Comment deadlines on my cases' : 'Drafts waiting for your comments',
    total: p.total,
    summary: p.late > 0 ? `${p.late.toLocaleString('en-GB')} past the deadline` : null,
    empty: staff ? 'No drafts are waiting for comments' : 'No drafts are waiting for your comments',
    viewAll: staff ? null : { href: '/portal/complaints', text: 'View all complaints' },
    items: p.items.map((d) => ({
      href: `${staff ? '/staff' : '/portal'}/complaints/${d.complaintId}/decision`,
      text: `${d.formName}, version ${d.version}`,
      reference: staff ? `${d.reference}, ${d.authorityName}` : d.reference,
      dueDate: d.dueDate,
      tag: d.late
        ? { text: 'Deadline passed', classes: 'govuk-tag--red' }
        : { text: 'Comments due', classes: 'govuk-tag--yellow' },
    })),
  };
}

function remediesPanel(p: NonNullable<PortalHome['remedies']>, staff: boolean): Panel {
  return {
    id: 'remedies',
    heading: staff ? 'Remedies due on my cases' : 'Remedies to carry out',
    total: p.total,
    summary: p.late > 0 ? `${p.late.toLocaleString('en-GB')} late` : null,
    empty: 'No remedies due',
    viewAll: staff
      ? { href: '/staff/remedies', text: 'View remedies' }
      : { href: '/portal/remedies', text: 'View all remedies' },
    items: p.items.map((r) => ({
      href: staff ? `/staff/complaints/${r.complaintId}/remedies` : `/portal/remedies/${r.id}`,
      text: r.typeName,
      reference: staff ? `${r.reference}, ${r.authorityName}` : r.reference,
      dueDate: r.dueDate,
      tag: r.evidenceWaiting ? { text: 'Evidence sent', classes: 'govuk-tag--grey' } : r.late ? LATE : OPEN,
    })),
  };
}

function stepsPanel(p: NonNullable<PortalHome['steps']>): Panel {
  return {
    id: 'steps',
    heading: 'Public report steps',
    total: p.total,
    summary: p.late > 0 ? `${p.late.toLocaleString('en-GB')} overdue` : null,
    empty: 'No public report steps due',
    viewAll: { href: '/portal/public-reports', text: 'View all public reports' },
    items: p.items.map((s) => ({
      href: `/portal/public-reports/${s.reportId}`,
      text: s.stepName,
      reference: s.reference,
      dueDate: s.dueDate,
      tag: s.late ? OVERDUE : OPEN,
    })),
  };
}

/** The authority's home panels in the order the page shows them: a delegate's own tasks first. */
export function portalPanels(home: PortalHome): Panel[] {
  const panels: (Panel | null)[] = [
    home.tasks && home.delegate ? tasksPanel(home.tasks, true) : null,
    home.enquiries ? enquiriesPanel(home.enquiries, false) : null,
    home.tasks && !home.delegate ? tasksPanel(home.tasks, false) : null,
    home.drafts ? draftsPanel(home.drafts, false) : null,
    home.remedies ? remediesPanel(home.remedies, false) : null,
    home.steps ? stepsPanel(home.steps) : null,
  ];
  return panels.filter((p): p is Panel => p !== null);
}

/** An investigator's panels of what is due on their cases. */
export function investigatorPanels(home: NonNullable<StaffHome['investigator']>): Panel[] {
  return [
    home.enquiries ? enquiriesPanel(home.enquiries, true) : null,
    home.drafts ? draftsPanel(home.drafts, true) : null,
    home.remedies ? remediesPanel(home.remedies, true) : null,
  ].filter((p): p is Panel => p !== null);
}

export { plural };
