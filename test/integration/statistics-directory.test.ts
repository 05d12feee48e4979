import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';
import { authorityWithOfficers } from './correspondence.fixtures.ts';

/** The leader and the chair of scrutiny, who receive the annual review letter in copy, set through the directory's forms. */

const clock = new FixedClock(new Date('2027-06-15T10:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ clock });
});

afterAll(async () => {
  await t.close();
});

async function clientAs(role: 'relationship-lead' | 'link-officer', authorityId: string | null) {
  const user = await createUser(t.services, { role, authorityId });
  return new TestClient(t.app).withSession(await createSession(t.db, user.id, clock.now()));
}

const contacts = (domain: string) => ({
  address: '',
  genericInbox: '',
  ceTitle: '',
  ceName: 'Chris Chief',
  ceJobTitle: 'Chief Executive',
  ceEmail: `chief.executive@${domain}`,
  moTitle: '',
  moName: '',
  moJobTitle: '',
  moEmail: '',
});

const officersOf = async (authorityId: string) =>
  (
    await t.db.kysely
      .selectFrom('senior_officers')
      .select(['role', 'name', 'email'])
      .where('authority_id', '=', authorityId)
      .where('role', 'in', ['leader', 'scrutiny-chair'])
      .orderBy('role')
      .execute()
  ).map((o) => `${o.role}: ${o.name} <${o.email}>`);

describe('the leader and the chair of scrutiny in the directory', () => {
  it('are set by staff on the authority form, shown on its page, and removed by emptying them', async () => {
    const a = await authorityWithOfficers(t.db, { name: 'Leader Borough Council' });
    const lead = await clientAs('relationship-lead', null);
    const form = await lead.get(`/staff/authorities/${a.authorityId}/edit`);
    expect(form.body).toContain('id="leaderName"');
    expect(form.body).toContain('id="scrutinyName"');
    // The staff page links to the authority's figures (the id is sent on to its address).
    const staffPage = await lead.get(`/staff/authorities/${a.authorityId}`);
    expect(staffPage.body).toContain(`href="/authorities/${a.authorityId}/performance"`);

    const saved = await lead.post(`/staff/authorities/${a.authorityId}/edit`, {
      name: 'Leader Borough Council',
      kind: 'district',
      reference: '',
      region: '',
      ...contacts(a.domain),
      leaderTitle: 'Cllr',
      leaderName: 'Lee Leader',
      leaderJobTitle: 'Leader of the council',
      leaderEmail: `leader@${a.domain}`,
      scrutinyTitle: '',
      scrutinyName: 'Sam Scrutiny',
      scrutinyJobTitle: 'Chair, overview and scrutiny committee',
      scrutinyEmail: `scrutiny@${a.domain}`,
    });
    expect(saved.statusCode).toBe(303);
    expect(await officersOf(a.authorityId)).toEqual([
      `leader: Lee Leader <leader@${a.domain}>`,
      `scrutiny-chair: Sam Scrutiny <scrutiny@${a.domain}>`,
    ]);
    const page = await lead.get(`/staff/authorities/${a.authorityId}`);
    expect(page.body).toContain('Leader of the council');
    expect(page.body).toContain('Cllr Lee Leader');
    expect(page.body).toContain('Chair of scrutiny');
    expect((await lead.get(`/staff/authorities/${a.authorityId}/edit`)).body).toContain('value="Sam Scrutiny"');

    await lead.post(`/staff/authorities/${a.authorityId}/edit`, {
      name: 'Leader Borough Council',
      kind: 'district',
      reference: '',
      region: '',
      ...contacts(a.domain),
      leaderName: 'Lee Leader',
      leaderJobTitle: 'Leader of the council',
      leaderEmail: `leader@${a.domain}`,
    });
    expect(await officersOf(a.authorityId)).toEqual([`leader: Lee Leader <leader@${a.domain}>`]);
  });

  it('are set by the authority’s link officer on its contacts form; a half-filled one changes nothing', async () => {
    const a = await authorityWithOfficers(t.db, { name: 'Scrutiny District Council' });
    const officer = await clientAs('link-officer', a.authorityId);
    const url = `/portal/authority/${a.authorityId}/contacts`;
    expect((await officer.get(url)).body).toContain('Chair of scrutiny');

    const half = await officer.post(url, {
      ...contacts(a.domain),
      leaderName: 'Lee Leader',
      scrutinyEmail: `scrutiny@${a.domain}`,
    });
    expect(half.statusCode).toBe(303);
    const shown = (await officer.get(half.headers.location as string)).body;
    expect(shown).toContain('Enter the leader’s job title');
    expect(shown).toContain('Enter the leader’s email address');
    expect(shown).toContain('Enter the chair of scrutiny’s name');
    expect(await officersOf(a.authorityId)).toEqual([]);

    await officer.post(url, {
      ...contacts(a.domain),
      leaderName: 'Lee Leader',
      leaderJobTitle: 'Leader',
      leaderEmail: `leader@${a.domain}`,
      scrutinyName: 'Sam Scrutiny',
      scrutinyJobTitle: 'Chair of scrutiny',
      scrutinyEmail: `scrutiny@${a.domain}`,
    });
    expect(await officersOf(a.authorityId)).toEqual([
      `leader: Lee Leader <leader@${a.domain}>`,
      `scrutiny-chair: Sam Scrutiny <scrutiny@${a.domain}>`,
    ]);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('authority_id', '=', a.authorityId)
      .where('action', '=', 'senior-officer.added')
      .execute();
    expect(audit).toHaveLength(2);

    const lead: Actor = {
      type: 'user',
      id: (await createUser(t.services, { role: 'relationship-lead' })).id,
      roles: ['relationship-lead'],
      authorityId: null,
    };
    const directory = await t.services.authorities.getAuthority(lead, a.authorityId);
    expect([directory.leader?.name, directory.scrutinyChair?.name]).toEqual(['Lee Leader', 'Sam Scrutiny']);
  });

  it('are set, shown and removed through the API, by staff and by the authority’s own link officer', async () => {
    const api = async (token: string, method: 'POST' | 'PATCH', url: string, payload: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload });
    const tokenOf = async (role: 'relationship-lead' | 'link-officer', authorityId: string | null) =>
      (await t.services.apiTokens.createFromCommandLine({ name: `Directory ${role}`, role, authorityId })).token;
    const staff = await tokenOf('relationship-lead', null);
    const officer = (name: string, email: string) => ({ name, jobTitle: 'Councillor', email });

    const created = await api(staff, 'POST', '/authorities', {
      name: 'Api Borough Council',
      kind: 'district',
      chiefExecutive: officer('Chris Chief', 'chief.executive@api.example'),
      leader: officer('Lee Leader', 'leader@api.example'),
      scrutinyChair: officer('Sam Scrutiny', 'scrutiny@api.example'),
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{
      id: string;
      leader: { name: string } | null;
      scrutinyChair: { name: string } | null;
    }>();
    expect(body.leader?.name).toBe('Lee Leader');
    expect(body.scrutinyChair?.name).toBe('Sam Scrutiny');
    expect(await officersOf(body.id)).toEqual([
      'leader: Lee Leader <leader@api.example>',
      'scrutiny-chair: Sam Scrutiny <scrutiny@api.example>',
    ]);

    // The authority's own link officer changes the leader; the chair, left out, stays.
    const own = await tokenOf('link-officer', body.id);
    const changed = await api(own, 'PATCH', `/authorities/${body.id}`, {
      leader: officer('Lou Leader', 'lou.leader@api.example'),
    });
    expect(changed.statusCode).toBe(200);
    expect(await officersOf(body.id)).toEqual([
      'leader: Lou Leader <lou.leader@api.example>',
      'scrutiny-chair: Sam Scrutiny <scrutiny@api.example>',
    ]);

    // A bad address is refused and changes nothing; null removes the chair.
    const bad = await api(staff, 'PATCH', `/authorities/${body.id}`, {
      scrutinyChair: officer('Sam Scrutiny', 'not an address'),
    });
    expect(bad.statusCode).toBe(400);
    const removed = await api(staff, 'PATCH', `/authorities/${body.id}`, { scrutinyChair: null });
    expect(removed.statusCode).toBe(200);
    expect(removed.json<{ scrutinyChair: unknown }>().scrutinyChair).toBeNull();
    expect(await officersOf(body.id)).toEqual(['leader: Lou Leader <lou.leader@api.example>']);
  });
});
