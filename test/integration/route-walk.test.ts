import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/cli/demo-data.ts';
import { API_PREFIX } from '../../src/http/api-route.ts';
import { apiRoutes } from '../../src/http/api.ts';
import { pageModules } from '../../src/http/modules.ts';
import type { Access } from '../../src/http/routes.ts';
import { PERMISSIONS, ROLES, isStaffRole, type Role } from '../../src/modules/accounts/domain.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, signedInAs } from '../support/factories.ts';

/**
 * Every page and API route, GET and POST, × every role (and no one), with the path filled with real
 * ids of records that belong to other authorities (the demo data's). Whether a role may reach a
 * route comes from the PERMISSIONS table. Beyond the access check, an authority's user or token
 * never reads (2xx) or changes (an audit row) another authority's records, and nothing answers 5xx.
 */

let t: TestApp;
let own: string;
const sessions = new Map<Role, string>();
const tokens = new Map<Role, string>();

/**
 * Where a path parameter's value comes from: the path segment before it names the record. `owned`
 * records belong to one authority; the walk takes one of another authority's.
 */
const SOURCES: Record<string, { table: string; owned: boolean; column?: string }> = {
  complaints: { table: 'complaints', owned: true },
  authorities: { table: 'authorities', owned: false },
  authority: { table: 'authorities', owned: false },
  enquiries: { table: 'enquiries', owned: true },
  questions: { table: 'enquiry_questions', owned: true },
  extensions: { table: 'enquiry_extension_requests', owned: true },
  'extension-requests': { table: 'enquiry_extension_requests', owned: true },
  remedies: { table: 'remedies', owned: true },
  evidence: { table: 'remedy_evidence', owned: true },
  'public-reports': { table: 'public_reports', owned: true },
  steps: { table: 'public_report_steps', owned: true },
  'draft-decisions': { table: 'draft_decisions', owned: true },
  review: { table: 'decision_reviews', owned: true },
  documents: { table: 'documents', owned: true },
  correspondence: { table: 'correspondence_threads', owned: true },
  'link-officers': { table: 'link_officers', owned: true },
  'link-officer-changes': { table: 'link_officer_change_requests', owned: true },
  cover: { table: 'link_officer_covers', owned: true },
  users: { table: 'users', owned: true },
  tokens: { table: 'api_tokens', owned: false },
  'holding-pen': { table: 'inbound_messages', owned: false },
  outbox: { table: 'outbox_messages', owned: false },
  import: { table: 'authority_imports', owned: false },
};

/** Values for parameters that are not record ids. */
const FIXED: Record<string, string> = {
  version: '1',
  area: 'housing',
  token: 'x'.repeat(43),
  step: 'about-you',
};

const ANY_ID = '0b5e2d5c-8a51-4b52-9a55-6a1f5c3f0a11';

interface Walked {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  path: string;
  access: Access;
  /** Refused callers are told it does not exist (404). */
  hidden: boolean;
  kind: 'page' | 'api';
  /** Whether the path holds an id of a record that belongs to another authority. */
  othersRecord: boolean;
}

const idCache = new Map<string, string | null>();

async function idFrom(table: string, owned: boolean): Promise<string | null> {
  const key = `${table}:${owned}`;
  if (!idCache.has(key)) {
    const where = owned ? sql`WHERE authority_id IS NOT NULL AND authority_id <> ${own}` : sql``;
    const result = await sql<{ id: string }>`SELECT id::text AS id FROM ${sql.table(table)} ${where} LIMIT 1`.execute(
      t.db.kysely,
    );
    idCache.set(key, result.rows[0]?.id ?? null);
  }
  return idCache.get(key) ?? null;
}

/** The route's path with every parameter filled; whether one of them is another authority's record. */
async function fill(url: string): Promise<{ path: string; othersRecord: boolean }> {
  const segments = url.split('/');
  let othersRecord = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    if (!segment.startsWith(':')) continue;
    const name = segment.slice(1);
    const source = SOURCES[segments[i - 1] ?? ''];
    let value = FIXED[name] ?? ANY_ID;
    if (source && !(name in FIXED)) {
      const id = await idFrom(source.table, source.owned);
      if (id) {
        value = id;
        othersRecord ||= source.owned;
      }
    }
    segments[i] = encodeURIComponent(value);
  }
  return { path: segments.join('/'), othersRecord };
}

function mayReach(role: Role | null, access: Access): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  if (access === 'signed-in') return true;
  return (PERMISSIONS[access] as readonly Role[]).includes(role);
}

/** Routes a walk must not take: they end the session the walk signs in with. */
const SESSION_ENDING = new Set(['POST /sign-out', 'POST /account/sign-out-everywhere']);

beforeAll(async () => {
  t = await createTestApp();
  await loadDemoData({ db: t.db, services: t.services, clock: t.clock });
  own = await createAuthority(t.db);
  for (const role of ROLES) {
    const authority = isStaffRole(role) ? undefined : own;
    sessions.set(role, (await signedInAs(t.db, t.services, role, authority)).token);
    const created = await t.services.apiTokens.createFromCommandLine({
      name: `Route walk ${role}`,
      role,
      authorityId: authority ?? null,
    });
    tokens.set(role, created.token);
  }
  // The token pages and endpoints act on a token of their own, never on one the walk calls with.
  const target = await t.services.apiTokens.createFromCommandLine({
    name: 'Route walk target',
    role: 'investigator',
    authorityId: null,
  });
  idCache.set('api_tokens:false', target.id);
}, 300_000);
afterAll(async () => {
  await t.close();
});

async function everyRoute(): Promise<Walked[]> {
  const declared = [
    ...pageModules(t.services)
      .flat()
      .map((r) => ({
        method: r.method,
        url: r.url,
        access: r.access,
        hidden: r.hidden === true,
        kind: 'page' as const,
      })),
    ...apiRoutes(t.services).map((r) => ({
      method: r.method,
      url: `${API_PREFIX}${r.url}`,
      access: r.access,
      hidden: false,
      kind: 'api' as const,
    })),
  ];
  const walked: Walked[] = [];
  for (const route of declared) {
    if (SESSION_ENDING.has(`${route.method} ${route.url}`)) continue;
    walked.push({ ...route, ...(await fill(route.url)) });
  }
  return walked;
}

describe('every route × every role', () => {
  it('answers each role as the PERMISSIONS table says, and never lets an authority read or change another’s records', async () => {
    const routes = await everyRoute();
    const failures: string[] = [];
    for (const route of routes) {
      for (const role of [null, ...ROLES]) {
        const who = role ?? 'no one';
        const res =
          route.kind === 'page'
            ? await pageRequest(route, role)
            : await t.app.inject({
                method: route.method,
                url: route.path,
                headers: role ? { authorization: `Bearer ${tokens.get(role) ?? ''}` } : {},
                ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
              });
        const status = res.statusCode;
        const label = `${who} ${route.method} ${route.url}`;
        if (status >= 500) failures.push(`${label}: ${status}`);
        if (!mayReach(role, route.access)) {
          // A hidden route tells everyone it may not serve that it does not exist.
          const refused = route.hidden
            ? status === 404
            : role === null
              ? route.kind === 'api'
                ? status === 401
                : status === 303 && /^\/sign-in(\?|$)/.test(res.headers.location ?? '')
              : status === 403;
          if (!refused) failures.push(`${label}: ${status}, expected it refused`);
        } else if (role !== null && !isStaffRole(role) && route.othersRecord && status >= 200 && status < 300) {
          failures.push(`${label}: ${status} on another authority's record`);
        }
      }
    }
    const pages = routes.filter((r) => r.kind === 'page').length;
    const withIds = routes.filter((r) => r.othersRecord).length;
    process.stdout.write(
      `Route walk: ${routes.length} routes (${pages} pages and forms, ${routes.length - pages} API operations; ` +
        `${withIds} with another authority's record in the path) × ${ROLES.length + 1} callers\n`,
    );
    expect(failures).toEqual([]);
    // No authority's user or token changed a record of another authority (its audit row would name it).
    const crossed = await sql<{ action: string }>`
      SELECT a.action FROM audit_events a
        LEFT JOIN users u ON a.actor_type = 'user' AND u.id = a.actor_id
        LEFT JOIN api_tokens k ON a.actor_type = 'token' AND k.id = a.actor_id
       WHERE COALESCE(u.authority_id, k.authority_id) IS NOT NULL
         AND a.authority_id IS NOT NULL
         AND a.authority_id <> COALESCE(u.authority_id, k.authority_id)`.execute(t.db.kysely);
    expect(crossed.rows.map((r) => r.action)).toEqual([]);
    // The walk covered every declared route but the two that end the session it signs in with.
    expect(routes.length).toBeGreaterThan(200);
    expect(withIds).toBeGreaterThan(40);
  }, 1_200_000);
});

async function pageRequest(route: Walked, role: Role | null) {
  const client = new TestClient(t.app);
  if (role) client.withSession(sessions.get(role) ?? '');
  return route.method === 'GET' ? client.get(route.path) : client.post(route.path, {});
}
