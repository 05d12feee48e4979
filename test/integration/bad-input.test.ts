import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/api-route.ts';
import { apiRoutes } from '../../src/http/api.ts';
import { PERMISSIONS, ROLES, isStaffRole, type Role } from '../../src/modules/accounts/domain.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createUser, signedInAs } from '../support/factories.ts';

const LIMIT = 4096;
const SCRIPT = '<script>alert(1)</script>';
const SQL = "'; drop table users; --";

let t: TestApp;
let admin: TestClient;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: String(LIMIT) } });
  admin = new TestClient(t.app).withSession((await signedInAs(t.db, t.services, 'administrator')).token);
  adminToken = (
    await t.services.apiTokens.createFromCommandLine({ name: 'Bad input', role: 'administrator', authorityId: null })
  ).token;
});
afterAll(async () => {
  await t.close();
});

/** An API endpoint that takes a JSON body, and a token whose role may call it. */
async function bodyEndpoint(): Promise<{ method: string; url: string; token: string }> {
  const route = apiRoutes(t.services).find((r) => r.body !== undefined && r.access !== 'public');
  if (!route) throw new Error('the API has no endpoint taking a body');
  const role = ROLES.find(
    (r: Role) =>
      route.access === 'signed-in' ||
      (PERMISSIONS[route.access as keyof typeof PERMISSIONS] as readonly Role[]).includes(r),
  );
  if (!role) throw new Error(`no role may call ${route.url}`);
  const authorityId = isStaffRole(role) ? null : await createAuthority(t.db);
  const { token } = await t.services.apiTokens.createFromCommandLine({ name: 'Body', role, authorityId });
  // Path parameters get a well-formed id: the body is read before the handler looks anything up.
  return { method: route.method, url: `${API_PREFIX}${route.url.replace(/:\w+/g, crypto.randomUUID())}`, token };
}

describe('bodies that are too large or malformed', () => {
  it('answers an oversized form with the 413 page', async () => {
    const res = await admin.post('/staff/tokens', {
      name: 'x'.repeat(LIMIT * 2),
      role: 'administrator',
      authority: '',
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('The file or form you sent is too large.');
  });

  it('answers an oversized JSON body with a 413 problem', async () => {
    const endpoint = await bodyEndpoint();
    const res = await t.app.inject({
      method: endpoint.method as 'POST',
      url: endpoint.url,
      headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ padding: 'x'.repeat(LIMIT * 2) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 413, title: 'Payload too large' });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const endpoint = await bodyEndpoint();
    const res = await t.app.inject({
      method: endpoint.method as 'POST',
      url: endpoint.url,
      headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/json' },
      payload: '{"name": "unfinished',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, detail: 'The request body is not valid JSON' });
  });
});

describe('unknown addresses and forged forms', () => {
  it('answers an unknown page with the 404 page and an unknown API address with a 404 problem', async () => {
    const page = await admin.get('/staff/no-such-page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Page not found');

    const api = await t.app.inject({
      method: 'GET',
      url: '/api/v1/no-such-thing',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('refuses a form without its CSRF token with the 403 page and makes nothing', async () => {
    const res = await admin.post(
      '/staff/tokens',
      { name: 'Forged', role: 'administrator', authority: '' },
      { csrf: false },
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Your form could not be sent');
    const rows = await t.db.kysely.selectFrom('api_tokens').select('id').where('name', '=', 'Forged').execute();
    expect(rows).toEqual([]);
  });
});

describe('hostile text', () => {
  it('stores script and SQL as plain text and shows them escaped on pages', async () => {
    for (const name of [SCRIPT, SQL]) {
      expect((await admin.post('/staff/tokens', { name, role: 'investigator', authority: '' })).statusCode).toBe(303);
    }
    const stored = await t.db.kysely.selectFrom('api_tokens').select('name').execute();
    expect(stored.map((r) => r.name)).toEqual(expect.arrayContaining([SCRIPT, SQL]));
    expect((await t.db.kysely.selectFrom('users').select('id').execute()).length).toBeGreaterThan(0);

    const list = await admin.get('/staff/tokens');
    expect(list.body).not.toContain(SCRIPT);
    expect(list.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(list.body).toContain('&#39;; drop table users; --');

    const audit = await admin.get(
      `/staff/audit?action=${encodeURIComponent(SCRIPT)}&recordId=${encodeURIComponent(SQL)}`,
    );
    expect(audit.statusCode).toBe(200);
    expect(audit.body).not.toContain(SCRIPT);
    expect(audit.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(audit.body).toContain('No events match these filters.');
  });

  it('returns hostile text verbatim as JSON data through the API, and treats it as data in filters', async () => {
    await createUser(t.services, { role: 'investigator', displayName: SCRIPT });
    await createUser(t.services, { role: 'investigator', displayName: SQL });
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users?limit=100',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const names = res.json<{ items: { displayName: string }[] }>().items.map((u) => u.displayName);
    expect(names).toEqual(expect.arrayContaining([SCRIPT, SQL]));

    const filtered = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit-events?action=${encodeURIComponent(SQL)}&recordType=${encodeURIComponent(SCRIPT)}`,
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(filtered.statusCode).toBe(200);
    expect(filtered.json()).toEqual({ items: [], nextCursor: null });
  });
});
