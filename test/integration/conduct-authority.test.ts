import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';
import { authorityWithOfficers, createComplaint } from './correspondence.fixtures.ts';

const clock = new FixedClock(new Date('2027-03-02T10:00:00Z'));
let t: TestApp;
let manager: TestClient;
let managerId = '';
let officerId = '';
let token: Record<string, string> = {};

const signIn = async (userId: string) =>
  new TestClient(t.app).withSession(await createSession(t.db, userId, clock.now()));

async function personOf(complaintId: string): Promise<string> {
  const party = await t.db.kysely
    .selectFrom('complaint_parties as p')
    .innerJoin('person_parties as pp', 'pp.party_id', 'p.id')
    .select('pp.person_id')
    .where('p.complaint_id', '=', complaintId)
    .where('p.role', '=', 'complainant')
    .executeTakeFirstOrThrow();
  return party.person_id;
}

const record = (personId: string, payload: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/people/${personId}/restrictions`,
    headers: token,
    payload: {
      kind: 'restriction',
      reason: 'Abusive calls to the intake team on 3, 10 and 17 February.',
      staffSafetyRisk: true,
      noWarningReason: 'Staff were threatened',
      reviewDate: '2027-08-01',
      ...payload,
    },
  });

beforeAll(async () => {
  t = await createTestApp({ clock });
  managerId = (await createUser(t.services, { role: 'casework-manager' })).id;
  manager = await signIn(managerId);
  officerId = (await createUser(t.services, { role: 'investigator', displayName: 'Ola Point' })).id;
  const created = await t.services.apiTokens.createFromCommandLine({
    name: 'conduct-authority',
    role: 'casework-manager',
    authorityId: null,
  });
  token = { authorization: `Bearer ${created.token}` };
});

afterAll(async () => {
  await t.close();
});

describe('the authority told of a named contact', () => {
  it('shows the authority only that contact goes through the named officer, and only when the ombudsman decided so', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'tess.told@home.example');
    await t.db.kysely.updateTable('complaints').set({ status: 'investigation' }).where('id', '=', c.id).execute();
    const linkOfficer = await createUser(t.services, { role: 'link-officer', authorityId: a.authorityId });
    const portal = await signIn(linkOfficer.id);
    const person = await personOf(c.id);

    // Telling the authority needs a named officer.
    const none = await record(person, { channels: ['email'], tellAuthority: true });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose a named officer to tell the authority of');

    const made = await record(person, { channels: ['email'], namedOfficerId: officerId, maxCallMinutes: 10 });
    expect(made.statusCode).toBe(201);
    const restrictionId = made.json<{ id: string }>().id;
    const before = await portal.get(`/portal/complaints/${c.id}`);
    expect(before.statusCode).toBe(200);
    expect(before.body).not.toContain('Ola Point');

    // The manager decides the authority must be told (a variation that ticks the box).
    const varied = await manager.post(`/staff/restrictions/${restrictionId}/review`, {
      outcome: 'vary',
      reason: 'The complainant has started calling the council too.',
      channels: 'email',
      namedOfficerId: officerId,
      maxCallMinutes: '10',
      tellAuthority: 'yes',
    });
    expect(varied.headers.location).toBe(`/staff/restrictions/${restrictionId}`);
    const told = await portal.get(`/portal/complaints/${c.id}`);
    expect(told.body).toContain('goes through one officer at the ombudsman: Ola Point');
    // Never the reasons or the other terms.
    expect(told.body).not.toContain('Abusive calls');
    expect(told.body).not.toContain('started calling the council');
    expect(told.body).not.toContain('10 minutes');
    expect(told.body).not.toContain('Contact by email only');
    const staffPage = await manager.get(`/staff/restrictions/${restrictionId}`);
    expect(staffPage.body).toContain('Told in its portal that contact goes through the named officer');

    // Lifted: the authority is no longer told.
    await manager.post(`/staff/restrictions/${restrictionId}/review`, { outcome: 'lift', reason: 'Calm for months.' });
    expect((await portal.get(`/portal/complaints/${c.id}`)).body).not.toContain('Ola Point');
  });
});

describe('overdue reviews on the managers’ home', () => {
  it('lists overdue and soon-due reviews to casework managers only', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'owen.overdue@home.example');
    await t.db.kysely
      .updateTable('complaint_parties')
      .set({ name: 'Owen Overdue' })
      .where('complaint_id', '=', c.id)
      .execute();
    const person = await personOf(c.id);
    const made = await record(person, { kind: 'warning', reviewDate: '2027-03-10' });
    expect(made.statusCode).toBe(201);
    const id = made.json<{ id: string }>().id;

    const soon = await manager.get('/staff');
    expect(soon.body).toContain('Reviews of warnings and restrictions');
    expect(soon.body).toContain('Warning: Owen Overdue');
    expect(soon.body).toContain('Review due soon');
    expect(soon.body).toContain(`/staff/restrictions/${id}`);

    clock.set(new Date('2027-03-12T10:00:00Z'));
    manager = await signIn(managerId);
    const overdue = await manager.get('/staff');
    expect(overdue.body).toContain('1 overdue');
    expect(overdue.body).toContain('Review overdue');

    const investigator = await signIn(officerId);
    const theirs = await investigator.get('/staff');
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).not.toContain('Reviews of warnings and restrictions');
  });
});

describe('the published policy', () => {
  it('links the restriction pages and the letter to the policy once it is published, and not before', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'pia.policy@home.example');
    const person = await personOf(c.id);
    const first = await record(person, { kind: 'warning' });
    const firstId = first.json<{ id: string }>().id;
    expect((await manager.get(`/staff/restrictions/${firstId}`)).body).not.toContain('id="policy-link"');

    const leadId = (await createUser(t.services, { role: 'relationship-lead' })).id;
    const lead: Actor = { type: 'user', id: leadId, roles: ['relationship-lead'], authorityId: null };
    const { id } = await t.services.publications.createDraft(lead, {
      kind: 'policy',
      title: 'Our policy on unreasonable complainant behaviour',
      summary: 'How we respond to behaviour that hinders our work.',
      body: 'We warn first, unless staff are at risk.',
      topics: [],
      councillorQuestions: [],
      partners: [],
    });
    await t.services.publications.publish(lead, id, null);
    // The policy's address is read at most once a minute.
    clock.set(new Date(clock.now().getTime() + 120_000));
    manager = await signIn(managerId);

    const page = await manager.get(`/staff/restrictions/${firstId}`);
    expect(page.body).toContain('href="/publications/our-policy-on-unreasonable-complainant-behaviour"');
    const person_ = await manager.get(`/staff/people/${person}/conduct`);
    expect(person_.body).toContain('Our policy on unreasonable complainant behaviour</a>');
    const second = await record(person, { channels: ['post'] });
    expect(second.statusCode).toBe(201);
    const letter = await t.db.kysely
      .selectFrom('conduct_letters')
      .select('body')
      .where('id', '=', second.json<{ letterId: string }>().letterId)
      .executeTakeFirstOrThrow();
    expect(letter.body).toContain('/publications/our-policy-on-unreasonable-complainant-behaviour');
    const public_ = await t.app.inject({
      method: 'GET',
      url: '/publications/our-policy-on-unreasonable-complainant-behaviour',
    });
    expect(public_.statusCode).toBe(200);
  });
});
