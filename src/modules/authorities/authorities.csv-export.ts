import { ALL_COLUMN_NAMES, HEAD_OF_SERVICE_GROUPS } from './authorities.csv.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from './domain.ts';

/** Writing the directory's CSV format: an authority as a record of the export, and the template. Pure: no I/O. */

/** A senior officer as the export writes one. */
interface ExportedOfficer {
  title: string | null;
  name: string;
  jobTitle: string;
  email: string;
}

/** An authority with its senior officers, as the export writes it. */
export interface ExportedAuthority {
  name: string;
  kind: string;
  reference: string | null;
  address: string | null;
  region: string | null;
  active: boolean;
  genericInbox: string | null;
  chiefExecutive: ExportedOfficer | null;
  monitoringOfficer: ExportedOfficer | null;
  headsOfService: (ExportedOfficer & { serviceArea: ServiceArea | null })[];
}

function officerCells(prefix: string, officer: ExportedOfficer | null | undefined): [string, string][] {
  return [
    [`${prefix}title`, officer?.title ?? ''],
    [`${prefix}name`, officer?.name ?? ''],
    [`${prefix}job_title`, officer?.jobTitle ?? ''],
    [`${prefix}email`, officer?.email ?? ''],
  ];
}

/** One authority as a record of the export, in the order of ALL_COLUMN_NAMES. */
export function exportRecord(a: ExportedAuthority): string[] {
  const cells = new Map<string, string>([
    ['name', a.name],
    ['kind', a.kind],
    ['reference', a.reference ?? ''],
    ['address', a.address ?? ''],
    ['region', a.region ?? ''],
    ['status', a.active ? 'open' : 'closed'],
    ['generic_inbox', a.genericInbox ?? ''],
    ...officerCells('chief_executive_', a.chiefExecutive),
    ...officerCells('monitoring_officer_', a.monitoringOfficer),
    ...HEAD_OF_SERVICE_GROUPS.flatMap((g) =>
      officerCells(
        g.prefix,
        a.headsOfService.find((h) => h.serviceArea === g.area),
      ),
    ),
  ]);
  return ALL_COLUMN_NAMES.map((c) => cells.get(c) ?? '');
}

/**
 * The template a user downloads: every column, and one example authority with two of its heads of
 * service (the other service areas' columns are empty).
 */
export function templateRows(): string[][] {
  const example = (area: ServiceArea, name: string) => ({
    serviceArea: area,
    title: null,
    name,
    jobTitle: `Head of ${SERVICE_AREA_NAMES[area]}`,
    email: `${area}@example-district.example`,
  });
  return [
    [...ALL_COLUMN_NAMES],
    exportRecord({
      name: 'Example District Council',
      kind: 'district',
      reference: 'E07000999',
      address: 'Council Offices, High Street, Exampleton, EX1 1AA',
      region: 'South East',
      active: true,
      genericInbox: 'ombudsman@example-district.example',
      chiefExecutive: {
        title: 'Ms',
        name: 'Jane Example',
        jobTitle: 'Chief Executive',
        email: 'chief.executive@example-district.example',
      },
      monitoringOfficer: {
        title: 'Mr',
        name: 'John Example',
        jobTitle: 'Monitoring Officer',
        email: 'monitoring.officer@example-district.example',
      },
      headsOfService: [example('housing', 'Sam Example'), example('planning', 'Alex Example')],
    }),
  ];
}
