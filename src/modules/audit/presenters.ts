import { ROLE_NAMES, isRole } from '../accounts/domain.ts';
import type { AuditEventRow } from './audit.repository.ts';
import { auditActorText } from './domain.ts';

/** An audit log address with these filters (those left empty are left out). */
export const auditHref = (params: Record<string, string | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const s = search.toString();
  return `/staff/audit${s ? `?${s}` : ''}`;
};

type EventFields = Pick<
  AuditEventRow,
  | 'id'
  | 'occurred_at'
  | 'actor_type'
  | 'actor_name'
  | 'actor_role'
  | 'actor_authority'
  | 'actor_id'
  | 'action'
  | 'record_type'
  | 'record_id'
>;

/** One row of the audit log table: who did what to which record, with links filtering by actor and record. */
export const auditEventRow = (e: EventFields) => ({
  id: String(e.id),
  occurredAt: e.occurred_at,
  actor: auditActorText({
    type: e.actor_type,
    name: e.actor_name,
    roleName: e.actor_role === null ? null : isRole(e.actor_role) ? ROLE_NAMES[e.actor_role] : e.actor_role,
    authority: e.actor_authority,
  }),
  actorId: e.actor_id,
  actorUrl: e.actor_id ? auditHref({ actor: e.actor_id }) : null,
  action: e.action,
  recordType: e.record_type,
  recordId: e.record_id,
  recordUrl: auditHref({ recordType: e.record_type, recordId: e.record_id ?? undefined }),
});
