import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/http/api.ts';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority, createUser } from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function tokenFor(role: Role, authorityId: string | null = null): Promise<string> {
  const created = await t.services.apiTokens.createFromCommandLine({ name: `Test ${role}`, role, authorityId });
  return created.token;
}

interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: { pointer: string; field: string; detail: string }[];
}
const problem = (res: { json: <T>() => T }) => res.json<Problem>();

const get = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('API authentication', () => {
  it('refuses a request without a token with a 401 problem and a Bearer challenge', async () => {
    const res = await get('/api/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.json()).toMatchObject({ type: 'about:blank', status: 401, title: 'Unauthorised' });
  });

  it('refuses an unknown token and a token sent with another scheme', async () => {
    expect((await get('/api/v1/me', 'liaison_not-a-real-token')).statusCode).toBe(401);
    const token = await tokenFor('administrator');
    const basic = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Basic ${token}` },
    });
    expect(basic.statusCode).toBe(401);
  });

  it('tells a token who it is, and records when it was last used', async () => {
    const authorityId = await createAuthority(t.db);
    const created = await t.services.apiTokens.createFromCommandLine({
      name: 'Council system',
      role: 'link-officer',
      authorityId,
    });
    const res = await get('/api/v1/me', created.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ type: 'token', id: created.id, roles: ['link-officer'], authorityId });
    const row = await t.db.kysely
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
  });

  it('stops accepting a token the moment it is revoked', async () => {
    const created = await t.services.apiTokens.createFromCommandLine({
      name: 'Soon gone',
      role: 'administrator',
      authorityId: null,
    });
    expect((await get('/api/v1/me', created.token)).statusCode).toBe(200);
    const { user } = { user: await createUser(t.services, { role: 'administrator' }) };
    await t.services.apiTokens.revoke(
      { type: 'user', id: user.id, roles: ['administrator'], authorityId: null },
      created.id,
    );
    const res = await get('/api/v1/me', created.token);
    expect(res.statusCode).toBe(401);
    expect(problem(res).detail).toMatch(/revoked/);
  });

  it('answers 403 with a problem when the role lacks the permission', async () => {
    const res = await get('/api/v1/users', await tokenFor('investigator'));
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 403, title: 'Forbidden' });
  });
});

describe('GET /api/v1/users', () => {
  it('pages through every user exactly once by cursor, with no sign-in details', async () => {
    const admin = await tokenFor('administrator');
    for (const name of ['Ada', 'Bea', 'Cai', 'Dot', 'Eve']) {
      await createUser(t.services, { role: 'investigator', displayName: `${name} Lister` });
    }
    const expected = (await t.db.kysely.selectFrom('users').select(['id', 'display_name']).execute()).length;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(url, admin);
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: Record<string, unknown>[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const item of body.items) {
        expect(Object.keys(item).sort()).toEqual(['authorityId', 'displayName', 'id', 'roles', 'status']);
        seen.push(item.id as string);
      }
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
    const body = (await get('/api/v1/users?limit=100', admin)).json<{ items: { displayName: string }[] }>();
    const names = body.items.map((u) => u.displayName.toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(JSON.stringify(body)).not.toMatch(/password|totp|email/i);
  });

  it('rejects a limit out of range and a forged cursor with 400 problems naming the parameter', async () => {
    const admin = await tokenFor('administrator');
    for (const limit of ['0', '101', 'ten']) {
      const res = await get(`/api/v1/users?limit=${limit}`, admin);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(problem(res).errors).toEqual([expect.objectContaining({ field: 'limit', pointer: '/limit' })]);
    }
    const forged = await get('/api/v1/users?cursor=bm90LWEtY3Vyc29y', admin);
    expect(forged.statusCode).toBe(400);
    expect(problem(forged).errors?.[0]).toMatchObject({ field: 'cursor' });
  });
});

describe('GET /api/v1/audit-events', () => {
  async function insertEvent(at: string, action: string, recordId: string) {
    await t.db.kysely
      .insertInto('audit_events')
      .values({
        occurred_at: at,
        actor_type: 'system',
        actor_id: null,
        action,
        record_type: 'widget',
        record_id: recordId,
      })
      .execute();
  }

  it('filters by action, record and London dates, newest first, across pages', async () => {
    const reader = await tokenFor('casework-manager');
    // 31 March 2026 is British Summer Time: 23:30 UTC on the 30th is already the 31st in London.
    await insertEvent('2026-03-30T22:30:00Z', 'widget.made', 'w-1');
    await insertEvent('2026-03-30T23:30:00Z', 'widget.made', 'w-2');
    await insertEvent('2026-03-31T12:00:00Z', 'widget.made', 'w-3');
    await insertEvent('2026-03-31T12:00:00Z', 'widget.made', 'w-4');
    await insertEvent('2026-03-31T23:30:00Z', 'widget.made', 'w-5');
    await insertEvent('2026-03-31T12:00:00Z', 'widget.broken', 'w-3');

    const day = await get('/api/v1/audit-events?action=widget.made&from=2026-03-31&to=2026-03-31&limit=2', reader);
    expect(day.statusCode).toBe(200);
    const first = day.json<{ items: { recordId: string; occurredAt: string }[]; nextCursor: string }>();
    expect(first.items.map((e) => e.recordId)).toEqual(['w-4', 'w-3']);
    const second = (
      await get(
        `/api/v1/audit-events?action=widget.made&from=2026-03-31&to=2026-03-31&limit=2&cursor=${first.nextCursor}`,
        reader,
      )
    ).json<{ items: { recordId: string }[]; nextCursor: string | null }>();
    expect(second.items.map((e) => e.recordId)).toEqual(['w-2']);
    expect(second.nextCursor).toBeNull();

    const record = (await get('/api/v1/audit-events?recordType=widget&recordId=w-3', reader)).json<{
      items: { action: string }[];
    }>();
    expect(record.items.map((e) => e.action).sort()).toEqual(['widget.broken', 'widget.made']);

    const instant = (
      await get('/api/v1/audit-events?action=widget.made&from=2026-03-31T12:00:00Z&to=2026-03-31T23:00:00Z', reader)
    ).json<{ items: { recordId: string }[] }>();
    expect(instant.items.map((e) => e.recordId)).toEqual(['w-4', 'w-3']);
  });

  it('rejects a date that is not a date, and refuses roles without audit:read', async () => {
    const reader = await tokenFor('administrator');
    const res = await get('/api/v1/audit-events?from=2026-02-30', reader);
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]).toMatchObject({ field: 'from' });
    expect((await get('/api/v1/audit-events', await tokenFor('investigator'))).statusCode).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('is public, OpenAPI 3.1, and lists every endpoint with its parameters, security and problems', async () => {
    const res = await get('/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { securitySchemes: Record<string, { scheme: string }>; schemas: Record<string, unknown> };
      security: unknown[];
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerToken?.scheme).toBe('bearer');
    expect(doc.security).toEqual([{ bearerToken: [] }]);
    for (const route of apiRoutes(t.services)) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
    }
    const users = doc.paths['/users']?.get as {
      parameters: { name: string; in: string; schema: Record<string, unknown> }[];
      responses: Record<string, unknown>;
    };
    expect(users.parameters.map((p) => p.name).sort()).toEqual(['cursor', 'limit']);
    expect(users.parameters.find((p) => p.name === 'limit')?.schema).toMatchObject({ minimum: 1, maximum: 100 });
    expect(Object.keys(users.responses).sort()).toEqual(['200', '400', '401', '403']);
    expect(JSON.stringify(users.responses['200'])).not.toMatch(/password|totp|email/i);
    expect(doc.paths['/openapi.json']?.get?.security).toEqual([]);
  });

  it('describes the complaint and assessment bodies as the server checks them', async () => {
    type JsonSchema = { required?: string[]; properties?: Record<string, JsonSchema>; enum?: string[] };
    type Operation = {
      description?: string;
      requestBody: { content: { 'application/json': { schema: JsonSchema } } };
    };
    const doc = (await get('/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, Operation>> }>();
    const record = doc.paths['/complaints']?.post;
    const complainant = record?.requestBody.content['application/json'].schema.properties?.complainant;
    expect(complainant?.required).toEqual(expect.arrayContaining(['name', 'email']));
    expect(complainant?.required).not.toContain('phone');
    expect(record?.description).toContain('email address is required');
    const assess = doc.paths['/complaints/{id}/assessment']?.post;
    const body = assess?.requestBody.content['application/json'].schema;
    expect(body?.required).toEqual(['outcome']);
    expect(body?.properties?.outcome?.enum).toEqual(
      expect.arrayContaining([
        'investigate',
        'not-investigate',
        'premature',
        'invalid',
        'closed-after-initial-enquiries',
      ]),
    );
    expect(Object.keys(body?.properties ?? {})).toEqual(expect.arrayContaining(['reason', 'investigatorId']));
    expect(assess?.description).toContain('otherwise unallocated');
  });
});
