import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, createSession, createUser } from '../support/factories.ts';

const clock = new FixedClock(new Date('2027-03-01T10:00:00Z'));
let t: TestApp;
let authorityId = '';
const tokens: Record<string, Record<string, string>> = {};

const signIn = async (role: Role) => {
  const user = await createUser(t.services, { role });
  return new TestClient(t.app).withSession(await createSession(t.db, user.id, clock.now()));
};

const api = (method: 'GET' | 'POST', url: string, who: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: tokens[who] ?? {}, ...(payload ? { payload } : {}) });

interface Detail {
  complainant: { personId: string | null } | null;
  representative: { personId: string | null } | null;
  restriction: unknown;
}
const detail = async (id: string) => (await api('GET', `/complaints/${id}`, 'manager')).json<Detail>();

/** A complaint received with these contact details; `null` actor: as the public form receives it. */
async function receive(
  complainant: { name?: string; email?: string | null; phone?: string | null },
  options: { representative?: boolean; publicForm?: boolean } = {},
) {
  const input = complaintInput(authorityId, {
    complainant,
    ...(options.representative
      ? {
          representative: {
            name: 'Rae Advocate',
            email: 'rae@advocacy.example',
            phone: null,
            address: null,
            communicationNeeds: null,
            relationship: 'Advocate',
          },
        }
      : {}),
    ...(options.publicForm ? { channel: 'online' as const } : {}),
  });
  // The public form receives with no actor: the complaint starts as received, as it does there.
  return t.services.complaints.receive(null, input);
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  authorityId = await createAuthority(t.db, { name: 'Testham' });
  for (const role of ['casework-manager', 'relationship-lead'] as const) {
    const created = await t.services.apiTokens.createFromCommandLine({
      name: `people-${role}`,
      role,
      authorityId: null,
    });
    tokens[role === 'casework-manager' ? 'manager' : 'lead'] = { authorization: `Bearer ${created.token}` };
  }
});

afterAll(async () => {
  await t.close();
});

describe('people across cases', () => {
  it('gives every party a person of its own; an authority never sees it', async () => {
    const c = await receive({ name: 'Kim Lowe', email: 'kim@home.example' }, { representative: true });
    const staff = await detail(c.id);
    expect(staff.complainant?.personId).toMatch(/^[0-9a-f-]{36}$/);
    expect(staff.representative?.personId).toMatch(/^[0-9a-f-]{36}$/);
    expect(staff.representative?.personId).not.toBe(staff.complainant?.personId);
    expect(staff.restriction).toBeNull();
  });

  it('suggests a party with the same phone number written differently, and refuses to unlink the only case', async () => {
    const first = await receive({ name: 'Lee Park', phone: '07700 900123' });
    const second = await receive({ name: 'L. Park', phone: '+44 7700 900123' });
    const person = (await detail(first.id)).complainant?.personId ?? '';
    const manager = await signIn('casework-manager');
    const page = await manager.get(`/staff/people/${person}`);
    expect(page.body).toContain(second.reference);
    expect(page.body).toContain('L. Park');

    const party = await t.db.kysely
      .selectFrom('complaint_parties')
      .select('id')
      .where('complaint_id', '=', first.id)
      .executeTakeFirstOrThrow();
    const refused = await manager.post(`/staff/people/${person}/unlink/${party.id}`, {});
    const back = await manager.get(refused.headers.location as string);
    expect(back.body).toContain('This is the person’s only case: there is nothing to unlink');

    const lead = await signIn('relationship-lead');
    expect((await lead.post(`/staff/people/${person}/unlink/${party.id}`, {})).statusCode).toBe(403);
  });

  it('keeps a restricted person whole, and marks a public form complaint from their address for intake', async () => {
    const first = await receive({ name: 'Sam Idris', email: 'sam.idris@home.example' });
    const person = (await detail(first.id)).complainant?.personId ?? '';
    const restricted = await api('POST', `/people/${person}/restrictions`, 'manager', {
      kind: 'restriction',
      reason: 'Threats to an officer on the phone on 12 February.',
      channels: ['post'],
      staffSafetyRisk: true,
      noWarningReason: 'An officer was threatened',
      reviewDate: '2027-09-01',
    });
    expect(restricted.statusCode).toBe(201);

    // Their only party may not be moved to another person: the restriction would be left behind.
    const other = await receive({ name: 'Someone Else', email: 'else@home.example' });
    const otherPerson = (await detail(other.id)).complainant?.personId ?? '';
    const theirParty = await t.db.kysely
      .selectFrom('complaint_parties')
      .select('id')
      .where('complaint_id', '=', first.id)
      .executeTakeFirstOrThrow();
    const manager = await signIn('casework-manager');
    const moved = await manager.post(`/staff/people/${otherPerson}/link/${theirParty.id}`, { checked: 'yes' });
    const back = await manager.get(moved.headers.location as string);
    expect(back.body).toContain('link the other way');
    expect((await detail(first.id)).complainant?.personId).toBe(person);

    // The public form accepts their new complaint; intake sees that it may be them.
    const fresh = await receive({ name: 'Sam Idris', email: 'SAM.IDRIS@home.example' }, { publicForm: true });
    expect(fresh.status).toBe('received');
    const queue = await manager.get('/staff/assessment');
    expect(queue.body).toContain(fresh.reference);
    expect(queue.body).toContain('May be restricted');
    const casePage = await manager.get(`/staff/complaints/${fresh.id}`);
    expect(casePage.body).toContain('A party may be a person whose contact is restricted');
    expect(casePage.body).toContain(`/staff/people/${person}`);

    // Once linked, the restriction itself shows on the new case.
    const freshParty = await t.db.kysely
      .selectFrom('complaint_parties')
      .select('id')
      .where('complaint_id', '=', fresh.id)
      .executeTakeFirstOrThrow();
    await manager.post(`/staff/people/${person}/link/${freshParty.id}`, { checked: 'yes' });
    const linked = await manager.get(`/staff/complaints/${fresh.id}`);
    expect(linked.body).toContain('Contact with this person is restricted');
    expect(linked.body).toContain('Contact by post only');
  });
});
