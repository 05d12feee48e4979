import {
  freePort,
  groupCpu,
  loadTest,
  log,
  postgresCpu,
  selfCpu,
  signedInCookie,
  startServer,
  stopServer,
} from './support.ts';

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
