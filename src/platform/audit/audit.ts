import type { DbOrTx } from '../db/database.ts';

/** Who did something: a signed-in user, an API token, or the system itself (jobs). */
export interface AuditActor {
  type: 'user' | 'token' | 'system';
  id: string | null;
  role?: string | null;
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

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null, role: null };

/**
 * Appends one audit row. Call it with the transaction of the change it records. Ids and actions
 * only: never a name, an email, a phone number or free text.
 */
export async function writeAudit(db: DbOrTx, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      actor_role: event.actor.role ?? null,
      action: event.action,
      record_type: event.recordType,
      record_id: event.recordId ?? null,
      authority_id: event.authorityId ?? null,
      request_id: event.requestId ?? null,
    })
    .execute();
}
