import { describe, expect, it } from 'vitest';
import { ROLE_NAMES } from '../accounts/domain.ts';
import { auditEventRow, auditHref } from './presenters.ts';

const event: Parameters<typeof auditEventRow>[0] = {
  id: 42,
  occurred_at: new Date('2026-03-02T10:00:00.000Z'),
  actor_type: 'user',
  actor_name: 'Morag Manager',
  actor_role: 'casework-manager',
  actor_authority: null,
  actor_id: '3f2c0000-0000-4000-8000-000000000001',
  action: 'complaint.accepted',
  record_type: 'complaint',
  record_id: '3f2c0000-0000-4000-8000-000000000002',
};

describe('auditHref', () => {
  it('leaves out the filters left empty', () => {
    expect(auditHref({})).toBe('/staff/audit');
    expect(auditHref({ action: 'a.b', actor: undefined, recordId: '' })).toBe('/staff/audit?action=a.b');
  });
});

describe('auditEventRow', () => {
  it('names the actor in the role they acted in, and links to the actor’s and the record’s events', () => {
    expect(auditEventRow(event)).toEqual({
      id: '42',
      occurredAt: event.occurred_at,
      actor: `Morag Manager (${ROLE_NAMES['casework-manager']})`,
      actorId: event.actor_id,
      actorUrl: `/staff/audit?actor=${event.actor_id}`,
      action: 'complaint.accepted',
      recordType: 'complaint',
      recordId: event.record_id,
      recordUrl: `/staff/audit?recordType=complaint&recordId=${event.record_id}`,
    });
  });

  it('keeps a role it does not know as it was recorded, and links the system to nothing', () => {
    const row = auditEventRow({ ...event, actor_type: 'token', actor_name: null, actor_role: 'retired-role' });
    expect(row.actor).toBe('API token, retired-role');
    const system = auditEventRow({ ...event, actor_type: 'system', actor_id: null, record_id: null });
    expect(system.actor).toBe('System');
    expect(system.actorUrl).toBeNull();
    expect(system.recordUrl).toBe('/staff/audit?recordType=complaint');
  });
});
