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
  'audit:read': ['administrator', 'casework-manager'],
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

/** The audit form of an actor: ids and role only. */
export const auditActor = (actor: Actor) => ({ type: actor.type, id: actor.id, role: actor.roles[0] ?? null });

/** Staff must use two-factor authentication; authority users may choose to. */
export const requiresTwoFactor = (roles: readonly Role[]): boolean => roles.some(isStaffRole);
