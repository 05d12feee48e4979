import type { DirectoryQuery } from './authorities.schemas.ts';
import type { AuthorityDetail } from './authorities.service.ts';
import { AUTHORITY_KINDS, KIND_NAMES, REGIONS, SERVICE_AREAS, SERVICE_AREA_NAMES } from './domain.ts';

/** A kept form value as the text it was, or nothing. */
const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The query string for the directory's filters, without the cursor, plus any extra parameters. */
export function filterQueryString(query: DirectoryQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.kind) params.set('kind', query.kind);
  if (query.region) params.set('region', query.region);
  if (query.status) params.set('status', query.status);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The "selected filters" panel of the MOJ filter: one removable tag per filter applied. */
export function selectedFilters(query: DirectoryQuery) {
  const without = (key: keyof DirectoryQuery) =>
    `/staff/authorities${filterQueryString({ ...query, [key]: undefined, ...(key === 'q' ? { q: '' } : {}) })}`;
  const categories: { heading: { text: string }; items: { href: string; text: string }[] }[] = [];
  if (query.q)
    categories.push({ heading: { text: 'Name or reference' }, items: [{ href: without('q'), text: query.q }] });
  if (query.kind)
    categories.push({ heading: { text: 'Kind' }, items: [{ href: without('kind'), text: KIND_NAMES[query.kind] }] });
  if (query.region)
    categories.push({ heading: { text: 'Region' }, items: [{ href: without('region'), text: query.region }] });
  if (query.status)
    categories.push({
      heading: { text: 'Status' },
      items: [{ href: without('status'), text: query.status === 'active' ? 'Open' : 'Closed' }],
    });
  return categories.length > 0
    ? {
        heading: { text: 'Selected filters' },
        clearLink: { text: 'Clear filters', href: '/staff/authorities' },
        categories,
      }
    : null;
}

/** The kinds of authority as select options, after a blank one; `selected` may be a kept form value. */
export const kindItems = (selected: unknown, blank: string) => {
  const kind = textOf(selected);
  return [
    { value: '', text: blank, selected: !kind },
    ...AUTHORITY_KINDS.map((k) => ({ value: k, text: KIND_NAMES[k], selected: kind === k })),
  ];
};

/** The regions as select options, after a blank one; `selected` may be a kept form value. */
export const regionItems = (selected: unknown, blank: string) => {
  const region = textOf(selected);
  return [
    { value: '', text: blank, selected: !region },
    ...REGIONS.map((r) => ({ value: r, text: r, selected: region === r })),
  ];
};

/** The service areas as select options, after a blank one; `selected` may be a kept form value. */
export const serviceAreaItems = (selected: unknown) => {
  const area = textOf(selected);
  return [
    { value: '', text: 'Select a service area', selected: !area },
    ...SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a], selected: area === a })),
  ];
};

/** The authority form's values from a stored authority (for the edit page). */
export function formValues(a: AuthorityDetail): Record<string, string> {
  return {
    name: a.name,
    kind: a.kind,
    reference: a.reference ?? '',
    address: a.address ?? '',
    region: a.region ?? '',
    genericInbox: a.genericInbox ?? '',
    ceTitle: a.chiefExecutive?.title ?? '',
    ceName: a.chiefExecutive?.name ?? '',
    ceJobTitle: a.chiefExecutive?.jobTitle ?? '',
    ceEmail: a.chiefExecutive?.email ?? '',
    moTitle: a.monitoringOfficer?.title ?? '',
    moName: a.monitoringOfficer?.name ?? '',
    moJobTitle: a.monitoringOfficer?.jobTitle ?? '',
    moEmail: a.monitoringOfficer?.email ?? '',
    leaderTitle: a.leader?.title ?? '',
    leaderName: a.leader?.name ?? '',
    leaderJobTitle: a.leader?.jobTitle ?? '',
    leaderEmail: a.leader?.email ?? '',
    scrutinyTitle: a.scrutinyChair?.title ?? '',
    scrutinyName: a.scrutinyChair?.name ?? '',
    scrutinyJobTitle: a.scrutinyChair?.jobTitle ?? '',
    scrutinyEmail: a.scrutinyChair?.email ?? '',
  };
}

/** What a form shows: what was typed when it came back with errors, else the record as stored. */
export const shownValues = (
  typed: Record<string, unknown> | undefined,
  stored: () => Record<string, unknown>,
): Record<string, unknown> => (typed && Object.keys(typed).length > 0 ? typed : stored());

/** The head of service form's values from a stored head of service. */
export const headValues = (head: AuthorityDetail['headsOfService'][number]): Record<string, string> => ({
  serviceArea: head.serviceArea ?? '',
  title: head.title ?? '',
  name: head.name,
  jobTitle: head.jobTitle,
  email: head.email,
});

/** The service areas without a head of service. */
export const missingAreas = (authority: Pick<AuthorityDetail, 'headsOfService'>) =>
  SERVICE_AREAS.filter((a) => !authority.headsOfService.some((h) => h.serviceArea === a));

/**
 * A cell that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return at the start)
 * is prefixed with an apostrophe, so an exported file is inert when opened.
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
