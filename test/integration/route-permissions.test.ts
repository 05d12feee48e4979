import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/api-route.ts';
import { apiRoutes } from '../../src/http/api.ts';
import { pageModules } from '../../src/http/modules.ts';
import type { Access } from '../../src/http/routes.ts';
import { PERMISSIONS, ROLES, isStaffRole, type Role } from '../../src/modules/accounts/domain.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, signedInAs } from '../support/factories.ts';

/**
 * Every route × every role. Whether a role may reach a route is computed from the PERMISSIONS
 * table, never listed here, so a change to the table is checked everywhere at once.
 */

let t: TestApp;
let authorityId: string;
const sessions = new Map<Role, string>();
const tokens = new Map<Role, string>();

beforeAll(async () => {
  t = await createTestApp();
  authorityId = await createAuthority(t.db);
  for (const role of ROLES) {
    const authority = isStaffRole(role) ? null : authorityId;
    sessions.set(role, (await signedInAs(t.db, t.services, role, authority ?? undefined)).token);
    const created = await t.services.apiTokens.createFromCommandLine({
      name: `Route walk ${role}`,
      role,
      authorityId: authority,
    });
    tokens.set(role, created.token);
  }
}, 120_000);
afterAll(async () => {
  await t.close();
});

function mayReach(role: Role | null, access: Access): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  if (access === 'signed-in') return true;
  return (PERMISSIONS[access] as readonly Role[]).includes(role);
}

const validAccess = (access: unknown): boolean =>
  access === 'public' || access === 'signed-in' || (typeof access === 'string' && access in PERMISSIONS);

interface RegisteredRoute {
  method: string;
  url: string;
}

/** Every route the application registered, read from Fastify's own route tree. */
function registeredRoutes(): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  const stack: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)[├└]── (.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const segment = m[2] ?? '';
    const parent = depth === 0 ? '' : (stack[depth - 1] ?? '');
    const path = parent.endsWith('/') && segment.startsWith('/') ? parent + segment.slice(1) : parent + segment;
    const full = depth === 1 && !segment.startsWith('/') ? `/${segment}` : path;
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(', ')) out.push({ method, url: full });
  }
  return out;
}

function declaredRoutes() {
  const pages = pageModules(t.services)
    .flat()
    .map((r) => ({ method: r.method, url: r.url, access: r.access, hidden: r.hidden === true, kind: 'page' as const }));
  const api = apiRoutes(t.services).map((r) => ({
    method: r.method,
    url: `${API_PREFIX}${r.url}`,
    access: r.access,
    hidden: false,
    kind: 'api' as const,
  }));
  return [...pages, ...api];
}

describe('every route declares its access', () => {
  it('finds no registered route outside the declared page and API lists (static assets apart)', () => {
    const declared = declaredRoutes();
    const known = new Set(declared.map((r) => `${r.method} ${r.url}`));
    const registered = registeredRoutes().filter((r) => r.method !== 'HEAD');
    expect(registered.length).toBeGreaterThan(10);
    // The one wildcard is the static assets route (Fastify prints it without its prefix).
    const wildcards = registered.filter((r) => r.url.endsWith('*'));
    expect(wildcards.map((r) => r.method)).toEqual(['GET']);
    expect(t.app.hasRoute({ method: 'GET', url: '/assets/*' })).toBe(true);
    const seen = new Set(registered.map((r) => `${r.method} ${r.url}`));
    const undeclared = registered.filter((r) => !r.url.endsWith('*') && !known.has(`${r.method} ${r.url}`));
    expect(undeclared, 'routes registered without a declared access').toEqual([]);
    for (const route of declared) {
      expect(validAccess(route.access), `${route.method} ${route.url} access ${route.access}`).toBe(true);
      expect(t.app.hasRoute({ method: route.method, url: route.url }), `${route.method} ${route.url}`).toBe(true);
      // And the route tree read above found it, so the check for undeclared routes sees everything.
      expect(seen.has(`${route.method} ${route.url}`), `${route.method} ${route.url} in the route tree`).toBe(true);
    }
  });
});

const withoutParams = (url: string) => !url.includes(':') && !url.includes('*');

describe('pages × roles', () => {
  it('lets exactly the roles the PERMISSIONS table names reach each page', async () => {
    const pages = declaredRoutes().filter((r) => r.kind === 'page' && r.method === 'GET' && withoutParams(r.url));
    expect(pages.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const page of pages) {
      for (const role of [null, ...ROLES]) {
        const client = new TestClient(t.app);
        if (role) client.withSession(sessions.get(role) ?? '');
        const res = await client.get(page.url);
        const who = role ?? 'anonymous';
        const toSignIn =
          res.statusCode >= 300 && res.statusCode < 400 && /^\/sign-in(\?|$)/.test(res.headers.location ?? '');
        if (mayReach(role, page.access)) {
          if (res.statusCode === 403 || res.statusCode >= 500)
            failures.push(`${who} GET ${page.url}: ${res.statusCode}`);
          // A public page may send a visitor to sign in as part of its own flow; a protected one must not.
          if (page.access !== 'public' && toSignIn) failures.push(`${who} GET ${page.url}: sent to sign in`);
        } else if (page.hidden) {
          // A hidden page tells everyone it refuses that it does not exist.
          if (res.statusCode !== 404) failures.push(`${who} GET ${page.url}: ${res.statusCode}, expected 404`);
        } else if (role === null) {
          if (!(res.statusCode === 303 && toSignIn))
            failures.push(`anonymous GET ${page.url}: ${res.statusCode}, not sent to sign in`);
        } else if (res.statusCode !== 403) {
          failures.push(`${who} GET ${page.url}: ${res.statusCode}, expected 403`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('API × roles', () => {
  it('answers 401 without a token and 403 to exactly the roles the PERMISSIONS table leaves out', async () => {
    const endpoints = declaredRoutes().filter((r) => r.kind === 'api' && r.method === 'GET' && withoutParams(r.url));
    expect(endpoints.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/api/v1/me', '/api/v1/users', '/api/v1/audit-events', '/api/v1/openapi.json']),
    );
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      const anonymous = await t.app.inject({ method: 'GET', url: endpoint.url });
      // Reaching an operation is any answer but a refusal or a server error: a public one may answer
      // 404 for what it has not got (published figures before any year is published).
      const refused = (status: number) => status === 401 || status === 403 || status >= 500;
      if (endpoint.access === 'public') {
        if (refused(anonymous.statusCode)) failures.push(`no token GET ${endpoint.url}: ${anonymous.statusCode}`);
      } else if (anonymous.statusCode !== 401 || !String(anonymous.headers['content-type']).includes('problem+json')) {
        failures.push(`no token GET ${endpoint.url}: ${anonymous.statusCode}, expected a 401 problem`);
      }
      for (const role of ROLES) {
        const res = await t.app.inject({
          method: 'GET',
          url: endpoint.url,
          headers: { authorization: `Bearer ${tokens.get(role) ?? ''}` },
        });
        if (mayReach(role, endpoint.access)) {
          if (refused(res.statusCode)) failures.push(`${role} GET ${endpoint.url}: ${res.statusCode}`);
        } else if (res.statusCode !== 403 || !String(res.headers['content-type']).includes('problem+json')) {
          failures.push(`${role} GET ${endpoint.url}: ${res.statusCode}, expected a 403 problem`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
