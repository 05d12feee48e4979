import type { AuthorityRow, DirectoryRow, OfficerRow } from './authorities.repository.ts';
import type { HeadOfServiceInput, OfficerInput } from './authorities.schemas.ts';
import {
  KIND_NAMES,
  SERVICE_AREAS,
  SERVICE_AREA_NAMES,
  isAuthorityKind,
  isServiceArea,
  type AuthorityKind,
  type OfficerRole,
  type Region,
  type ServiceArea,
} from './domain.ts';

// Authorities and their senior officers as pages, the API and other modules see them, and the
// mapping from the repository's rows.

export interface Authority {
  id: string;
  name: string;
  kind: AuthorityKind;
  kindName: string;
  reference: string | null;
  address: string | null;
  region: string | null;
  genericInbox: string | null;
  /** Since when mail to the generic inbox bounces, with the delivery status; null when it does not. */
  genericInboxBouncing: Bouncing | null;
  active: boolean;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An authority offered by a form's authority field, with what tells it from others of a like name. */
export interface AuthorityChoice {
  id: string;
  name: string;
  /** Its kind, and its reference when it has one. */
  description: string;
}

export interface AuthorityPicker {
  /** The words searched for, as typed. */
  search: string;
  choices: AuthorityChoice[];
  /** More authorities match than are offered: the search needs more of the name. */
  more: boolean;
}

/** A permanent delivery failure recorded on an address, until the address changes. */
export interface Bouncing {
  since: Date;
  /** The enhanced status code of the failure, e.g. 5.1.1. */
  status: string | null;
}

export interface SeniorOfficer {
  id: string;
  authorityId: string;
  role: OfficerRole;
  serviceArea: ServiceArea | null;
  serviceAreaName: string | null;
  title: string | null;
  name: string;
  jobTitle: string;
  email: string;
  /** Since when mail to this officer bounces; null when it does not. */
  bouncing: Bouncing | null;
}

export interface AuthorityDetail extends Authority {
  /** The addressee of every letter. Always present for an authority made through this service. */
  chiefExecutive: SeniorOfficer | null;
  monitoringOfficer: SeniorOfficer | null;
  leader: SeniorOfficer | null;
  scrutinyChair: SeniorOfficer | null;
  headsOfService: SeniorOfficer[];
}

/**
 * A change to an authority through the API: only the fields given change. Null clears an optional
 * field (`monitoringOfficer: null` removes the monitoring officer).
 */
export interface AuthorityChanges {
  name?: string;
  kind?: AuthorityKind;
  reference?: string | null;
  address?: string | null;
  region?: Region | null;
  genericInbox?: string | null;
  chiefExecutive?: OfficerInput;
  monitoringOfficer?: OfficerInput | null;
  leader?: OfficerInput | null;
  scrutinyChair?: OfficerInput | null;
  /** The whole set of heads of service: a service area left out loses its head. */
  headsOfService?: HeadOfServiceInput[];
  /** False closes the authority; true reopens it. */
  active?: boolean;
}

export interface DirectoryEntry {
  id: string;
  name: string;
  kind: AuthorityKind;
  kindName: string;
  reference: string | null;
  region: string | null;
  active: boolean;
}

export interface DirectoryPage {
  items: DirectoryEntry[];
  /** How many authorities match the search and filters, across all pages. */
  count: number;
  nextCursor: string | null;
  previousCursor: string | null;
}

/** A stored kind, read as one of the kinds the directory knows. */
const asKind = (kind: string): AuthorityKind => (isAuthorityKind(kind) ? kind : 'other-public-body');

/** An authority as a row of the directory. */
export function toEntry(row: Omit<DirectoryRow, 'sort_name'>): DirectoryEntry {
  const kind = asKind(row.kind);
  return {
    id: row.id,
    name: row.name,
    kind,
    kindName: KIND_NAMES[kind],
    reference: row.reference,
    region: row.region,
    active: row.active,
  };
}

export const toChoice = (a: { id: string; name: string; kind: string; reference: string | null }): AuthorityChoice => ({
  id: a.id,
  name: a.name,
  description: [KIND_NAMES[asKind(a.kind)], a.reference].filter(Boolean).join(', '),
});

const bouncing = (since: Date | null, status: string | null): Bouncing | null => (since ? { since, status } : null);

export function toAuthority(row: AuthorityRow): Authority {
  const kind = asKind(row.kind);
  return {
    id: row.id,
    name: row.name,
    kind,
    kindName: KIND_NAMES[kind],
    reference: row.reference,
    address: row.address,
    region: row.region,
    genericInbox: row.generic_inbox,
    genericInboxBouncing: bouncing(row.generic_inbox_failing_since, row.generic_inbox_bounce_status),
    active: row.active,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toOfficer(row: OfficerRow): SeniorOfficer {
  const area = row.service_area !== null && isServiceArea(row.service_area) ? row.service_area : null;
  return {
    id: row.id,
    authorityId: row.authority_id,
    role: row.role,
    serviceArea: area,
    serviceAreaName: area ? SERVICE_AREA_NAMES[area] : null,
    title: row.title,
    name: row.name,
    jobTitle: row.job_title,
    email: row.email,
    bouncing: bouncing(row.failing_since, row.bounce_status),
  };
}

const ROLE_ORDER: Record<OfficerRole, number> = {
  'chief-executive': 0,
  'monitoring-officer': 1,
  leader: 2,
  'scrutiny-chair': 3,
  'head-of-service': 4,
};

/** Senior officers in the directory's order: chief executive, monitoring officer, leader, scrutiny chair, then heads of service by area. */
export function sortedOfficers(rows: OfficerRow[]): SeniorOfficer[] {
  return rows
    .map(toOfficer)
    .sort(
      (a, b) =>
        ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
        SERVICE_AREAS.indexOf(a.serviceArea ?? 'adult-social-care') -
          SERVICE_AREAS.indexOf(b.serviceArea ?? 'adult-social-care'),
    );
}

export function withOfficers(authority: Authority, rows: OfficerRow[]): AuthorityDetail {
  const officers = sortedOfficers(rows);
  return {
    ...authority,
    chiefExecutive: officers.find((o) => o.role === 'chief-executive') ?? null,
    monitoringOfficer: officers.find((o) => o.role === 'monitoring-officer') ?? null,
    leader: officers.find((o) => o.role === 'leader') ?? null,
    scrutinyChair: officers.find((o) => o.role === 'scrutiny-chair') ?? null,
    headsOfService: officers.filter((o) => o.role === 'head-of-service'),
  };
}
