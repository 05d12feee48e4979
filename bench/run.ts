import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { DEFAULT_SIZES, createBenchSession, generateBenchData } from './generate.ts';
import { browserCookies, ROOT, CONNECTIONS, SECONDS } from './support.ts';

/**
 * Liaison's benchmarks: `npm run bench`. See bench/README.md for what is measured and the figures.
 *
 * Runs against PostgreSQL: BENCH_DATABASE_URL (a server URL; the `liaison_bench` database on it is
 * dropped and recreated), or else a throwaway server from scripts/pg-test-server.sh.
 * Load: autocannon on loopback, BENCH_CONNECTIONS (20) connections for BENCH_SECONDS (10) per page.
 */

const SECRET = 'bench-secret-bench-secret-bench-secret-0';
const DB_NAME = 'liaison_bench';

interface LoadResult {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

const log = (line: string) => console.log(line);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers with any status; returns the status and the milliseconds since `since`. */
async function waitForFirstResponse(url: string, since: number, child: ChildProcess, timeoutMs = 120_000) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the process exited (${child.exitCode}) before answering ${url}`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - since };
    } catch {
      if (performance.now() - since > timeoutMs) throw new Error(`no answer from ${url} in ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}

interface Started {
  child: ChildProcess;
  base: string;
  firstPage: { status: number; ms: number };
  output: () => string;
}

async function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const since = performance.now();
  // Its own process group, so stopping `npm run …` also stops the server it started.
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  try {
    const firstPage = await waitForFirstResponse(`${base}/sign-in`, since, child);
    return { child, base, firstPage, output: () => output };
  } catch (error) {
    await stopProcess(child);
    throw new Error(`${String(error)}\n${output}`);
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Resident memory of a process, in MB: now and at its peak. */
function memory(pid: number | undefined): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

function cannon(url: string, headers: Record<string, string>, seconds: number, onLatency?: (ms: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, headers }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
    if (onLatency) instance.on('response', (_client, _status, _bytes, responseTime) => onLatency(responseTime));
  });
}

async function load(label: string, url: string, headers: Record<string, string> = {}): Promise<LoadResult> {
  const check = await fetch(url, { headers, redirect: 'manual' });
  await check.arrayBuffer();
  if (check.status !== 200) log(`  warning: ${url} answers ${check.status}, not 200`);
  await cannon(url, headers, 2); // warm-up
  const latencies: number[] = [];
  const result = await cannon(url, headers, SECONDS, (ms) => latencies.push(ms));
  latencies.sort((a, b) => a - b);
  const r = {
    label,
    requestsPerSecond: Math.round(result.requests.average),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
  log(
    `  ${label}: ${r.requestsPerSecond} req/s, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms` +
      (r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''),
  );
  return r;
}

const round = (n: number) => Math.round(n * 10) / 10;

function childEnv(overrides: Record<string, string>, drop: string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  for (const key of drop) env[key] = undefined;
  return env;
}

/** A PostgreSQL server: BENCH_DATABASE_URL, or a throwaway one (stopped at the end). */
function postgresServer(): { url: string; stop: () => void } {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, stop: () => undefined };
  const env = { ...process.env, PG_TEST_DIR: path.join(os.tmpdir(), 'liaison-pg-bench') };
  const script = path.join(ROOT, 'scripts/pg-test-server.sh');
  const out = execFileSync('bash', [script, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = out.trim().replace(/^export TEST_DATABASE_URL=/, '');
  return { url, stop: () => execFileSync('bash', [script, 'stop'], { env, stdio: 'ignore' }) };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    connections: CONNECTIONS,
    seconds: SECONDS,
  };
  results.loadAverageAtStart = os.loadavg().map((n) => round(n));
  log(`Machine: ${String(results.machine)}; load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at start`);
  const server = postgresServer();
  const running: ChildProcess[] = [];
  try {
    // 1. A fresh database with the benchmark data.
    const admin = new pg.Client({ connectionString: withDatabase(server.url, 'postgres') });
    await admin.connect();
    const version = await admin.query<{ server_version: string }>('SHOW server_version');
    results.postgres = version.rows[0]?.server_version;
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
    const url = withDatabase(server.url, DB_NAME);
    const db = await openDatabase({ kind: 'postgres', url, poolSize: 4 });
    await migrate(db);
    const t0 = performance.now();
    const data = await generateBenchData(db, DEFAULT_SIZES);
    const token = await createBenchSession(db, data.staffUserId);
    await db.close();
    results.data = { ...DEFAULT_SIZES, generatedInMs: Math.round(performance.now() - t0) };
    log(
      `Data: ${DEFAULT_SIZES.authorities} authorities, ${DEFAULT_SIZES.users} users, ` +
        `${DEFAULT_SIZES.auditEvents} audit events (${Math.round(performance.now() - t0)} ms)`,
    );

    // The server runs as `npm start` runs it in production: the built bundle on plain Node.
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-server.ts'], { cwd: ROOT, stdio: 'inherit' });

    // 2. Liaison on PostgreSQL, web role only.
    const port = await freePort();
    // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of this server there when it stops.
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const web = await startProcess(
      process.execPath,
      [...profile, 'dist/main.js'],
      childEnv({
        NODE_ENV: 'production',
        DATABASE_URL: url,
        ROLES: 'web',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        BASE_URL: `http://127.0.0.1:${port}`,
        SESSION_SECRET: SECRET,
      }),
      port,
    );
    running.push(web.child);
    log(`Liaison (PostgreSQL) answered in ${Math.round(web.firstPage.ms)} ms; RSS ${memory(web.child.pid).rss} MB`);
    const cookie = { cookie: browserCookies(token) };
    const signIn = await load('GET /sign-in', `${web.base}/sign-in`);
    const staff = await load('GET /staff', `${web.base}/staff`, cookie);
    const postgresMemory = memory(web.child.pid);
    log(`  RSS after load: ${postgresMemory.rss} MB (peak ${postgresMemory.peak} MB)`);
    await stopProcess(web.child);

    // 3. The floor: a bare Fastify handler with the same two queries.
    const barePort = await freePort();
    const bare = await startProcess(
      process.execPath,
      ['--import', 'tsx', 'bench/bare-server.ts', url, String(barePort)],
      childEnv({}),
      barePort,
    );
    running.push(bare.child);
    const bareStaff = await load('bare Fastify, same queries', `${bare.base}/staff`, cookie);
    await stopProcess(bare.child);
    const ratio = round((staff.requestsPerSecond / Math.max(1, bareStaff.requestsPerSecond)) * 100) / 100;
    log(`  Liaison staff home runs at ${Math.round(ratio * 100)}% of the bare handler's throughput`);
    results.postgresRuns = { signIn, staff, bareStaff, staffToBareRatio: ratio, memory: postgresMemory };
    // BENCH_POSTGRES_ONLY=1 stops here (for profiling the PostgreSQL pages).
    if (process.env.BENCH_POSTGRES_ONLY) return;

    // 4. Liaison on the embedded PGlite database (fresh data folder), web role only.
    const pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-pglite-'));
    const pglitePort = await freePort();
    const embedded = await startProcess(
      process.execPath,
      ['dist/main.js'],
      childEnv(
        {
          DATA_DIR: pgliteDir,
          ROLES: 'web',
          LOG_LEVEL: 'warn',
          PORT: String(pglitePort),
          HOST: '127.0.0.1',
          SESSION_SECRET: SECRET,
        },
        ['DATABASE_URL', 'NODE_ENV', 'BASE_URL'],
      ),
      pglitePort,
    );
    running.push(embedded.child);
    log(`Liaison (PGlite, new data folder) answered in ${Math.round(embedded.firstPage.ms)} ms`);
    const pgliteSignIn = await load('GET /sign-in (PGlite)', `${embedded.base}/sign-in`);
    const pgliteMemory = memory(embedded.child.pid);
    log(`  RSS after load: ${pgliteMemory.rss} MB (peak ${pgliteMemory.peak} MB)`);
    await stopProcess(embedded.child);
    fs.rmSync(pgliteDir, { recursive: true, force: true });
    results.pglite = { firstPageMs: Math.round(embedded.firstPage.ms), signIn: pgliteSignIn, memory: pgliteMemory };

    // 5. `npm run demo` on a new data folder: time to the first page, then again with the data in place.
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-demo-'));
    const demoTimes: { run: string; ms: number; status: number }[] = [];
    for (const run of ['first run (loads demo data)', 'second run']) {
      const demoPort = await freePort();
      const demo = await startProcess(
        'npm',
        ['run', 'demo', '--silent'],
        childEnv({ DATA_DIR: demoDir, PORT: String(demoPort), MAIL_IN_PORT: '0', LOG_LEVEL: 'warn' }, [
          'DATABASE_URL',
          'NODE_ENV',
          'BASE_URL',
        ]),
        demoPort,
      );
      running.push(demo.child);
      demoTimes.push({ run, ms: Math.round(demo.firstPage.ms), status: demo.firstPage.status });
      log(`npm run demo, ${run}: first page (${demo.firstPage.status}) after ${Math.round(demo.firstPage.ms)} ms`);
      await stopProcess(demo.child);
    }
    fs.rmSync(demoDir, { recursive: true, force: true });
    results.demo = demoTimes;

    // 6. Summary against the targets.
    const targets = [
      ['sign-in page p95 ≤ 30 ms (PostgreSQL)', signIn.p95 <= 30, `${signIn.p95} ms`],
      ['staff home p95 ≤ 30 ms (PostgreSQL)', staff.p95 <= 30, `${staff.p95} ms`],
      ['RSS ≤ 250 MB (PostgreSQL)', postgresMemory.rss <= 250, `${postgresMemory.rss} MB`],
      ['demo first page ≤ 15 s', (demoTimes[0]?.ms ?? Infinity) <= 15_000, `${demoTimes[0]?.ms ?? '?'} ms`],
    ] as const;
    results.loadAverageAtEnd = os.loadavg().map((n) => round(n));
    log(
      `\nLoad average at the end: ${os.loadavg()[0]?.toFixed(1) ?? '?'} (other work on the machine skews every figure)`,
    );
    log('Targets:');
    for (const [name, met, value] of targets) log(`  ${met ? 'met    ' : 'NOT MET'}  ${name}: ${value}`);
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp/bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('\nFull results: tmp/bench-results.json');
  } finally {
    for (const child of running) await stopProcess(child);
    server.stop();
  }
}

await main();
