import Fastify from 'fastify';
import pg from 'pg';
import { searchQuery } from '../src/modules/authorities/domain.ts';
import {
  DIRECTORY_SEARCHES,
  freePort,
  groupCpu,
  loadTest,
  log,
  machineLine,
  ownCpu,
  postgresCpu,
  round,
  selfCpu,
  signedInCookie,
  startServer,
  stopServer,
  withDatabase,
} from './support.ts';

/**
 * What this machine can do at all: `node --import tsx bench/floors.ts`.
 *
 * A bare program doing only the unavoidable part of a page's work, measured in the same minutes as
 * Liaison (the machine's speed drifts by a third within an hour, so only figures taken together
 * compare):
 *
 * - the directory's mix of searches and the portal enquiry inbox. The floor is a bare
 *   Fastify handler that runs the statements Liaison runs for the page (as prepared statements,
 *   with the directory's counts kept five seconds as Liaison keeps them) and sends the bytes
 *   Liaison sent for that page, taken from Liaison beforehand, with no templates, session check,
 *   security headers, CSRF or logging. Liaison and the floor are loaded alternately, twice each.
 *   Needs BENCH_DATABASE_URL with the databases bench/authorities.ts and bench/enquiries.ts filled.
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 20;

log(machineLine());

interface PageCase {
  name: string;
  database: string;
  role: string;
  authority: string | null;
  paths: string[];
  /** The statements the page runs, as the bare handler runs them. */
  query: (pool: pg.Pool, url: URL, authorityId: string | null) => Promise<unknown[]>;
  target: string;
}

// Mirrors AuthoritiesRepository.page and count: name order, the words from searchQuery().
const directoryCounts = new Map<string, { at: number; n: number }>();
async function directoryQuery(pool: pg.Pool, url: URL): Promise<unknown[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const words = searchQuery(url.searchParams.get('q') ?? '');
  if (words) where.push(`a.search_words @@ to_tsquery('simple', $${values.push(words)})`);
  const kind = url.searchParams.get('kind');
  if (kind) where.push(`a.kind = $${values.push(kind)}`);
  const region = url.searchParams.get('region');
  if (region) where.push(`a.region = $${values.push(region)}`);
  const status = url.searchParams.get('status');
  if (status) where.push(status === 'active' ? 'a.active = true' : 'a.active = false');
  const filter = where.length > 0 ? `where ${where.join(' and ')}` : '';
  const order = words ? `a.sort_name || ''` : 'a.sort_name';
  const key = `${filter}${JSON.stringify(values)}`;
  const cached = directoryCounts.get(key);
  const [page] = await Promise.all([
    pool.query<Record<string, unknown>>(
      `select a.id, a.name, a.kind, a.reference, a.region, a.active, a.sort_name
       from authorities as a ${filter} order by ${order} asc, a.id asc limit 51`,
      values,
    ),
    cached && Date.now() - cached.at < 5000
      ? Promise.resolve()
      : pool.query<{ n: number }>(`select count(*)::int as n from authorities as a ${filter}`, values).then((r) => {
          directoryCounts.set(key, { at: Date.now(), n: r.rows[0]?.n ?? 0 });
        }),
  ]);
  return page.rows;
}

// Mirrors EnquiriesRepository.inboxPage: the page of open enquiries, their number and the latest notices.
const INBOX = `select
  (select coalesce(json_agg(agg), '[]') from (select e.id, e.number, e.kind, e.sent_at, e.due_on,
     c.reference as complaint_reference, qc.questions, qc.ready
   from enquiries as e inner join complaints as c on c.id = e.complaint_id
   inner join lateral (select count(*) as questions, count(*) filter (where q.answer_state = 'ready') as ready
     from enquiry_questions as q where q.enquiry_id = e.id) as qc on true
   where e.authority_id = $1 and e.status = 'open' order by e.due_on, e.id limit 51) as agg) as rows,
  (select count(*) from enquiries as e where e.authority_id = $1 and e.status = 'open') as total,
  (select coalesce(json_agg(agg), '[]') from (select r.kind, r.due_on, r.sent_at, e.id as enquiry_id, e.number, c.reference
   from enquiry_reminders as r inner join enquiries as e on e.id = r.enquiry_id
   inner join complaints as c on c.id = e.complaint_id
   where r.authority_id = $1 and e.status = 'open' order by r.sent_at desc, r.id limit 10) as agg) as notices`;

const PAGES: PageCase[] = [
  {
    name: 'Directory search, 30,000 authorities',
    database: 'liaison_bench_authorities',
    role: 'relationship-lead',
    authority: null,
    paths: [...DIRECTORY_SEARCHES],
    query: (pool, url) => directoryQuery(pool, url),
    target: 'p95 ≤ 30 ms',
  },
  {
    name: 'Portal enquiry inbox (500 open)',
    database: 'liaison_bench_enquiries',
    role: 'link-officer',
    authority: 'Bench Council 1',
    paths: ['/portal/enquiries'],
    query: async (pool, _url, authorityId) =>
      (await pool.query<Record<string, unknown>>({ name: 'inbox', text: INBOX, values: [authorityId] })).rows,
    target: 'p95 ≤ 30 ms',
  },
];

async function pageFloors(): Promise<void> {
  const server = process.env.BENCH_DATABASE_URL;
  if (!server) {
    log('pages: set BENCH_DATABASE_URL to the server bench/authorities.ts and bench/enquiries.ts filled');
    return;
  }
  const databases = new pg.Client({ connectionString: server });
  await databases.connect();
  const present = new Set(
    (await databases.query<{ datname: string }>('select datname from pg_database')).rows.map((r) => r.datname),
  );
  await databases.end();
  for (const page of PAGES) {
    if (!present.has(page.database)) {
      log(`${page.name}: skipped, as the database ${page.database} is not there (its benchmark fills it)`);
      continue;
    }
    const url = withDatabase(server, page.database);
    const cookie = await signedInCookie(url, page.role, page.authority);
    const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 0, options: '-c jit=off' });
    const authorityId = page.authority
      ? ((await pool.query<{ id: string }>('select id from authorities where name = $1', [page.authority])).rows[0]
          ?.id ?? null)
      : null;
    const liaisonPort = await freePort();
    const liaison = await startServer(url, liaisonPort);
    const liaisonBase = `http://127.0.0.1:${liaisonPort}`;
    // Liaison's own answer for each path: the floor sends the same bytes.
    const bodies = new Map<string, Buffer>();
    for (const p of page.paths) {
      const response = await fetch(`${liaisonBase}${p}`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`${p} answered ${response.status}`);
      bodies.set(p, Buffer.from(await response.arrayBuffer()));
    }
    const bare = Fastify({ logger: false });
    bare.get('/*', async (request, reply) => {
      if (!request.headers.cookie?.includes('liaison_session=')) return reply.code(303).send();
      const rows = await page.query(pool, new URL(request.url, 'http://floor'), authorityId);
      if (!Array.isArray(rows)) throw new Error('no rows');
      return reply.type('text/html; charset=utf-8').send(bodies.get(request.url));
    });
    const barePort = await freePort();
    await bare.listen({ port: barePort, host: '127.0.0.1' });
    const bareBase = `http://127.0.0.1:${barePort}`;
    try {
      const kb = round([...bodies.values()].reduce((sum, b) => sum + b.length, 0) / bodies.size / 1024);
      log(`${page.name}, ${CONNECTIONS} connections, ${kb} KB a page (target ${page.target}):`);
      for (const run of [1, 2]) {
        for (const [label, base] of [
          ['Liaison', liaisonBase],
          ['floor', bareBase],
        ] as const) {
          await loadTest(base, page.paths, cookie, 2, CONNECTIONS);
          const serverCpu = () => (label === 'Liaison' ? groupCpu(liaison.pid ?? 0) : ownCpu());
          const before = [serverCpu(), postgresCpu(), selfCpu() - ownCpu()];
          const r = await loadTest(base, page.paths, cookie, SECONDS, CONNECTIONS);
          const after = [serverCpu(), postgresCpu(), selfCpu() - ownCpu()];
          const perRequest = (i: number) =>
            Math.round((((after[i] ?? 0) - (before[i] ?? 0)) * 1000) / (r.requestsPerSecond * SECONDS));
          log(
            `  ${run}. ${label.padEnd(7)} ${r.requestsPerSecond} req/s, p50 ${r.p50} ms, p95 ${r.p95} ms (${r.tool}); ` +
              `CPU µs a request: server ${perRequest(0)}, PostgreSQL ${perRequest(1)}, load generator ${perRequest(2)}`,
          );
        }
      }
    } finally {
      await bare.close();
      await stopServer(liaison);
      await pool.end();
    }
  }
}

await pageFloors();
