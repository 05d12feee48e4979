/**
 * The authority directory: kinds, regions, senior officer roles and service areas, the search words
 * rule and the directory cursor. Pure: no I/O.
 */

export const AUTHORITY_KINDS = [
  'county',
  'district',
  'unitary',
  'metropolitan',
  'london-borough',
  'combined-authority',
  'national-park',
  'fire-and-rescue',
  'admission-appeal-panel',
  'transport',
  'other-public-body',
  'care-provider',
] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

export const KIND_NAMES: Record<AuthorityKind, string> = {
  county: 'County',
  district: 'District',
  unitary: 'Unitary',
  metropolitan: 'Metropolitan borough',
  'london-borough': 'London borough',
  'combined-authority': 'Combined authority',
  'national-park': 'National park',
  'fire-and-rescue': 'Fire and rescue',
  'admission-appeal-panel': 'School admission appeal panel',
  transport: 'Transport body',
  'other-public-body': 'Other public body',
  'care-provider': 'Adult social care provider',
};

export const isAuthorityKind = (value: string): value is AuthorityKind =>
  (AUTHORITY_KINDS as readonly string[]).includes(value);

/** A kind from its id or its name, in any letter case ("London borough" or "london-borough"). */
export function kindFrom(value: string): AuthorityKind | null {
  const v = value.trim().toLowerCase();
  if (isAuthorityKind(v)) return v;
  const found = AUTHORITY_KINDS.find((k) => KIND_NAMES[k].toLowerCase() === v);
  return found ?? null;
}

/** The regions of England, as the directory records them. */
export const REGIONS = [
  'East Midlands',
  'East of England',
  'London',
  'North East',
  'North West',
  'South East',
  'South West',
  'West Midlands',
  'Yorkshire and the Humber',
] as const;
export type Region = (typeof REGIONS)[number];

/** A region in its recorded spelling, from any letter case; null when it is not a region. */
export function regionFrom(value: string): Region | null {
  const v = value.trim().toLowerCase();
  return REGIONS.find((r) => r.toLowerCase() === v) ?? null;
}

export const OFFICER_ROLES = [
  'chief-executive',
  'monitoring-officer',
  'head-of-service',
  'leader',
  'scrutiny-chair',
] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];

export const OFFICER_ROLE_NAMES: Record<OfficerRole, string> = {
  'chief-executive': 'Chief executive',
  'monitoring-officer': 'Monitoring officer',
  'head-of-service': 'Head of service',
  leader: 'Leader of the council',
  'scrutiny-chair': 'Chair of scrutiny',
};

export const SERVICE_AREAS = [
  'adult-social-care',
  'childrens-services',
  'education',
  'housing',
  'planning',
  'highways-transport',
  'benefits-tax',
  'environmental-services',
  'corporate-other',
] as const;
export type ServiceArea = (typeof SERVICE_AREAS)[number];

export const SERVICE_AREA_NAMES: Record<ServiceArea, string> = {
  'adult-social-care': 'Adult social care',
  'childrens-services': 'Children’s services',
  education: 'Education',
  housing: 'Housing',
  planning: 'Planning',
  'highways-transport': 'Highways and transport',
  'benefits-tax': 'Benefits and tax',
  'environmental-services': 'Environmental services',
  'corporate-other': 'Corporate and other services',
};

export const isServiceArea = (value: string): value is ServiceArea =>
  (SERVICE_AREAS as readonly string[]).includes(value);

const ALL_SERVICES: readonly ServiceArea[] = SERVICE_AREAS;
const SERVICES_BY_KIND: Record<AuthorityKind, readonly ServiceArea[]> = {
  // Two-tier areas: the county runs care, children's services, schools, roads and waste disposal…
  county: [
    'adult-social-care',
    'childrens-services',
    'education',
    'highways-transport',
    'environmental-services',
    'corporate-other',
  ],
  // …the district runs housing, planning, benefits and council tax, and bin collections.
  district: ['housing', 'planning', 'benefits-tax', 'environmental-services', 'corporate-other'],
  unitary: ALL_SERVICES,
  metropolitan: ALL_SERVICES,
  'london-borough': ALL_SERVICES,
  'combined-authority': ['highways-transport', 'planning', 'corporate-other'],
  'national-park': ['planning', 'corporate-other'],
  'fire-and-rescue': ['corporate-other'],
  'admission-appeal-panel': ['education', 'corporate-other'],
  transport: ['highways-transport', 'corporate-other'],
  'other-public-body': ALL_SERVICES,
  'care-provider': ['adult-social-care', 'corporate-other'],
};

/**
 * The service areas an authority of `kind` runs, in the order of SERVICE_AREAS: a district council
 * has no adult social care, children's services or education (the county runs them), a county no
 * housing, planning or council tax (its districts do); single-tier councils run them all.
 */
export const servicesRunBy = (kind: AuthorityKind): readonly ServiceArea[] => SERVICES_BY_KIND[kind];

/**
 * The prefix query for a search text: each word of letters or digits must begin a word of the
 * name or reference. Digits joined by a hyphen are one word, as the index keeps them (so a care
 * regulator's location id, 1-100000123, is found as typed). Only letters and digits reach the
 * query, so no text can change its syntax. Returns null when the text has no words.
 */
export function searchQuery(text: string): string | null {
  const words =
    text
      .toLowerCase()
      .replace(/([0-9])-(?=[0-9])/g, '$1')
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 8) ?? [];
  return words.length === 0 ? null : words.map((w) => `${w}:*`).join(' & ');
}

/** Where a page of the directory starts: after (or, going back, before) this name and id. */
export interface DirectoryCursor {
  name: string;
  id: string;
  direction: 'next' | 'previous';
}

export function encodeDirectoryCursor(cursor: DirectoryCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.direction === 'next' ? 'n' : 'p', cursor.name, cursor.id]),
    'utf8',
  ).toString('base64url');
}

/** Reads a cursor this service made; anything else is the first page. */
export function decodeDirectoryCursor(value: string | undefined | null): DirectoryCursor | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      (parsed[0] === 'n' || parsed[0] === 'p') &&
      typeof parsed[1] === 'string' &&
      typeof parsed[2] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed[2])
    ) {
      return { direction: parsed[0] === 'n' ? 'next' : 'previous', name: parsed[1], id: parsed[2] };
    }
  } catch {
    // Not a cursor this service made.
  }
  return null;
}
