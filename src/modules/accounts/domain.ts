/**
 * Roles, permissions and the actor every service call is made by. Pure: no I/O.
 */

export const STAFF_ROLES = [
  'administrator',
  'intake-officer',
  'investigator',
  'team-coordinator',
  'casework-manager',
  'relationship-lead',
] as const;
export const AUTHORITY_ROLES = ['link-officer', 'delegate', 'senior-officer'] as const;
export const ROLES = [...STAFF_ROLES, ...AUTHORITY_ROLES] as const;

export type StaffRole = (typeof STAFF_ROLES)[number];
export type AuthorityRole = (typeof AUTHORITY_ROLES)[number];
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  administrator: 'Administrator',
  'intake-officer': 'Intake and assessment officer',
  investigator: 'Investigator',
  'team-coordinator': 'Team coordinator',
  'casework-manager': 'Casework manager',
  'relationship-lead': 'Relationship lead',
  'link-officer': 'Link officer',
  delegate: 'Delegate',
  'senior-officer': 'Senior officer',
};

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
export const isStaffRole = (role: Role): role is StaffRole => (STAFF_ROLES as readonly string[]).includes(role);
export const isAuthorityRole = (role: Role): role is AuthorityRole =>
  (AUTHORITY_ROLES as readonly string[]).includes(role);

/**
 * Every permission a route or a service checks, with the roles that hold it. Add a permission here
 * when a module needs one; the route × role test reads this table.
 */
export const PERMISSIONS = {
  'staff:home': STAFF_ROLES,
  'portal:home': AUTHORITY_ROLES,
  'users:manage': ['administrator'],
  'tokens:manage': ['administrator'],
  'outbox:read': ['administrator'],
  'outbox:resend': ['administrator'],
  'audit:read': ['administrator', 'casework-manager'],
  'authorities:read': STAFF_ROLES,
  'authorities:manage': ['relationship-lead', 'administrator'],
  'authorities:import': ['relationship-lead', 'administrator'],
  /** An authority's own contacts (address, generic inbox, senior officers), changed in the portal. */
  'authorities:contacts': ['link-officer', 'senior-officer'],
  'link-officers:read': STAFF_ROLES,
  'link-officers:manage': ['relationship-lead', 'administrator'],
  'link-officers:delegate': ['link-officer'],
  'enquiries:read': STAFF_ROLES,
  'enquiries:send': ['investigator', 'casework-manager'],
  'enquiries:portal': ['link-officer', 'delegate'],
  'enquiries:delegate': ['link-officer'],
  'complaints:read': STAFF_ROLES,
  'complaints:intake': ['intake-officer', 'casework-manager', 'administrator'],
  'complaints:assess': ['intake-officer', 'casework-manager'],
  'complaints:investigate': ['investigator', 'casework-manager'],
  'portal:complaints': AUTHORITY_ROLES,
  'decisions:write': ['investigator', 'casework-manager'],
  'decisions:review': ['casework-manager'],
  'decisions:portal': ['link-officer', 'delegate', 'senior-officer'],
  'remedies:read': STAFF_ROLES,
  'remedies:review': ['team-coordinator', 'casework-manager'],
  'remedies:escalate': ['casework-manager'],
  'remedies:portal': ['link-officer', 'delegate', 'senior-officer'],
  'public-reports:manage': ['investigator', 'casework-manager'],
  'public-reports:portal': ['link-officer', 'senior-officer'],
  'findings:portal': ['link-officer', 'senior-officer'],
  'holding-pen:triage': ['intake-officer', 'investigator', 'team-coordinator', 'casework-manager', 'administrator'],
  /** Training: courses and sessions, every booking, the finance export and the list of authorities to invite. */
  'training:manage': ['relationship-lead', 'administrator'],
  /** Staff see the training offered and, as a session's trainer, keep its register. */
  'training:read': STAFF_ROLES,
  /** Authority users book places for themselves and colleagues, and see their authority's training. */
  'training:book': AUTHORITY_ROLES,
  /** The public pages' analytics: visits per day and the most viewed pages (aggregates only). */
  'analytics:read': ['relationship-lead', 'administrator'],
  /** Publications (drafts, publishing, corrections, withdrawal) and the public pages' own text. */
  'publications:edit': ['relationship-lead', 'casework-manager'],
  /** The Ombudsman Link newsletter: subscribers, composing, sending and its reports. */
  'newsletter:manage': ['relationship-lead', 'administrator'],
  /** People across cases: linking parties of several complaints that are the same person. */
  'people:link': ['intake-officer', 'investigator', 'casework-manager'],
  /** Warnings and contact restrictions for unreasonable behaviour, and their reviews. */
  'conduct:manage': ['casework-manager'],
  /** The authority's own stage 1 and stage 2 complaints log, imports and oversight. */
  'local-complaints:manage': ['link-officer', 'delegate'],
  'local-complaints:read': AUTHORITY_ROLES,
  /** Performance statistics: the publication date of a year's figures and the annual review letters. */
  'statistics:manage': ['relationship-lead', 'administrator'],
  /** A year's figures before they are published (staff, and the authority its own). */
  'statistics:read': [...STAFF_ROLES, ...AUTHORITY_ROLES],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Who is acting: a signed-in user or an API token. Services authorise against this. */
export interface Actor {
  type: 'user' | 'token';
  id: string;
  roles: readonly Role[];
  /** The authority an authority user or token belongs to; null for ombudsman staff. */
  authorityId: string | null;
  requestId?: string | null;
}

export function can(actor: Actor | null, permission: Permission): boolean {
  if (!actor) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return actor.roles.some((r) => allowed.includes(r));
}

export const isStaff = (actor: Actor | null): boolean =>
  !!actor && actor.authorityId === null && actor.roles.some(isStaffRole);

/**
 * The audit form of an actor: ids and roles only. `writeAudit` records a person in the role whose
 * permission allowed the action; `role` is what a token acts as.
 */
export const auditActor = (actor: Actor) => ({
  type: actor.type,
  id: actor.id,
  role: actor.roles[0] ?? null,
  roles: actor.roles,
});

/**
 * The audit event of something `actor` did through a request (the system's, when null: a job or a
 * link followed), with the request's id: what every module's audit rows are made from.
 */
export const auditEventBy = (
  actor: Actor | null,
  action: string,
  record: { type: string; id: string | null; authorityId?: string | null },
) => ({
  actor: actor ? auditActor(actor) : { type: 'system' as const, id: null, role: null },
  action,
  recordType: record.type,
  recordId: record.id,
  authorityId: record.authorityId ?? null,
  requestId: actor?.requestId ?? null,
});

/** Staff must use two-factor authentication; authority users may choose to. */
export const requiresTwoFactor = (roles: readonly Role[]): boolean => roles.some(isStaffRole);

/** The roles that fit an account: authority roles for authority users, staff roles otherwise. */
export const rolesForAccount = (authorityId: string | null): readonly Role[] =>
  authorityId === null ? STAFF_ROLES : AUTHORITY_ROLES;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1000;

/**
 * Checks a new password: long enough, not absurdly long, and not the account's email address.
 * Returns the problem to show, or null when the password is acceptable.
 */
export function newPasswordProblem(password: string, email: string): string | null {
  if (password.length === 0) return 'Enter a password';
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be ${PASSWORD_MIN_LENGTH} characters or more`;
  if (password.length > PASSWORD_MAX_LENGTH) return 'Password must be 1,000 characters or fewer';
  const bare = password.trim().toLowerCase();
  const address = email.trim().toLowerCase();
  if (bare === address || (address.includes('@') && bare === address.split('@')[0]))
    return 'Password must not be your email address';
  return null;
}

/** What a one-time link can be when someone opens it. */
export type LinkState = 'valid' | 'used' | 'expired' | 'unknown';

export function linkState(link: { expires_at: Date; used_at: Date | null } | undefined, now: Date): LinkState {
  if (!link) return 'unknown';
  if (link.used_at) return 'used';
  if (link.expires_at <= now) return 'expired';
  return 'valid';
}

/** Groups a base32 secret in fours so a person can type it into an authenticator app. */
export const formatSecretForTyping = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

/** A position in the user list, ordered by lower(display_name) then id. */
export interface UserCursor {
  name: string;
  id: string;
}

export function encodeCursor(cursor: UserCursor): string {
  return Buffer.from(JSON.stringify([cursor.name, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(value: string | undefined): UserCursor | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed[1])
    ) {
      return { name: parsed[0], id: parsed[1] };
    }
  } catch {
    // Not a cursor this service made: treat as the first page.
  }
  return null;
}
