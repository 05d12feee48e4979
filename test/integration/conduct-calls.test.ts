import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';
import { authorityWithOfficers, createComplaint } from './correspondence.fixtures.ts';

// Tuesday 2 March 2027, 13:00 in London.
const clock = new FixedClock(new Date('2027-03-02T13:00:00Z'));
let t: TestApp;
let manager: TestClient;
let managerId = '';
let officerId = '';
let officer: TestClient;
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

async function restrict(personId: string, terms: Record<string, unknown>) {
  const made = await t.app.inject({
    method: 'POST',
    url: `/api/v1/people/${personId}/restrictions`,
    headers: token,
    payload: {
      kind: 'restriction',
      reason: 'Threats to an officer on the phone on 1 February.',
      staffSafetyRisk: true,
      noWarningReason: 'An officer was threatened',
      reviewDate: '2027-08-01',
      ...terms,
    },
  });
  expect(made.statusCode).toBe(201);
  return made.json<{ id: string }>().id;
}

const call = (personId: string, fields: Record<string, string>) =>
  manager.post(`/staff/people/${personId}/calls/new`, {
    'calledOn-day': '2',
    'calledOn-month': '3',
    'calledOn-year': '2027',
    calledTime: '10:30',
    minutes: '15',
    officerId,
    note: 'Asked about progress.',
    ...fields,
  });

const callCount = async () =>
  Number(
    (
      await t.db.kysely
        .selectFrom('conduct_calls')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  t = await createTestApp({ clock });
  managerId = (await createUser(t.services, { role: 'casework-manager' })).id;
  manager = await signIn(managerId);
  officerId = (await createUser(t.services, { role: 'investigator', displayName: 'Nia Named' })).id;
  officer = await signIn(officerId);
  const created = await t.services.apiTokens.createFromCommandLine({
    name: 'conduct-calls',
    role: 'casework-manager',
    authorityId: null,
  });
  token = { authorization: `Bearer ${created.token}` };
});

afterAll(async () => {
  await t.close();
});

describe('the call log', () => {
  it('flags calls outside the times, too long, not with the named officer and beyond the weekly limit; never refuses them', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'rhys.call@home.example');
    const person = await personOf(c.id);
    await restrict(person, {
      channels: ['email', 'phone'],
      namedOfficerId: officerId,
      callTimes: 'Tuesdays 10:00 to 12:00',
      maxCallMinutes: 20,
      weeklyContactCap: 2,
    });

    const within = await call(person, { complaintId: c.id });
    expect(within.headers.location).toBe(`/staff/complaints/${c.id}/contact#calls`);
    const late = await call(person, { complaintId: c.id, calledTime: '11:50', minutes: '20' });
    expect(late.statusCode).toBe(303);
    // Monday, with someone else, too long, and the third contact of a week that allows two.
    await call(person, {
      complaintId: c.id,
      'calledOn-day': '1',
      calledTime: '09:00',
      minutes: '30',
      officerId: managerId,
      note: 'Shouted and hung up.',
    });
    const flags = await t.db.kysely
      .selectFrom('conduct_contacts as k')
      .innerJoin('conduct_calls as cl', 'cl.id', 'k.call_id')
      .select(['k.flags', 'k.channel', 'cl.minutes'])
      .where('k.person_id', '=', person)
      .orderBy('cl.created_at')
      .execute();
    expect(flags.map((f) => f.channel)).toEqual(['phone', 'phone', 'phone']);
    expect(flags.map((f) => f.flags)).toEqual([
      [],
      ['outside-call-times'],
      ['call-not-named-officer', 'outside-call-times', 'call-too-long', 'over-weekly-cap'],
    ]);

    const tab = await manager.get(`/staff/complaints/${c.id}/contact`);
    expect(tab.body).toContain('Phone calls');
    expect(tab.body).toContain('Shouted and hung up.');
    expect(tab.body).toContain('Received outside the restriction: a call outside the days and times allowed');
    expect(tab.body).toContain('Received outside the restriction: a call longer than allowed');
    expect(tab.body).toContain('Received outside the restriction: beyond the weekly limit of contacts');
    expect(tab.body).toContain(`/staff/people/${person}/calls/new?case=${c.id}`);
    const timeline = await manager.get(`/staff/complaints/${c.id}/history`);
    expect(timeline.body).toContain('a call taken by someone other than their named officer');

    // The named officer's queue shows the calls.
    const queue = await officer.get('/staff/contacts');
    expect(queue.body).toContain('Phone call, 30 minutes: Shouted and hung up.');
    expect(queue.body).toContain('Phone call, 15 minutes');

    const page = await manager.get(`/staff/people/${person}/conduct`);
    expect(page.body).toContain('Asked about progress.');
    expect(page.body).toContain('Nia Named');
  });

  it('flags a call when phone is not an allowed channel, and logs calls with anyone without flags', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'written.only@home.example');
    const person = await personOf(c.id);
    await restrict(person, { channels: ['email', 'post'] });
    await call(person, { complaintId: '' });
    const contact = await t.db.kysely
      .selectFrom('conduct_contacts')
      .select(['flags', 'complaint_id'])
      .where('person_id', '=', person)
      .executeTakeFirstOrThrow();
    expect(contact).toEqual({ flags: ['outside-channel'], complaint_id: null });

    const free = await createComplaint(t.db, a.authorityId, 'no.restriction@home.example');
    const freePerson = await personOf(free.id);
    const logged = await call(freePerson, { complaintId: free.id });
    expect(logged.statusCode).toBe(303);
    const tab = await manager.get(`/staff/complaints/${free.id}/contact`);
    expect(tab.body).toContain('Asked about progress.');
    expect(tab.body).toContain('No restriction in force');
    const contacts = await t.db.kysely
      .selectFrom('conduct_contacts')
      .select('id')
      .where('person_id', '=', freePerson)
      .execute();
    expect(contacts).toEqual([]);
    // Each call logged is in the audit log: who logged it, as what, and which call; never the note.
    const calls = await t.db.kysely
      .selectFrom('conduct_calls')
      .select('id')
      .where('person_id', '=', freePerson)
      .execute();
    expect(calls).toHaveLength(1);
    const audited = await t.db.kysely
      .selectFrom('audit_events')
      .select(['actor_role', 'record_type'])
      .where('action', '=', 'call.logged')
      .where('record_id', '=', calls[0]?.id ?? '')
      .execute();
    expect(audited).toEqual([{ actor_role: 'casework-manager', record_type: 'call' }]);
  });

  it('refuses a call in the future, another person’s case, an unknown officer or a bad time, and logs nothing', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'bad.input@home.example');
    const other = await createComplaint(t.db, a.authorityId, 'someone.else@home.example');
    const person = await personOf(c.id);
    const before = await callCount();
    const cases: [Record<string, string>, string][] = [
      [{ 'calledOn-day': '3' }, 'The date of the call must be today or in the past'],
      [{ calledTime: '14:00' }, 'The time of the call must not be in the future'],
      [{ complaintId: other.id }, 'Choose one of this person’s complaints, or none'],
      [{ officerId: '00000000-0000-4000-8000-000000000000' }, 'Choose the member of staff who took the call'],
      [{ calledTime: '25:00' }, 'Enter the time the call began as hours and minutes'],
      [{ minutes: '0' }, 'Enter how long the call lasted: from 1 to 600 minutes'],
      [{ 'calledOn-month': '13' }, 'Enter the date of the call'],
    ];
    for (const [fields, message] of cases) {
      const sent = await call(person, fields);
      expect(sent.statusCode).toBe(303);
      const back = await manager.get(sent.headers.location as string);
      expect(back.body).toContain('There is a problem');
      expect(back.body).toContain(message);
    }
    expect(await callCount()).toBe(before);
    const unknown = await manager.get('/staff/people/00000000-0000-4000-8000-000000000000/calls/new');
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses call times it cannot read when a restriction is recorded', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId, 'times@home.example');
    const person = await personOf(c.id);
    const made = await t.app.inject({
      method: 'POST',
      url: `/api/v1/people/${person}/restrictions`,
      headers: token,
      payload: {
        kind: 'restriction',
        reason: 'Calls at night.',
        staffSafetyRisk: true,
        noWarningReason: 'Threats',
        callTimes: 'whenever suits us',
        reviewDate: '2027-08-01',
      },
    });
    expect(made.statusCode).toBe(400);
    expect(made.body).toContain('Enter the call times as days and times');
  });
});

describe('erasure', () => {
  it('erases the reasons, the letters’ text and the call notes of the person erased, and nobody else’s', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const gone = await createComplaint(t.db, a.authorityId, 'erase.me@home.example');
    const kept = await createComplaint(t.db, a.authorityId, 'keep.me@home.example');
    const person = await personOf(gone.id);
    const other = await personOf(kept.id);
    const id = await restrict(person, { channels: ['email'] });
    await restrict(other, { channels: ['email'] });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/restrictions/${id}/review`,
      headers: token,
      payload: { outcome: 'extend', reason: 'She called the office on 1 March in a rage.', reviewDate: '2027-09-01' },
    });
    await call(person, { complaintId: gone.id, note: 'Said her neighbour is ill.' });
    await call(other, { complaintId: kept.id, note: 'Asked for the letter again.' });

    await t.db.kysely.transaction().execute((trx) => t.services.people.erase(trx, person));

    const records = await t.db.kysely
      .selectFrom('conduct_records')
      .select(['person_id', 'reason', 'no_warning_reason', 'channels'])
      .where('person_id', 'in', [person, other])
      .execute();
    expect(records.find((r) => r.person_id === person)).toEqual({
      person_id: person,
      reason: '[erased]',
      no_warning_reason: '[erased]',
      channels: ['email'],
    });
    expect(records.find((r) => r.person_id === other)?.reason).toBe(
      'Threats to an officer on the phone on 1 February.',
    );
    const letters = await t.db.kysely
      .selectFrom('conduct_letters as l')
      .innerJoin('conduct_records as r', 'r.id', 'l.record_id')
      .select(['r.person_id', 'l.body'])
      .execute();
    expect(letters.filter((l) => l.person_id === person).map((l) => l.body)).toEqual(['[erased]', '[erased]']);
    expect(letters.find((l) => l.person_id === other)?.body).toContain('Threats to an officer');
    const review = await t.db.kysely
      .selectFrom('conduct_reviews')
      .select('reason')
      .where('record_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(review.reason).toBe('[erased]');
    const page = await manager.get(`/staff/people/${person}/conduct`);
    expect(page.body).not.toContain('Said her neighbour is ill.');
    expect(page.body).toContain('[erased]');
    const otherPage = await manager.get(`/staff/people/${other}/conduct`);
    expect(otherPage.body).toContain('Asked for the letter again.');
  });
});
