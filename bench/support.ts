// What the benchmark scripts share: a throwaway PostgreSQL server, the real Liaison server as a
// child process, and percentiles. Measurements only; nothing here is used by the test suite.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase, type Db } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SECRET = 'bench-secret-bench-secret-bench-secret-0';
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
      ...options.env,
    },
  });
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

/** autocannon against one URL with a cookie, for `seconds`; `onLatency` hears every response's time. */
export function cannon(
  url: string,
  cookie: string,
  seconds: number,
  connections: number,
  onLatency?: (ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, headers: { cookie } }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
    if (onLatency) instance.on('response', (_client, _status, _bytes, responseTime) => onLatency(responseTime));
  });
}
