import type { DbOrTx } from '../db/database.ts';
import { AuditTrailRepository } from './audit.repository.ts';

/**
 * Who did something: a signed-in user, an API token, or the system itself (jobs). A user is
 * recorded in the role they acted in (see `setAuditRoles`): from `roles` when given, else their
 * roles as stored; `role` is what a token acts as.
 */
export interface AuditActor {
  type: 'user' | 'token' | 'system';
  id: string | null;
  role?: string | null;
  roles?: readonly string[];
}

export interface AuditEvent {
  actor: AuditActor;
  /** Dotted verb, e.g. `user.invited`, `session.revoked-all`, `link-officer.replaced`. */
  action: string;
  recordType: string;
  recordId?: string | null;
  authorityId?: string | null;
  requestId?: string | null;
}

/** The role a person holding `roles` acted in for `action`; null when they hold none. */
export type AuditRoleOf = (action: string, roles: readonly string[]) => string | null;

let auditRoleOf: AuditRoleOf | null = null;

/**
 * Sets how a person's acting role is chosen. Which permission an action needs is the modules'
 * business (the audit module's manifest sets it when it is loaded); the platform only asks.
 */
export function setAuditRoles(roleOf: AuditRoleOf): void {
  auditRoleOf = roleOf;
}

function auditRole(action: string, roles: readonly string[]): string | null {
  if (!auditRoleOf) throw new Error('The audit roles are not set: load the audit module (setAuditRoles)');
  return auditRoleOf(action, roles);
}

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null, role: null };

/**
 * Appends one audit row. Call it with the transaction of the change it records. Ids and actions
 * only: never a name, an email, a phone number or free text.
 */
export async function writeAudit(db: DbOrTx, event: AuditEvent): Promise<void> {
  await new AuditTrailRepository(db).insert(await auditRow(db, event, new Map()));
}

/**
 * The audit row of an event, for statements that write audit rows together with the change they
 * record (many at once). `rolesOf` keeps the roles of users looked up, across the rows of one write.
 */
export async function auditRow(db: DbOrTx, event: AuditEvent, rolesOf: Map<string, readonly string[]> = new Map()) {
  const { actor } = event;
  let role = actor.role ?? null;
  if (actor.type === 'user' && actor.id !== null) {
    let roles = actor.roles ?? rolesOf.get(actor.id);
    if (!roles) {
      roles = await new AuditTrailRepository(db).rolesOf(actor.id);
      rolesOf.set(actor.id, roles);
    }
    role = auditRole(event.action, roles) ?? role;
  }
  return {
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    actor_role: role,
    action: event.action,
    record_type: event.recordType,
    record_id: event.recordId ?? null,
    authority_id: event.authorityId ?? null,
    request_id: event.requestId ?? null,
  };
}
