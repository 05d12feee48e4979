import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

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
