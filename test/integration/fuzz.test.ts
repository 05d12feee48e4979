import fs from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/cli/demo-data.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/cli/demo-fixtures.ts';
import { isStaffRole, type Actor, type Role } from '../../src/modules/accounts/domain.ts';
import { STEPS } from '../../src/modules/complaints/public-form.ts';
import { pageModules } from '../../src/http/modules.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';
import { multipartForm } from '../support/multipart.ts';
import {
  SCRIPT_MARKER,
  exampleOf,
  fieldPaths,
  hostileJson,
  hostileText,
  readPage,
  routeOf,
  samples,
  withValue,
  type JsonSchema,
  type PageForm,
} from '../support/fuzz.ts';

/**
 * Hostile values in every field of every API operation (read from the OpenAPI document) and every
 * form (read from the pages each role can reach), as a visitor, an authority user and ombudsman
 * staff, over the demo's data. Each answer must be below 500, must not change anything when it is an
 * error, and must never give the script sent back as markup. Values come from fast-check with a fixed
 * seed and a fixed number of runs, so every run sends the same requests.
 */

const SEED = 20_261_206;
const RUNS_PER_FIELD = 3;
const PAGES_PER_ROLE = 400;
const INSTANCES_PER_ROUTE = 8;

/**
 * Who fuzzes: a visitor, staff part-way through signing in (a code due; two-factor to set up), the
 * authority's link officer, and staff in each role.
 */
type Crawler = Role | 'visitor' | 'two-factor-due' | 'two-factor-set-up';

const ROLES: readonly Crawler[] = [
  'two-factor-due',
  'two-factor-set-up',
  'visitor',
  'link-officer',
  'intake-officer',
  'investigator',
  'team-coordinator',
  'casework-manager',
  'relationship-lead',
  'administrator',
];

let t: TestApp;
const userIds = new Map<Role, string>();
const failures: string[] = [];
let requests = 0;

beforeAll(async () => {
  t = await createTestApp();
  await loadDemoData({ db: t.db, services: t.services, clock: t.clock });
  for (const role of ROLES) {
    if (role === 'visitor' || role === 'two-factor-due' || role === 'two-factor-set-up') continue;
    const email = DEMO_ACCOUNTS.find((a) => a.role === role)?.email ?? '';
    const user = await t.db.kysely
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    userIds.set(role, user.id);
  }
  await seedStates();
}, 300_000);

const newStaffEmail = 'fuzz-new-staff@ombudsman.example';
/** Where each role's crawl starts besides its home: pages of records, and the links emails carry. */
const entryPoints: string[] = [];

/**
 * States the demo does not reach, so that every form has a page: staff without two-factor yet, an
 * invitation, a password reset and case mail to follow by their links, a closed authority, a
 * deactivated user, a change of link officer waiting, an email of unknown delivery, an API token.
 */
async function seedStates(): Promise<void> {
  const adminId = userIds.get('administrator') ?? '';
  const admin: Actor = { type: 'user', id: adminId, roles: ['administrator'], authorityId: null };
  await createUser(t.services, { role: 'investigator', email: newStaffEmail, password: DEMO_PASSWORD });
  const spare = await createUser(t.services, { role: 'intake-officer' });
  await t.services.accounts.deactivate(admin, spare.id);
  await t.services.accounts.invite(admin, {
    email: 'fuzz-invited@example.org',
    displayName: 'Fuzz Invited',
    roles: ['investigator'],
    authorityId: null,
  });
  await t.services.accounts.requestPasswordReset('delegate@camden.example');
  const authorities = await t.db.kysely.selectFrom('authorities').select(['id', 'name']).orderBy('name').execute();
  const camden = authorities.find((a) => a.name.includes('Camden'));
  const other = authorities.find((a) => !a.name.includes('Camden'));
  if (other) await t.services.authorities.setClosed(admin, other.id, true);
  if (camden)
    await t.services.linkOfficers.requestChange(null, {
      authorityId: camden.id,
      change: 'add',
      details: {
        title: 'Ms',
        forename: 'Fuzz',
        surname: 'Officer',
        jobTitle: 'Complaints manager',
        email: 'fuzz-officer@camden.example',
        correspondenceEmail: null,
        phone: '+442079460958',
      },
      requesterName: 'Fuzz Requester',
      requesterEmail: 'fuzz-requester@example.org',
    });
  await t.services.apiTokens.createFromCommandLine({
    name: 'Fuzz page token',
    role: 'investigator',
    authorityId: null,
  });
  for (;;) if ((await t.services.correspondence.dispatchPending(500)) === 0) break;
  const unknown = await t.db.kysely.selectFrom('outbox_messages').select('id').limit(1).executeTakeFirst();
  if (unknown)
    await t.db.kysely.updateTable('outbox_messages').set({ status: 'unknown' }).where('id', '=', unknown.id).execute();
  // Every link Liaison has emailed: the token pages are reached only this way.
  for (const message of await t.db.kysely.selectFrom('outbox_messages').select('text_body').execute())
    for (const match of message.text_body.matchAll(/https?:\/\/[^\s/]+(\/[^\s<>")\]]*)/g))
      if (match[1]) entryPoints.push(match[1]);
}
afterAll(async () => {
  await t?.close();
});

/** The table whose records a page's `:id` names, from the segment before it (`/staff/complaints/:id`). */
const PAGE_TABLES: Record<string, string> = {
  complaints: 'complaints',
  enquiries: 'enquiries',
  remedies: 'remedies',
  'public-reports': 'public_reports',
  authorities: 'authorities',
  users: 'users',
  'holding-pen': 'inbound_messages',
  'link-officer-changes': 'link_officer_change_requests',
  outbox: 'outbox_messages',
  tokens: 'api_tokens',
};

/**
 * A few pages of each page route about one record (the route's `:id`), for records the role may
 * see: cases differ by stage, and so do their forms. Pages linked from no other page are reached so.
 */
async function recordPages(role: Role): Promise<string[]> {
  const camden = await t.db.kysely
    .selectFrom('authorities')
    .select('id')
    .where('name', 'like', '%Camden%')
    .executeTakeFirstOrThrow();
  const out: string[] = [];
  for (const route of pageModules(t.services).flat()) {
    if (route.method !== 'GET' || (route.url.match(/:\w+/g) ?? []).length !== 1) continue;
    const match = /\/([a-z-]+)\/:id(\/|$)/.exec(route.url);
    const table = match?.[1] ? PAGE_TABLES[match[1]] : undefined;
    if (!table || (role === 'link-officer') !== route.url.startsWith('/portal')) continue;
    // One record in each status where the table has one, so each stage's forms are seen.
    const where = isStaffRole(role) ? '' : 'WHERE authority_id = $1';
    const values = isStaffRole(role) ? [] : [camden.id];
    const own = await t.db
      .query<{ id: string }>(
        `SELECT id FROM (SELECT DISTINCT ON (status) id, status FROM ${table} ${where} ORDER BY status, id) s LIMIT ${INSTANCES_PER_ROUTE}`,
        values,
      )
      .catch(() =>
        t.db
          .query<{ id: string }>(`SELECT id FROM ${table} ${where} ORDER BY id LIMIT ${INSTANCES_PER_ROUTE}`, values)
          .catch(() => ({ rows: [] as { id: string }[] })),
      );
    for (const row of own.rows) out.push(route.url.replace(':id', row.id));
  }
  return out;
}

/** Fields the forms of actions on a record have: a reason, a note, a comment, a choice. */
const GUESSED_FIELDS = ['text', 'reason', 'comments', 'description', 'notes', 'outcome', 'decision', 'name', 'email'];

/** The tables a page route's other parameters name. */
const PARAM_TABLES: Record<string, string> = {
  ':questionId': 'enquiry_questions',
  ':evidenceId': 'remedy_evidence',
  ':reviewId': 'decision_reviews',
  ':stepId': 'public_report_steps',
  ':officerId': 'link_officers',
};

/** A real record's id for a route's parameter (a made-up one where there is none, a made-up token). */
async function realParam(url: string, param: string): Promise<string> {
  if (param === ':token') return 'x'.repeat(43);
  const segment = url.split(`/${param}`)[0]?.split('/').pop() ?? '';
  const table = PARAM_TABLES[param] ?? PAGE_TABLES[segment];
  if (!table) return crypto.randomUUID();
  const row = await t.db.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id LIMIT 1`).catch(() => null);
  return row?.rows[0]?.id ?? crypto.randomUUID();
}

/** Posts a form as `role` (a fresh session) and checks the answer, following a redirect. */
async function postAndCheck(role: Crawler, what: string, url: string, form: Record<string, string>): Promise<void> {
  const sender = await client(role);
  const before = await changeCount();
  const res = await sender.post(url, form);
  const location = res.headers.location;
  const page =
    res.statusCode === 303 && typeof location === 'string' && location.startsWith('/')
      ? await sender.get(location)
      : undefined;
  check(what, res, page);
  const refused = (res.statusCode >= 400 && res.statusCode < 500) || page?.body.includes('govuk-error-summary');
  if (refused && (await changeCount()) !== before) failures.push(`${what}: refused, yet changed something`);
}

/** Changes: audit rows, less those that record a refused attempt (a failed sign-in is audited by design). */
async function changeCount(): Promise<number> {
  const row = await t.db.kysely
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('action', 'not like', '%failed%')
    .where('action', 'not like', '%locked-out%')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function client(role: Crawler): Promise<TestClient> {
  const c = new TestClient(t.app);
  if (role === 'visitor') return c;
  if (role === 'two-factor-due' || role === 'two-factor-set-up') {
    // Signed in with a password only: the next page asks for a code, or to set two-factor up.
    const email = role === 'two-factor-due' ? 'investigator@ombudsman.example' : newStaffEmail;
    await c.post('/sign-in', { email, password: DEMO_PASSWORD });
    return c;
  }
  const id = userIds.get(role);
  if (!id) throw new Error(`no demo user with role ${role}`);
  return c.withSession(await createSession(t.db, id));
}

const isHtml = (res: LightMyRequestResponse) => String(res.headers['content-type'] ?? '').includes('text/html');

function check(what: string, res: LightMyRequestResponse, page?: LightMyRequestResponse) {
  requests++;
  if (res.statusCode >= 500) failures.push(`${what}: ${res.statusCode}`);
  for (const r of [res, page]) {
    if (r && isHtml(r) && r.body.includes(SCRIPT_MARKER)) failures.push(`${what}: the script came back as markup`);
  }
}

// ---------------------------------------------------------------------------------------------

describe('every form, with hostile values in each field', () => {
  it('never answers 500, changes nothing when it refuses, and escapes what it echoes', async () => {
    // Every page route that takes a form, as declared, and which of them the crawl reached.
    const postRoutes = pageModules(t.services)
      .flat()
      .filter((r) => r.method === 'POST')
      .map((r) => ({ url: r.url, pattern: new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+')}$`) }));
    const reached = new Set<string>();
    const fuzzed = new Set<string>();
    let formCount = 0;
    let fieldCount = 0;
    const routes = new Set<string>();
    for (const role of ROLES) {
      // Crawl what this role can reach, keeping one page per route and one form per route posted to.
      const browser = await client(role);
      // Cases differ by what stage they are at, and so do their forms: a few pages of each route.
      const seen = new Map<string, number>();
      const visited = new Set<string>();
      // The public complaint form's steps each have a page, reached one after another by posting.
      const queue =
        role === 'visitor'
          ? ['/', '/complain', ...STEPS.map((step) => `/complain/${step.slug}`), '/complain/check', ...entryPoints]
          : role === 'two-factor-due'
            ? ['/sign-in/two-factor']
            : role === 'two-factor-set-up'
              ? ['/sign-in/two-factor/set-up']
              : [role === 'link-officer' ? '/portal' : '/staff', ...(await recordPages(role))];
      const forms = new Map<string, PageForm>();
      while (queue.length > 0 && visited.size < PAGES_PER_ROLE) {
        const url = queue.shift() ?? '/';
        // A page, and the same page searched or filtered, are each visited.
        const route = `${routeOf(url)}${url.includes('?') ? '?' : ''}`;
        const times = seen.get(route) ?? 0;
        if (visited.has(url) || times >= (route.includes(':id') ? INSTANCES_PER_ROUTE : 1)) continue;
        seen.set(route, times + 1);
        visited.add(url);
        const res = await browser.get(url);
        const location = res.headers.location;
        if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string' && location.startsWith('/'))
          queue.push(location);
        if (res.statusCode !== 200 || !isHtml(res)) continue;
        const { links, forms: found } = readPage(res.body, url, 'Camden');
        for (const link of links)
          if (!/^\/(assets|api)\/|sign-out|download|\/documents\/|\.csv|\.ics/.test(link) && !visited.has(link))
            queue.push(link);
        for (const form of found) {
          const key = `${routeOf(form.action)} ${[...form.fields.keys()].sort().join(',')}`;
          if (!forms.has(key)) forms.set(key, form);
        }
      }

      for (const [key, form] of forms) {
        // A form another role has already had fuzzed runs the same handler: once is enough.
        if (fuzzed.has(key)) continue;
        fuzzed.add(key);
        formCount++;
        routes.add(`${role} POST ${routeOf(form.action)}`);
        const path = form.action.split('?')[0] ?? '';
        const declared = postRoutes.find((r) => r.pattern.test(path));
        if (declared) reached.add(declared.url);
        // The CSRF field too: a hostile token must be refused as any other is.
        const names = [...new Set(['_csrf', ...form.fields.keys()])];
        for (const [i, name] of names.entries()) {
          fieldCount++;
          for (const value of samples(hostileText({ long: true }), SEED + i, RUNS_PER_FIELD)) {
            const sender = await client(role); // a fresh session: a form may end the one before
            const fields: [string, string][] = name === '_csrf' && !form.fields.has('_csrf') ? [['_csrf', value]] : [];
            for (const [n, values] of form.fields) {
              if (n === '_csrf' && n !== name) {
                // The client adds the right one to a urlencoded form; an upload form carries it as its own field.
                if (form.multipart) fields.push([n, sender.csrfToken]);
                continue;
              }
              if (n === name) fields.push([n, value]);
              else for (const v of values) fields.push([n, v]);
            }
            const before = await changeCount();
            let res: LightMyRequestResponse;
            if (form.multipart) {
              const body = multipartForm(
                fields,
                form.fileField
                  ? { field: form.fileField, name: 'letter.txt', bytes: Buffer.from('A letter.'), type: 'text/plain' }
                  : undefined,
              );
              res = await sender.request({
                method: 'POST',
                url: form.action,
                headers: body.headers,
                payload: body.payload,
              });
            } else {
              const flat: Record<string, string[]> = {};
              for (const [n, v] of fields) (flat[n] ??= []).push(v);
              res = await sender.post(form.action, flat);
            }
            const location = res.headers.location;
            const page =
              res.statusCode === 303 && typeof location === 'string' && location.startsWith('/')
                ? await sender.get(location)
                : undefined;
            const what = `${role} ${key} [${name}=${JSON.stringify(value.slice(0, 40))}]`;
            check(what, res, page);
            const refused =
              (res.statusCode >= 400 && res.statusCode < 500) || page?.body.includes('govuk-error-summary');
            if (refused && (await changeCount()) !== before) failures.push(`${what}: refused, yet changed something`);
          }
        }
      }
    }
    process.stdout.write(`fuzz: ${formCount} forms, ${fieldCount} fields, ${requests} requests\n`);
    const unreached = postRoutes.map((r) => r.url).filter((url) => !reached.has(url));
    const byAddress = new Set<string>();
    // Routes whose form appears only in a state the demo does not reach: hostile values in their
    // path, their CSRF field and the fields such forms have, as each role that may post to them.
    for (const url of unreached) {
      const params = url.match(/:\w+/g) ?? [];
      for (const role of ROLES) {
        const address = async (hostile?: { param: string; value: string }) => {
          let out = url;
          for (const param of params)
            out = out.replace(
              param,
              encodeURIComponent(hostile?.param === param ? hostile.value : await realParam(url, param)),
            );
          return out;
        };
        const first = await (await client(role)).post(await address(), {});
        if (first.statusCode === 403 || (first.headers.location ?? '').startsWith('/sign-in')) continue;
        byAddress.add(url);
        for (const [i, field] of ['_csrf', ...GUESSED_FIELDS].entries())
          for (const value of samples(hostileText({ long: true }), SEED + i, RUNS_PER_FIELD))
            await postAndCheck(role, `${role} ${url} [${field}]`, await address(), { [field]: value });
        for (const param of params)
          for (const value of samples(hostileText({ long: false }), SEED, RUNS_PER_FIELD))
            await postAndCheck(role, `${role} ${url} [${param}]`, await address({ param, value }), {});
      }
    }
    const missed = unreached.filter((url) => !byAddress.has(url));
    process.stdout.write(
      `fuzz: ${postRoutes.length} page routes that take a form: ${reached.size} fuzzed field by field from their form, ` +
        `${byAddress.size} more through their address and the fields such forms have` +
        `${missed.length > 0 ? `; none for: ${missed.join(' ')}` : ''}\n`,
    );
    fs.mkdirSync('tmp', { recursive: true });
    fs.writeFileSync('tmp/fuzz-forms.txt', [...routes].sort().join('\n'));
    expect(failures).toEqual([]);
    expect(missed).toEqual([]);
    expect(formCount).toBeGreaterThan(20);
  }, 1_500_000);
});

// ---------------------------------------------------------------------------------------------

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: 'path' | 'query'; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
}

/** The table whose ids a path parameter names, from the segment before it (`/complaints/{id}`). */
const TABLE_OF_SEGMENT: Record<string, string> = {
  authorities: 'authorities',
  'link-officers': 'link_officers',
  complaints: 'complaints',
  'draft-decisions': 'draft_decisions',
  enquiries: 'enquiries',
  'public-reports': 'public_reports',
  remedies: 'remedies',
  evidence: 'remedy_evidence',
  users: 'users',
};

describe('every API operation, with hostile values in each field and parameter', () => {
  it('never answers 500 and changes nothing when it refuses', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
    }>();
    const operations: Operation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    );
    // Records of the link officer's own authority where a table has one, so every caller reaches them.
    const home = await t.db.kysely
      .selectFrom('authorities')
      .select('id')
      .where('name', 'like', '%Camden%')
      .executeTakeFirstOrThrow();
    const authorityId = home.id;
    const ids = new Map<string, string>([['authorities', authorityId]]);
    for (const table of new Set(Object.values(TABLE_OF_SEGMENT))) {
      if (table === 'authorities') continue;
      const own = await t.db
        .query<{ id: string }>(`SELECT id FROM ${table} WHERE authority_id = $1 LIMIT 1`, [authorityId])
        .catch(() => t.db.query<{ id: string }>(`SELECT id FROM ${table} LIMIT 1`));
      const row = own.rows[0];
      if (row) ids.set(table, row.id);
    }
    const idFor = (name: string) =>
      /authority/i.test(name) ? authorityId : (ids.get(TABLE_OF_SEGMENT[name] ?? '') ?? crypto.randomUUID());

    const tokens = new Map<string, string | null>([['visitor', null]]);
    for (const role of ROLES) {
      if (role === 'visitor' || role === 'two-factor-due' || role === 'two-factor-set-up') continue;
      const made = await t.services.apiTokens.createFromCommandLine({
        name: `Fuzz ${role}`,
        role,
        authorityId: isStaffRole(role) ? null : authorityId,
      });
      tokens.set(role, made.token);
    }

    let fieldCount = 0;
    const baselines: string[] = [];
    for (const op of operations) {
      const pathUrl = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        const segment = op.path.split(`/{${name}}`)[0]?.split('/').pop() ?? '';
        return idFor(TABLE_OF_SEGMENT[segment] ? segment : name);
      });
      const bodySchema = op.requestBody?.content['application/json'].schema;
      const baseline = bodySchema ? exampleOf(bodySchema, idFor) : undefined;
      const queries = (op.parameters ?? []).filter((p) => p.in === 'query');
      const bodyFields = bodySchema ? fieldPaths(bodySchema) : [];
      fieldCount += queries.length + bodyFields.length + (op.parameters ?? []).filter((p) => p.in === 'path').length;

      for (const [role, token] of tokens) {
        const send = async (url: string, body: unknown) => {
          const before = await changeCount();
          const res = await t.app.inject({
            method: op.method as 'POST',
            url: `/api/v1${url}`,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
          const what = `${role} ${op.method} ${op.path} ${JSON.stringify(body ?? url).slice(0, 120)}`;
          check(what, res);
          if (res.statusCode >= 400 && (await changeCount()) !== before)
            failures.push(`${what}: refused, yet changed something`);
          return res;
        };
        // A role the operation is not for is refused before any input is read: once is enough.
        const first = await send(pathUrl, baseline);
        baselines.push(
          `${role} ${op.method} ${op.path} ${first.statusCode} ${first.statusCode >= 400 ? first.body : ''}`,
        );
        if (first.statusCode === 401 || first.statusCode === 403) continue;
        for (const [i, q] of queries.entries())
          for (const value of samples(hostileText({ long: false }), SEED + i, RUNS_PER_FIELD))
            await send(`${pathUrl}?${new URLSearchParams({ [q.name]: value }).toString()}`, baseline);
        for (const name of (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name))
          for (const value of samples(hostileText({ long: false }), SEED, RUNS_PER_FIELD))
            await send(
              op.path
                .replace(`{${name}}`, encodeURIComponent(value))
                .replace(/\{(\w+)\}/g, (_m, other: string) => idFor(other)),
              baseline,
            );
        for (const [i, path] of bodyFields.entries())
          for (const value of samples(hostileJson, SEED + i, RUNS_PER_FIELD))
            await send(pathUrl, withValue(baseline, path, value));
      }
    }
    process.stdout.write(
      `fuzz: ${operations.length} API operations × ${tokens.size} callers, ${fieldCount} fields and parameters, ${requests} requests in all\n`,
    );
    fs.writeFileSync('tmp/fuzz-api.txt', baselines.join('\n'));
    expect(failures).toEqual([]);
    expect(operations.length).toBeGreaterThan(20);
  }, 900_000);
});
