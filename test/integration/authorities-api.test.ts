import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';

let t: TestApp;
let leadToken: string;
let investigatorToken: string;

beforeAll(async () => {
  t = await createTestApp();
  leadToken = (
    await t.services.apiTokens.createFromCommandLine({ name: 'lead', role: 'relationship-lead', authorityId: null })
  ).token;
  investigatorToken = (
    await t.services.apiTokens.createFromCommandLine({ name: 'inv', role: 'investigator', authorityId: null })
  ).token;
});
afterAll(async () => {
  await t.close();
});

const call = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const body = {
  name: 'Apiton Borough Council',
  kind: 'london-borough',
  reference: 'E09000999',
  genericInbox: 'ombudsman@apiton.example',
  chiefExecutive: { title: 'Dr', name: 'Ann Api', jobTitle: 'Chief Executive', email: 'ann@apiton.example' },
  monitoringOfficer: { name: 'Mo Api', jobTitle: 'Monitoring Officer', email: 'mo@apiton.example' },
  headsOfService: [
    { serviceArea: 'housing', name: 'Hugh Api', jobTitle: 'Head of Housing', email: 'hugh@apiton.example' },
  ],
};

describe('the authorities API', () => {
  it('is described in the OpenAPI document', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const paths = doc.json<{ paths: Record<string, Record<string, unknown>> }>().paths;
    expect(Object.keys(paths['/authorities'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/authorities/{id}'] ?? {}).sort()).toEqual(['get', 'patch']);
    const patch = paths['/authorities/{id}']?.patch as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    const fields = Object.keys(patch.requestBody.content['application/json'].schema.properties);
    expect(fields).toEqual(expect.arrayContaining(['name', 'chiefExecutive', 'headsOfService', 'active']));
  });

  it('creates, reads, searches and changes an authority', async () => {
    const created = await call(leadToken, 'POST', '/api/v1/authorities', body);
    expect(created.statusCode).toBe(201);
    const authority = created.json<{ id: string; chiefExecutive: { name: string }; headsOfService: unknown[] }>();
    expect(authority.chiefExecutive.name).toBe('Ann Api');
    expect(authority.headsOfService).toHaveLength(1);

    const read = await call(investigatorToken, 'GET', `/api/v1/authorities/${authority.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ name: 'Apiton Borough Council', kind: 'london-borough', active: true });

    const list = await call(investigatorToken, 'GET', '/api/v1/authorities?q=apiton&kind=london-borough');
    expect(list.json()).toMatchObject({ count: 1, items: [{ id: authority.id }], nextCursor: null });

    const patched = await call(leadToken, 'PATCH', `/api/v1/authorities/${authority.id}`, {
      name: 'Apiton Council',
      monitoringOfficer: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'Apiton Council',
      reference: 'E09000999',
      monitoringOfficer: null,
      chiefExecutive: { name: 'Ann Api' },
    });
  });

  it('answers problems: invalid body 400 with pointers, readers may not write, other authority 404', async () => {
    const bad = await call(leadToken, 'POST', '/api/v1/authorities', {
      ...body,
      reference: null,
      chiefExecutive: { name: 'X', jobTitle: 'Y', email: 'nope' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toContain(
      '/chiefExecutive/email',
    );

    expect((await call(investigatorToken, 'POST', '/api/v1/authorities', body)).statusCode).toBe(403);

    const own = (await call(leadToken, 'POST', '/api/v1/authorities', { ...body, reference: 'OWN-1' })).json<{
      id: string;
    }>();
    const other = (await call(leadToken, 'POST', '/api/v1/authorities', { ...body, reference: 'OTHER-1' })).json<{
      id: string;
    }>();
    const portal = (
      await t.services.apiTokens.createFromCommandLine({ name: 'lo', role: 'link-officer', authorityId: own.id })
    ).token;
    expect((await call(portal, 'GET', `/api/v1/authorities/${own.id}`)).statusCode).toBe(200);
    expect((await call(portal, 'GET', `/api/v1/authorities/${other.id}`)).statusCode).toBe(404);
    const list = await call(portal, 'GET', '/api/v1/authorities');
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([own.id]);
  });
});

describe('changing an authority over the API', () => {
  type Out = {
    id: string;
    name: string;
    active: boolean;
    closedAt: string | null;
    genericInbox: string | null;
    monitoringOfficer: { name: string } | null;
    headsOfService: { serviceArea: string; name: string; email: string }[];
  };
  let n = 0;
  async function created() {
    n++;
    const res = await call(leadToken, 'POST', '/api/v1/authorities', {
      ...body,
      name: `Patchton Council ${n}`,
      reference: `PATCH-${n}`,
    });
    return res.json<Out>();
  }
  const read = async (id: string) => (await call(investigatorToken, 'GET', `/api/v1/authorities/${id}`)).json<Out>();
  const areas = (a: Out) => a.headsOfService.map((h) => [h.serviceArea, h.name]);

  it('replaces the heads of service with the set given, leaving fields not given as they are', async () => {
    const a = await created();
    const res = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, {
      headsOfService: [
        { serviceArea: 'planning', name: 'Pam Plan', jobTitle: 'Head of Planning', email: 'pam@apiton.example' },
        { serviceArea: 'housing', name: 'Hugh Newer', jobTitle: 'Head of Housing', email: 'hugh@apiton.example' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(areas(res.json<Out>())).toEqual([
      ['housing', 'Hugh Newer'],
      ['planning', 'Pam Plan'],
    ]);
    const after = await read(a.id);
    expect(after).toMatchObject({
      name: a.name,
      genericInbox: 'ombudsman@apiton.example',
      monitoringOfficer: { name: 'Mo Api' },
    });

    // Areas left out lose their head; [] removes them all; leaving headsOfService out keeps them.
    await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, {
      headsOfService: [
        { serviceArea: 'planning', name: 'Pam Plan', jobTitle: 'Head of Planning', email: 'pam@apiton.example' },
      ],
    });
    expect(areas(await read(a.id))).toEqual([['planning', 'Pam Plan']]);
    await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, { name: 'Patchton Renamed' });
    expect(areas(await read(a.id))).toEqual([['planning', 'Pam Plan']]);
    await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, { headsOfService: [] });
    expect(await read(a.id)).toMatchObject({ name: 'Patchton Renamed', headsOfService: [] });

    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('authority_id', '=', a.id)
      .where('action', 'like', 'senior-officer.%')
      .execute();
    expect(audit.map((e) => e.action).sort()).toEqual([
      'senior-officer.added', // the chief executive
      'senior-officer.added', // the monitoring officer
      'senior-officer.added', // housing
      'senior-officer.added', // planning
      'senior-officer.changed', // housing
      'senior-officer.removed', // housing
      'senior-officer.removed', // planning
    ]);
  });

  it('closes and reopens an authority: shown as closed and found by the closed filter', async () => {
    const a = await created();
    const closed = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, { active: false });
    expect(closed.statusCode).toBe(200);
    expect(closed.json<Out>()).toMatchObject({ active: false, closedAt: expect.any(String) as string });

    const list = await call(
      investigatorToken,
      'GET',
      `/api/v1/authorities?q=${encodeURIComponent(a.name)}&status=closed`,
    );
    expect(list.json<{ items: { id: string; active: boolean }[] }>().items).toEqual([
      expect.objectContaining({ id: a.id, active: false }),
    ]);
    const open = await call(
      investigatorToken,
      'GET',
      `/api/v1/authorities?q=${encodeURIComponent(a.name)}&status=active`,
    );
    expect(open.json<{ count: number }>().count).toBe(0);

    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get(`/staff/authorities/${a.id}`);
    expect(page.body).toContain('Closed on');
    const directory = await client.get(`/staff/authorities?status=closed&q=${encodeURIComponent(a.name)}`);
    expect(directory.body).toContain(a.name);
    expect(directory.body).toContain('1 authority');

    const reopened = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, { active: true });
    expect(reopened.json<Out>()).toMatchObject({ active: true, closedAt: null });
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('authority_id', '=', a.id)
      .where('action', 'in', ['authority.closed', 'authority.reopened'])
      .orderBy('id')
      .execute();
    expect(audit.map((e) => e.action)).toEqual(['authority.closed', 'authority.reopened']);
  });

  it('answers bad input with problem details and changes nothing', async () => {
    const a = await created();
    const bad = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, {
      name: 'Should Not Stick',
      active: false,
      headsOfService: [{ serviceArea: 'housing', name: 'Hugh', jobTitle: 'Head', email: 'not-an-email' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual([
      '/headsOfService/0/email',
    ]);

    const twice = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, {
      headsOfService: [
        { serviceArea: 'housing', name: 'A', jobTitle: 'Head', email: 'a@apiton.example' },
        { serviceArea: 'housing', name: 'B', jobTitle: 'Head', email: 'b@apiton.example' },
      ],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual([
      '/headsOfService/1/serviceArea',
    ]);

    const notBoolean = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, { active: 'no', name: 'X' });
    expect(notBoolean.statusCode).toBe(400);
    expect(notBoolean.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/active']);

    // A reference another authority holds is a conflict, and the other changes in the request are not made.
    const other = await created();
    const taken = await call(leadToken, 'PATCH', `/api/v1/authorities/${a.id}`, {
      reference: `PATCH-${n}`,
      active: false,
      headsOfService: [],
    });
    expect(taken.statusCode).toBe(409);
    expect(other.id).not.toBe(a.id);

    expect(await read(a.id)).toMatchObject({
      name: a.name,
      active: true,
      headsOfService: [{ serviceArea: 'housing', name: 'Hugh Api' }],
    });
    expect(
      (await call(leadToken, 'PATCH', '/api/v1/authorities/00000000-0000-4000-8000-000000000000', {})).statusCode,
    ).toBe(404);
  });
});

describe('an authority token and its own authority', () => {
  type Out = {
    id: string;
    name: string;
    kind: string;
    reference: string | null;
    region: string | null;
    active: boolean;
    address: string | null;
    genericInbox: string | null;
    chiefExecutive: { title: string | null; name: string; jobTitle: string; email: string };
    monitoringOfficer: { name: string } | null;
    headsOfService: { serviceArea: string; name: string }[];
  };
  type Problem = { status: number; title: string; detail: string; errors?: { field: string; pointer: string }[] };
  let n = 0;
  async function created() {
    n++;
    const res = await call(leadToken, 'POST', '/api/v1/authorities', {
      ...body,
      name: `Tokenham Council ${n}`,
      reference: `TOKEN-${n}`,
    });
    expect(res.statusCode).toBe(201);
    return res.json<Out>();
  }
  const read = async (id: string) => (await call(investigatorToken, 'GET', `/api/v1/authorities/${id}`)).json<Out>();
  const tokenFor = async (role: 'link-officer' | 'senior-officer' | 'delegate', authorityId: string) =>
    t.services.apiTokens.createFromCommandLine({ name: `own ${role}`, role, authorityId });
  const auditOf = (authorityId: string) =>
    t.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'actor_type', 'actor_id', 'actor_role', 'request_id'])
      .where('authority_id', '=', authorityId)
      .orderBy('id')
      .execute();
  const contacts = {
    genericInbox: 'complaints@tokenham.example',
    address: 'Town Hall\nTokenham TK1 1AA',
    chiefExecutive: { title: 'Ms', name: 'Cara Chief', jobTitle: 'Chief Executive', email: 'cara@tokenham.example' },
  };

  it('changes its own contacts, shown on GET, with the audit rows of the staff path', async () => {
    const own = await created();
    const byStaff = await created();
    const { token, id: tokenId } = await tokenFor('link-officer', own.id);
    const before = (await auditOf(own.id)).length;
    const beforeStaff = (await auditOf(byStaff.id)).length;

    const res = await call(token, 'PATCH', `/api/v1/authorities/${own.id}`, contacts);
    expect(res.statusCode).toBe(200);
    expect(res.json<Out>()).toMatchObject({
      name: own.name,
      genericInbox: 'complaints@tokenham.example',
      chiefExecutive: contacts.chiefExecutive,
    });
    const seen = await call(token, 'GET', `/api/v1/authorities/${own.id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json<Out>()).toMatchObject({
      genericInbox: 'complaints@tokenham.example',
      address: 'Town Hall\nTokenham TK1 1AA',
      chiefExecutive: { name: 'Cara Chief', email: 'cara@tokenham.example' },
    });
    expect(await read(own.id)).toMatchObject({ name: own.name, genericInbox: 'complaints@tokenham.example' });

    // The same change made by staff writes the same rows.
    expect((await call(leadToken, 'PATCH', `/api/v1/authorities/${byStaff.id}`, contacts)).statusCode).toBe(200);
    const mine = (await auditOf(own.id)).slice(before);
    const staffs = (await auditOf(byStaff.id)).slice(beforeStaff);
    expect(mine.map((e) => e.action)).toEqual(['authority.updated', 'senior-officer.changed']);
    expect(staffs.map((e) => e.action)).toEqual(mine.map((e) => e.action));
    for (const e of mine) {
      expect(e).toMatchObject({ actor_type: 'token', actor_id: tokenId, actor_role: 'link-officer' });
      expect(e.request_id).toEqual(expect.any(String));
    }

    // The monitoring officer and heads of service are contacts too; a senior officer's token may change them.
    const senior = (await tokenFor('senior-officer', own.id)).token;
    const officers = await call(senior, 'PATCH', `/api/v1/authorities/${own.id}`, {
      monitoringOfficer: null,
      headsOfService: [
        { serviceArea: 'planning', name: 'Pam Plan', jobTitle: 'Head of Planning', email: 'pam@tokenham.example' },
      ],
    });
    expect(officers.statusCode).toBe(200);
    expect(await read(own.id)).toMatchObject({
      monitoringOfficer: null,
      headsOfService: [{ serviceArea: 'planning', name: 'Pam Plan' }],
    });
  });

  it('answers 404 for any other authority, as for an unknown id, before the body is checked, changing nothing', async () => {
    const own = await created();
    const other = await created();
    const { token } = await tokenFor('link-officer', own.id);
    const unknown = await call(token, 'PATCH', '/api/v1/authorities/00000000-0000-4000-8000-000000000000', contacts);
    expect(unknown.statusCode).toBe(404);
    const staffUnknown = await call(
      leadToken,
      'PATCH',
      '/api/v1/authorities/00000000-0000-4000-8000-000000000000',
      contacts,
    );
    expect(staffUnknown.json()).toEqual(unknown.json());
    const before = await read(other.id);
    const audited = (await auditOf(other.id)).length;

    for (const payload of [
      contacts,
      { name: 'Taken Over', active: false },
      { genericInbox: 'not-an-email', headsOfService: 'nonsense' },
    ]) {
      const res = await call(token, 'PATCH', `/api/v1/authorities/${other.id}`, payload);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toEqual(unknown.json());
    }
    expect(await read(other.id)).toEqual(before);
    expect(await auditOf(other.id)).toHaveLength(audited);
    // Reading it is not found in the same way.
    const get = await call(token, 'GET', `/api/v1/authorities/${other.id}`);
    expect(get.statusCode).toBe(404);
    expect(get.json()).toEqual(
      (await call(token, 'GET', '/api/v1/authorities/00000000-0000-4000-8000-000000000000')).json(),
    );
  });

  it('refuses the directory record with a 403 naming each field, changing nothing', async () => {
    const own = await created();
    const { token } = await tokenFor('link-officer', own.id);
    const audited = (await auditOf(own.id)).length;

    const renamed = await call(token, 'PATCH', `/api/v1/authorities/${own.id}`, {
      name: 'Tokenham Renamed',
      genericInbox: 'changed@tokenham.example',
    });
    expect(renamed.statusCode).toBe(403);
    expect(renamed.headers['content-type']).toContain('application/problem+json');
    const problem = renamed.json<Problem>();
    expect(problem).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(problem.detail).toContain('name');
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'name', pointer: '/name' })]);

    const all = await call(token, 'PATCH', `/api/v1/authorities/${own.id}`, {
      kind: 'county-council',
      reference: 'MINE-1',
      region: 'London',
      active: false,
    });
    expect(all.statusCode).toBe(403);
    expect(all.json<Problem>().errors?.map((e) => e.field)).toEqual(['kind', 'reference', 'region', 'active']);

    // Refused before the body is checked: an invalid name is still the authority's to leave alone.
    const invalid = await call(token, 'PATCH', `/api/v1/authorities/${own.id}`, { name: '' });
    expect(invalid.statusCode).toBe(403);

    expect(await read(own.id)).toMatchObject({
      name: own.name,
      kind: own.kind,
      reference: own.reference,
      region: own.region,
      active: true,
      genericInbox: own.genericInbox,
    });
    expect(await auditOf(own.id)).toHaveLength(audited);
  });

  it('lets a delegate’s token read its authority but not change it; staff without the permission neither', async () => {
    const own = await created();
    const delegate = (await tokenFor('delegate', own.id)).token;
    expect((await call(delegate, 'GET', `/api/v1/authorities/${own.id}`)).statusCode).toBe(200);
    const res = await call(delegate, 'PATCH', `/api/v1/authorities/${own.id}`, contacts);
    expect(res.statusCode).toBe(403);
    expect(res.json<Problem>().detail).toContain('link officer or a senior officer');
    const staff = await call(investigatorToken, 'PATCH', `/api/v1/authorities/${own.id}`, { name: '' });
    expect(staff.statusCode).toBe(403);
    expect(await read(own.id)).toMatchObject({ name: own.name, genericInbox: own.genericInbox });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const patch = doc.json<{
      paths: Record<string, Record<string, { description: string; responses: Record<string, unknown> }>>;
    }>().paths['/authorities/{id}']?.patch;
    expect(Object.keys(patch?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '403', '404']));
    expect(patch?.description).toContain('authority token');
    expect(patch?.description).toContain('403 naming each field');
  });
});
