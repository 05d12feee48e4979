// What the benchmark scripts share: a throwaway PostgreSQL server, the real Liaison server as a
// child process, and percentiles. Measurements only; nothing here is used by the test suite.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { openDatabase, type Db } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { cookieNames } from '../src/http/cookies.ts';
import { hashSecret, newSecret } from '../src/modules/accounts/passwords.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Connections of a load test (BENCH_CONNECTIONS, 20) and its length in seconds (BENCH_SECONDS, 10). */
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** A repeatable random sequence from `seed`, so a benchmark's data are the same every run. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
export const SECRET = 'bench-secret-bench-secret-bench-secret-0';
/** The key production requires for second factors' secrets: one per benchmark process. */
const TOTP_KEYS = `bench:${crypto.randomBytes(32).toString('base64')}`;
export const log = (line: string) => console.log(line);
export const round = (n: number) => Math.round(n * 10) / 10;

export function postgresServer(name: string): { url: string; stop: () => void } {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, stop: () => undefined };
  const env = { ...process.env, PG_TEST_DIR: path.join(os.tmpdir(), `liaison-pg-bench-${name}`) };
  const script = path.join(ROOT, 'scripts/pg-test-server.sh');
  const out = execFileSync('bash', [script, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = out.trim().replace(/^export TEST_DATABASE_URL=/, '');
  return { url, stop: () => execFileSync('bash', [script, 'stop'], { env, stdio: 'ignore' }) };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function freePort(): Promise<number> {
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

let built = false;

export interface ServerOptions {
  /** ROLES for the process (default `web`). */
  roles?: string;
  /** More environment for the process. */
  env?: Record<string, string>;
  /** Resolves once the process is ready; the default asks the web role for `/sign-in`. */
  ready?: () => Promise<void>;
  /** The process's nice value (0 by default; 10 runs it behind the web processes, as the topology does for workers). */
  nice?: number;
}

export async function startServer(url: string, port: number, options: ServerOptions = {}): Promise<ChildProcess> {
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of the server there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  // The server as `npm start` runs it: the bundle, built afresh once per benchmark process.
  if (!built) {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-server.ts'], { cwd: ROOT, stdio: 'ignore' });
    built = true;
  }
  // BENCH_NODE_ARGS='--trace-gc …' passes more flags to the server's node (its output then shows).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...profile, ...nodeArgs, 'dist/main.js'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', process.env.BENCH_NODE_ARGS ? 'inherit' : 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      ROLES: options.roles ?? 'web',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: SECRET,
      TOTP_ENCRYPTION_KEYS: TOTP_KEYS,
      ...options.env,
    },
  });
  if (options.nice && child.pid !== undefined) os.setPriority(child.pid, options.nice);
  const ready =
    options.ready ??
    (async () => {
      const res = await fetch(`http://127.0.0.1:${port}/sign-in`);
      await res.arrayBuffer();
    });
  const since = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      await ready();
      return child;
    } catch {
      if (performance.now() - since > 120_000) throw new Error('the server did not answer in 2 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-pid, 'SIGTERM');
  });
}

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

/** The machine and its load, for the first line of a benchmark's output. */
export function machineLine(): string {
  return `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average ${os.loadavg()[0]?.toFixed(1) ?? '?'}`;
}

/** Drops and recreates database `name` on the server, migrates it, and opens it. */
export async function freshDatabase(
  serverUrl: string,
  name: string,
  poolSize: number,
): Promise<{ url: string; db: Db; version: string | undefined }> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const db = await openDatabase({ kind: 'postgres', url, poolSize });
  await migrate(db);
  return { url, db, version };
}

export interface LoadFigures {
  /** The load generator used: `wrk` when installed (BENCH_LOAD=autocannon to force the other). */
  tool: 'wrk' | 'autocannon';
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Answers other than 2xx/3xx. */
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
}

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

/**
 * Closed-loop load: `connections` connections each sending the next request as soon as the last is
 * answered, for `seconds`, cycling through `paths` (absolute paths on `base`) with `cookie`.
 *
 * The load generator shares the machine with the server and PostgreSQL, so its own CPU is taken
 * from what it measures. wrk (C, one thread; `apt-get install wrk`) costs a quarter to a fifth of
 * what autocannon (Node) does per request, and is used when installed; BENCH_LOAD=autocannon forces
 * autocannon. Both report latency from request sent to response read.
 */
export async function loadTest(
  base: string,
  paths: readonly string[],
  cookie: string,
  seconds: number,
  connections: number,
): Promise<LoadFigures> {
  const load: Load = { base, paths, cookie, seconds, connections };
  return hasWrk && process.env.BENCH_LOAD !== 'autocannon' ? wrk(load) : autocannonLoad(load);
}

interface Load {
  base: string;
  paths: readonly string[];
  cookie: string;
  seconds: number;
  connections: number;
}

function wrk({ base, paths, cookie, seconds, connections }: Load): Promise<LoadFigures> {
  const script = path.join(os.tmpdir(), `liaison-wrk-${process.pid}.lua`);
  const lua = [
    `local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }`,
    'local i = 0',
    `wrk.headers["Cookie"] = ${JSON.stringify(cookie)}`,
    'request = function()',
    '  i = i + 1',
    '  return wrk.format("GET", paths[(i - 1) % #paths + 1])',
    'end',
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("LOAD %d %d %.3f %.3f %.3f %d %d\\n", summary.requests, summary.duration,',
    '    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,',
    '    e.status, e.connect + e.read + e.write + e.timeout))',
    'end',
  ].join('\n');
  fs.writeFileSync(script, lua);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, base], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      fs.rmSync(script, { force: true });
      const m = /^LOAD (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+)$/m.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk exited ${code}: ${out}`));
      const [requests, micros, p50, p95, p99, non2xx, errors] = m.slice(1).map(Number);
      resolve({
        tool: 'wrk',
        requestsPerSecond: Math.round((requests ?? 0) / ((micros ?? 1) / 1e6)),
        p50: round(p50 ?? 0),
        p95: round(p95 ?? 0),
        p99: round(p99 ?? 0),
        non2xx: non2xx ?? 0,
        errors: errors ?? 0,
      });
    });
  });
}

function autocannonLoad({ base, paths, cookie, seconds, connections }: Load): Promise<LoadFigures> {
  let next = 0;
  const latencies: number[] = [];
  return new Promise<LoadFigures>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        headers: { cookie },
        requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] ?? '/' }) }],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        latencies.sort((a, b) => a - b);
        resolve({
          tool: 'autocannon',
          requestsPerSecond: Math.round(result.requests.average),
          p50: round(percentile(latencies, 50)),
          p95: round(percentile(latencies, 95)),
          p99: round(percentile(latencies, 99)),
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/** Warms the server for two seconds, then measures `seconds` of load and prints one line. */
export async function measureLoad(
  label: string,
  base: string,
  paths: readonly string[],
  cookie: string,
  seconds: number,
  connections: number,
): Promise<LoadFigures> {
  await loadTest(base, paths, cookie, 2, connections);
  const figures = await loadTest(base, paths, cookie, seconds, connections);
  const trouble = figures.non2xx || figures.errors ? ` (${figures.non2xx} non-2xx, ${figures.errors} errors)` : '';
  log(
    `${label}, ${connections} connections (${figures.tool}): ${figures.requestsPerSecond} req/s, p50 ${figures.p50} ms, ` +
      `p95 ${figures.p95} ms, p99 ${figures.p99} ms${trouble}`,
  );
  return figures;
}

/**
 * The cookies a browser sends once signed in: the session, and the CSRF cookie set on its first
 * page (without it every request would be answered with a new one, which a browser never asks for).
 */
export function browserCookies(sessionToken: string): string {
  // The server runs as in production: its cookies carry the __Host- prefix.
  const names = cookieNames(true);
  return `${names.session}=${sessionToken}; ${names.csrf}=${'b'.repeat(43)}`;
}

/**
 * A new user with `role` (of the authority named, for a portal role) signed in straight in the
 * database: the session cookie to send.
 */
export async function signedInCookie(url: string, role: string, authorityName: string | null): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let authorityId: string | null = null;
    if (authorityName !== null) {
      const found = await client.query<{ id: string }>('SELECT id FROM authorities WHERE name = $1', [authorityName]);
      authorityId = found.rows[0]?.id ?? null;
      if (!authorityId) throw new Error(`No authority named ${authorityName}`);
    }
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (email, display_name, status, authority_id) VALUES ($1, 'Bench User', 'active', $2) RETURNING id`,
      [`bench-${newSecret().slice(0, 12)}@bench.example`, authorityId],
    );
    const userId = user.rows[0]?.id;
    await client.query('INSERT INTO user_roles (user_id, role) VALUES ($1, $2)', [userId, role]);
    const token = newSecret();
    await client.query(
      `INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, 'active', now(), now(), now() + interval '8 hours')`,
      [hashSecret(token), userId],
    );
    return browserCookies(token);
  } finally {
    await client.end();
  }
}

// CPU time from /proc, for CPU per request (bench/cpu.ts, bench/floors.ts).
const TICK_MS = 10; // /proc CPU times are in clock ticks of 1/100 s

/** User and system CPU of a process (and of its exited children, if asked), in ms (0 once it has gone). */
export function cpuOf(pid: number, withExitedChildren = false): number {
  try {
    const fields = (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    const children = withExitedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
    return (Number(fields[11]) + Number(fields[12]) + children) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU of every process in a process group (the server and any web processes it started), in ms. */
export function groupCpu(pgid: number): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = (fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      if (Number(fields[2]) === pgid) total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** This process's CPU and that of its finished children (the load generator, when it is wrk), in ms. */
export function selfCpu(): number {
  const fields = (fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

export function postgresCpu(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-u', 'postgres', 'postgres'], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return 0; // no local PostgreSQL processes to read
  }
  // With the CPU of the backends that have exited, which the postmaster holds as its children's:
  // connections closed during a measurement would otherwise take their CPU out of the sum.
  return pids.reduce((sum, pid) => sum + cpuOf(Number(pid), true), 0);
}

/** This process's own CPU, without its children's, in ms. */
export function ownCpu(): number {
  const fields = (fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** The directory benchmark's mix of searches, filters and lists (bench/authorities.ts, bench/floors.ts). */
export const DIRECTORY_SEARCHES = [
  '/staff/authorities',
  '/staff/authorities?q=oak',
  '/staff/authorities?q=willow+care',
  '/staff/authorities?q=maple&kind=care-provider&region=London',
  '/staff/authorities?kind=district',
  '/staff/authorities?region=North+West',
  '/staff/authorities?q=council&status=active',
  '/staff/authorities?q=rosefield',
  '/staff/authorities?q=1-100000123',
] as const;

/**
 * Sends every message in `mailDir` (`N.eml` with its envelope in `N.json`) to the SMTP server on
 * `port` with bench/mail-client.ts, in a process of its own: the time it took and the CPU the sending
 * side spent in that time (not its start-up), in ms.
 */
export async function sendMailDir(mailDir: string, port: number): Promise<{ ms: number; cpuMs: number }> {
  const client = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/mail-client.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_MAIL_DIR: mailDir, BENCH_GATEWAY_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  client.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => client.once('exit', resolve));
  if (code !== 0) throw new Error(`the mail client exited ${code}`);
  const [ms, cpuMs] = output.trim().split(' ').map(Number);
  return { ms: ms ?? NaN, cpuMs: cpuMs ?? NaN };
}

/**
 * A loopback SMTP sink that counts each message by its Message-ID's local part (the outbox id) and
 * each recipient, reading no more than the first headers so that it is never the bottleneck. A
 * connection a killed sender drops mid-message is expected, not a failure.
 */
export async function countingSink() {
  const ids = new Map<string, number>();
  const recipients = new Map<string, number>();
  let last = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const head = Buffer.concat(chunks).subarray(0, 4096).toString('latin1');
        const id = /^Message-ID:\s*<([^@>]+)@/im.exec(head)?.[1] ?? 'none';
        ids.set(id, (ids.get(id) ?? 0) + 1);
        for (const r of session.envelope.rcptTo) recipients.set(r.address, (recipients.get(r.address) ?? 0) + 1);
        last = performance.now();
        callback(null, 'Accepted');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    ids,
    recipients,
    received: () => [...ids.values()].reduce((a, b) => a + b, 0),
    lastAt: () => last,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface BurstRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
}

export interface BurstAnswer {
  status: number;
  body: string;
  ms: number;
}

/**
 * Sends `n` requests at once, each on a connection of its own, and times each from the moment it is
 * sent to the end of its answer. node:http with a keep-alive agent costs the shared machine about
 * half of what `fetch` does for the same burst, so more of each time is the server's. Run one
 * unmeasured burst first (`warm`) so the connections are open, as a browser's or a system's are.
 */
export class Burst {
  private readonly agent: http.Agent;

  constructor(
    private readonly base: string,
    connections: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  send(requests: readonly BurstRequest[]): Promise<BurstAnswer[]> {
    const url = new URL(this.base);
    return Promise.all(
      requests.map(
        (r) =>
          new Promise<BurstAnswer>((resolve, reject) => {
            const body = r.json === undefined ? undefined : JSON.stringify(r.json);
            const started = performance.now();
            const req = http.request(
              {
                host: url.hostname,
                port: url.port,
                path: r.path,
                method: r.method,
                agent: this.agent,
                headers: {
                  ...r.headers,
                  ...(body === undefined
                    ? {}
                    : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
                },
              },
              (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () =>
                  resolve({
                    status: res.statusCode ?? 0,
                    body: Buffer.concat(chunks).toString('utf8'),
                    ms: performance.now() - started,
                  }),
                );
                res.on('error', reject);
              },
            );
            req.on('error', reject);
            req.end(body);
          }),
      ),
    );
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The machine's own floor for a burst: the same client and burst against a server that does no
 * work at all (node:http answering a fixed JSON body in a process of its own). No server can
 * answer the burst faster than this on the same machine.
 */
export async function machineFloor(n: number, request: BurstRequest): Promise<{ p50: number; p95: number }> {
  const code =
    "require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.setHeader('content-type','application/json');s.end('{\"ok\":true}')})})" +
    ".listen(0,'127.0.0.1',function(){process.send(this.address().port)})";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve(Number(m)));
      child.once('exit', (c) => reject(new Error(`the bare server exited (${c})`)));
    });
    const burst = new Burst(`http://127.0.0.1:${port}`, n);
    await burst.send(Array.from({ length: n }, () => request));
    const times = (await burst.send(Array.from({ length: n }, () => request))).map((a) => a.ms).sort((a, b) => a - b);
    burst.close();
    return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)) };
  } finally {
    child.kill();
  }
}
