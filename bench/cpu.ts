import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { freePort, loadTest, log, signedInCookie, startServer, stopServer } from './support.ts';

/**
 * CPU per request: `node --import tsx bench/cpu.ts <database-url> <role> <authority name or -> <seconds> <path>...`
 *
 * Against a database another benchmark has filled (e.g. liaison_bench_enquiries), signs in a new user
 * with `role` (of the named authority, for a portal role), starts the server, loads the paths in turn
 * over 20 connections (`loadTest`) and prints the throughput, the latency and the CPU time each request took in
 * the server, in PostgreSQL (every process of the local `postgres` user) and in the load generator.
 * On a shared virtual machine whose speed drifts from one minute to the next, CPU per request is the
 * figure to compare between two versions of the code, run alternately.
 */

const [url, role, authorityName, seconds, ...paths] = process.argv.slice(2);
if (!url || !role || !authorityName || !seconds || paths.length === 0) {
  console.error('Usage: bench/cpu.ts <database-url> <role> <authority name or -> <seconds> <path>...');
  process.exit(64);
}

const TICK_MS = 10; // /proc CPU times are in clock ticks of 1/100 s

/** User and system CPU of a process, in ms (0 once it has gone). */
function cpuOf(pid: number): number {
  try {
    const fields = (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU of every process in a process group (the server and any web processes it started), in ms. */
function groupCpu(pgid: number): number {
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
function selfCpu(): number {
  const fields = (fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

function postgresCpu(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-u', 'postgres', 'postgres'], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return 0; // no local PostgreSQL processes to read
  }
  return pids.reduce((sum, pid) => sum + cpuOf(Number(pid)), 0);
}

const cookie = await signedInCookie(url, role, authorityName === '-' ? null : authorityName);
const port = await freePort();
const server = await startServer(url, port);
try {
  const base = `http://127.0.0.1:${port}`;
  for (const p of paths) {
    const response = await fetch(`${base}${p}`, { headers: { cookie } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${p} answered ${response.status}`);
  }
  await loadTest(base, paths, cookie, 2, 20); // warm-up
  const pid = server.pid ?? 0;
  const [server0, postgres0, self0] = [groupCpu(pid), postgresCpu(), selfCpu()];
  const result = await loadTest(base, paths, cookie, Number(seconds), 20);
  const total = result.requestsPerSecond * Number(seconds);
  const [server1, postgres1, self1] = [groupCpu(pid), postgresCpu(), selfCpu()];
  const perRequest = (ms: number) => Math.round((ms * 1000) / total);
  log(
    `${result.requestsPerSecond} req/s (${result.tool}), p50 ${result.p50} ms, p95 ${result.p95} ms; ` +
      `CPU µs a request: server ${perRequest(server1 - server0)}, PostgreSQL ${perRequest(postgres1 - postgres0)}, ` +
      `load generator ${perRequest(self1 - self0)}${result.non2xx ? `; ${result.non2xx} non-2xx` : ''}`,
  );
} finally {
  await stopServer(server);
}
