/**
 * Pages a second through nginx with one web process and with two, on a running cluster
 * (`bash scripts/cluster.sh up`, with CLUSTER_DEMO=1 for the directory's councils). Between the two
 * runs nginx is restarted with one upstream or two (CLUSTER_WEB_COUNT); both web processes stay up.
 *
 *   node --import tsx bench/cluster-web.ts            # BENCH_SECONDS (20) per page and count, 20 connections
 *
 * The CLUSTER_* settings name the cluster as for cluster.sh.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const port = Number(process.env.CLUSTER_HTTPS_PORT ?? 8443);
const PAGES = ['/', '/complain/authority?q=camden'];

const cluster = (env: Record<string, string>, ...args: string[]) =>
  execFileSync('bash', ['scripts/cluster.sh', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });

function load(url: string, duration = SECONDS): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration }, (error: unknown, result) =>
      error ? reject(error instanceof Error ? error : new Error('autocannon failed')) : resolve(result),
    );
  });
}

const rows: string[] = [];
for (const count of ['1', '2']) {
  cluster({}, 'stop', 'nginx');
  cluster({ CLUSTER_WEB_COUNT: count }, 'start', 'nginx');
  cluster({}, 'wait', 'nginx', '60');
  for (const page of PAGES) {
    const url = `https://localhost:${port}${page}`;
    await load(url, 5); // warm: statement plans, template caches, TLS sessions
    const r = await load(url);
    const failed = r.errors + r.timeouts + r.non2xx;
    rows.push(
      `| ${count} | \`${page}\` | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${failed} | ${os
        .loadavg()[0]
        ?.toFixed(1)} |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
}
cluster({}, 'stop', 'nginx');
cluster({ CLUSTER_WEB_COUNT: '2' }, 'start', 'nginx');
process.stdout.write(
  `\n| web processes | page | pages/s | p50 ms | p99 ms | failed | load (1 min) |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
