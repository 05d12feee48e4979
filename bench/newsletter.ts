import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiTokensService } from '../src/modules/api-tokens/api-tokens.service.ts';
import { emailKey } from '../src/modules/newsletter/domain.ts';
import { systemClock } from '../src/platform/clock.ts';
import {
  ROOT,
  countingSink,
  freePort,
  freshDatabase,
  log,
  machineLine,
  percentile,
  postgresServer,
  round,
  seededRandom,
  signedInCookie,
  startServer,
  stopServer,
  CONNECTIONS,
  SECONDS,
} from './support.ts';

/**
 * The newsletter at scale: `node --import tsx bench/newsletter.ts`, on PostgreSQL
 * (BENCH_DATABASE_URL, whose `liaison_bench_newsletter` database is dropped and recreated, or a
 * throwaway server from scripts/pg-test-server.sh), with the server bundle as `npm start` runs it.
 *
 * One issue goes to BENCH_AUTHORITIES (300) authorities' two link officers each and
 * BENCH_SUBSCRIBERS (29,400) confirmed subscribers (written with SQL), sent over the API by a web
 * process and delivered by ONE worker process (`ROLES=worker`) to a loopback SMTP sink that counts
 * Message-IDs and recipients. The worker is killed with SIGKILL once a third and once two thirds of
 * the issue have reached the sink, and started again at once each time (as a supervisor would).
 *
 * Figures: messages a second from the send request to the last message at the sink, that time,
 * and the sink's count (delivered, received twice, never received). Meanwhile BENCH_WATCHERS (4)
 * staff each load the progress page and another staff page in turn, pausing BENCH_WATCH_PAUSE_MS
 * (1,000) between pages; the same is measured on the idle system for SECONDS seconds first (at most
 * CONNECTIONS watchers).
 *
 * The worker runs with the documented mail settings: MAIL_CONCURRENCY (BENCH_MAIL_CONCURRENCY, 4),
 * MAIL_PER_DOMAIN_PER_SECOND 20 (recipients are spread over many domains, as real ones are) and
 * MAIL_LEASE_SECONDS (BENCH_LEASE_SECONDS, 15) so a killed worker's claimed messages are taken up again.
 */

const AUTHORITIES = Number(process.env.BENCH_AUTHORITIES ?? 300);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 29_400);
const WATCHERS = Math.min(Number(process.env.BENCH_WATCHERS ?? 4), CONNECTIONS);
/** A watcher's pause between two pages, as a person reloading (or the page's script polling); 0: closed loop. */
const WATCH_PAUSE_MS = Number(process.env.BENCH_WATCH_PAUSE_MS ?? 1000);
const MAIL_CONCURRENCY = process.env.BENCH_MAIL_CONCURRENCY ?? '4';
const LEASE_SECONDS = process.env.BENCH_LEASE_SECONDS ?? '15';
const KILLS = Number(process.env.BENCH_KILLS ?? 2);
/** The worker's nice value (BENCH_WORKER_NICE, 0): 10 runs it behind the web process, as `scripts/cluster.sh` does. */
const WORKER_NICE = Number(process.env.BENCH_WORKER_NICE ?? 0);
const DB_NAME = 'liaison_bench_newsletter';
const MAIL_DOMAIN = 'liaison.bench';
/** Subscribers' addresses are spread over this many mail domains (public providers and organisations). */
const SUBSCRIBER_DOMAINS = 400;
const KINDS = ['district', 'county', 'unitary', 'metropolitan', 'london-borough', 'care-provider'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => os.loadavg()[0]?.toFixed(1) ?? '?';

/** Staff watching: each watcher loads its pages in turn until stopped; every request's time. */
/**
 * WATCHERS staff loading `pages` in turn, WATCH_PAUSE_MS apart, from a process of their own
 * (bench/watchers.ts): this process is also the SMTP sink, and its own busy event loop would be
 * counted in the times otherwise.
 */
function watch(base: string, cookie: string, pages: readonly string[]) {
  const settings = { base, cookie, pages, watchers: WATCHERS, pauseMs: WATCH_PAUSE_MS };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/watchers.ts', JSON.stringify(settings)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      child.stdin.end();
      await exited;
      const result = JSON.parse(out) as { times: Record<string, number[]>; errors: number };
      return { times: new Map(Object.entries(result.times)), errors: result.errors };
    },
  };
}

const p95of = (list: number[] | undefined) =>
  round(
    percentile(
      [...(list ?? [])].sort((a, b) => a - b),
      95,
    ),
  );
const p50of = (list: number[] | undefined) =>
  round(
    percentile(
      [...(list ?? [])].sort((a, b) => a - b),
      50,
    ),
  );

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('newsletter');
  let web: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  const sink = await countingSink();
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 4);
    log(`PostgreSQL ${version ?? '?'}`);

    // The audience, written with SQL: authorities, two link officers each, confirmed subscribers.
    const random = seededRandom(23);
    await db.query(
      `INSERT INTO authorities (name, kind)
       SELECT 'Bench authority ' || lpad(n::text, 4, '0'), (ARRAY[${KINDS.map((k) => `'${k}'`).join(',')}])[1 + n % ${KINDS.length}]
       FROM generate_series(1, $1::int) AS n`,
      [AUTHORITIES],
    );
    await db.query(
      `INSERT INTO link_officers (authority_id, slot, title, forename, surname, job_title, email, phone)
       SELECT a.id, s, 'Mx', 'Officer', 'Number ' || s, 'Link officer',
              'officer' || s || '@' || replace(lower(a.name), ' ', '-') || '.example', '+442079460958'
       FROM authorities a CROSS JOIN generate_series(1, 2) AS s`,
    );
    const emails: string[] = [];
    const keys: string[] = [];
    const topics: string[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const email = `reader${i}@mail${Math.floor(random() * SUBSCRIBER_DOMAINS)}.example`;
      emails.push(email);
      keys.push(emailKey(email));
      topics.push(random() < 0.5 ? '{}' : '{councils}');
    }
    await db.query(
      `INSERT INTO newsletter_subscribers (email, email_key, topics, status, confirmed_at)
       SELECT e, k, t::text[], 'confirmed', now() FROM unnest($1::text[], $2::text[], $3::text[]) AS x(e, k, t)`,
      [emails, keys, topics],
    );
    const tokens = new ApiTokensService(db.kysely, systemClock);
    const { token } = await tokens.createFromCommandLine({
      name: 'bench',
      role: 'relationship-lead',
      authorityId: null,
    });
    await db.query('ANALYZE');
    const cookie = await signedInCookie(url, 'relationship-lead', null);

    const env = {
      SMTP_URL: sink.url,
      MAIL_DOMAIN,
      JOB_POLL_SECONDS: '1',
      MAIL_CONCURRENCY,
      MAIL_LEASE_SECONDS: LEASE_SECONDS,
      DATABASE_POOL_SIZE: '10',
    };
    const port = await freePort();
    web = await startServer(url, port, { env });
    const base = `http://127.0.0.1:${port}`;
    const api = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const body = Array.from(
      { length: 8 },
      (_, i) =>
        `## Section ${i + 1}\n\nNews for link officers and everyone who works with complaints: **what changed**, ` +
        `what to do, and [where to read more](${base}/publications).\n\n- One point\n- Another point\n`,
    ).join('\n');
    const { id } = (await api('POST', '/newsletter/issues', {
      subject: 'Ombudsman Link: the benchmark issue',
      preheader: 'Thirty thousand copies',
      body,
    })) as { id: string };
    const progressPage = `/staff/newsletter/issues/${id}/progress`;
    const otherPage = '/staff/newsletter';
    const pages = [progressPage, otherPage];

    // Idle: the watchers alone, before anything is sent (the progress page of a draft), after each
    // page has been loaded a few times (templates compiled, connections open).
    for (let i = 0; i < 5; i++)
      for (const page of pages) await (await fetch(`${base}${page}`, { headers: { cookie } })).arrayBuffer();
    const idleLoad = load();
    const idleWatch = watch(base, cookie, pages);
    await sleep(SECONDS * 1000);
    const idle = await idleWatch.stop();
    log(
      `Idle (${WATCHERS} staff each loading the two pages in turn, ${WATCH_PAUSE_MS} ms apart, ${SECONDS} s, load average ${idleLoad}): ` +
        `progress page p50 ${p50of(idle.times.get(progressPage))} ms, p95 ${p95of(idle.times.get(progressPage))} ms; ` +
        `${otherPage} p50 ${p50of(idle.times.get(otherPage))} ms, p95 ${p95of(idle.times.get(otherPage))} ms` +
        (idle.errors ? ` (${idle.errors} errors)` : ''),
    );

    // The send: one worker, killed twice.
    const startWorker = () =>
      startServer(url, 0, {
        roles: 'worker',
        env: { ...env, BASE_URL: base },
        ready: () => Promise.resolve(),
        nice: WORKER_NICE,
      });
    worker = await startWorker();
    const loadAtStart = load();
    const started = performance.now();
    await api('POST', `/newsletter/issues/${id}/send`, {});
    const sentCall = performance.now() - started;
    const busy = watch(base, cookie, pages);
    const recipients = AUTHORITIES * 2 + SUBSCRIBERS;
    const kills: string[] = [];
    const loads: number[] = [];
    const loadTimer = setInterval(() => loads.push(os.loadavg()[0] ?? 0), 5000);
    // A message to one person asked for while the mailing's messages fill the outbox: a visitor's
    // subscription confirmation, asked for once a sixth of the issue is at the sink.
    const oneToOne = (async () => {
      while (sink.ids.size < Math.floor(recipients / 6)) await sleep(20);
      const address = `asked-during-the-send@bench.example`;
      const asked = performance.now();
      await api('POST', '/newsletter/subscriptions', { email: address, name: '', organisation: '' });
      const backlog = Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM outbox_messages WHERE status IN ('queued', 'sending') AND kind = 'newsletter'`,
          )
        ).rows[0]?.n ?? 0,
      );
      while (!sink.recipients.has(address) && performance.now() - asked < 10 * 60_000) await sleep(20);
      return { seconds: round((performance.now() - asked) / 1000), backlog };
    })();
    for (let k = 1; k <= KILLS; k++) {
      const at = Math.floor((recipients * k) / (KILLS + 1));
      while (sink.ids.size < at) await sleep(20);
      const victim: ChildProcess = worker;
      const exited = new Promise<void>((resolve) => victim.once('exit', () => resolve()));
      victim.kill('SIGKILL');
      await exited;
      kills.push(`${sink.ids.size} at the sink after ${round((performance.now() - started) / 1000)} s`);
      worker = await startWorker();
    }
    const deadline = performance.now() + 20 * 60_000;
    let status = '';
    for (;;) {
      const state = (await api('GET', `/newsletter/issues/${id}`)) as { status: string };
      status = state.status;
      if (status === 'sent' || performance.now() > deadline) break;
      await sleep(500);
    }
    clearInterval(loadTimer);
    const confirmation = await oneToOne;
    const watched = await busy.stop();
    const seconds = (sink.lastAt() - started) / 1000;

    // What reached the sink, against the issue's deliveries and their outbox rows.
    const rows = (
      await db.query<{ id: string; status: string }>(
        `SELECT o.id, o.status FROM newsletter_deliveries d JOIN outbox_messages o ON o.id = d.outbox_message_id
         WHERE d.issue_id = $1`,
        [id],
      )
    ).rows;
    const deliveries = Number(
      (await db.query<{ n: string }>('SELECT count(*) AS n FROM newsletter_deliveries WHERE issue_id = $1', [id]))
        .rows[0]?.n ?? 0,
    );
    const received = rows.filter((r) => sink.ids.has(r.id)).length;
    const missing = rows.filter((r) => !sink.ids.has(r.id));
    const twice = [...sink.ids.values()].filter((n) => n > 1).length;
    const personTwice = [...sink.recipients.values()].filter((n) => n > 1).length;
    const byStatus = new Map<string, number>();
    for (const r of rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const meanLoad = loads.length ? (loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(1) : load();
    log(
      `Send: ${recipients} recipients (${AUTHORITIES * 2} link officers, ${SUBSCRIBERS} subscribers), ${deliveries} deliveries; ` +
        `one worker (MAIL_CONCURRENCY ${MAIL_CONCURRENCY}), killed ${KILLS} times (${kills.join('; ')}); ` +
        `send request ${round(sentCall)} ms; the last message reached the sink ${round(seconds)} s after it = ` +
        `${round(received / seconds)} messages/s; issue ${status}; load average ${loadAtStart} at the start, ${meanLoad} on average`,
    );
    log(
      `  Sink: ${received} of ${deliveries} delivered, ${twice} Message-IDs received twice, ${personTwice} people received twice, ` +
        `${missing.length} never received (${missing.map((m) => m.status).join(', ') || 'none'}); outbox rows ` +
        [...byStatus].map(([s, n]) => `${s} ${n}`).join(', '),
    );
    log(
      `  A subscription confirmation asked for during the send (${confirmation.backlog} newsletter messages ` +
        `waiting or being sent) reached the sink ${confirmation.seconds} s later`,
    );
    log(
      `  Meanwhile (${WATCHERS} staff): progress page p50 ${p50of(watched.times.get(progressPage))} ms, ` +
        `p95 ${p95of(watched.times.get(progressPage))} ms (${watched.times.get(progressPage)?.length ?? 0} loads); ` +
        `${otherPage} p50 ${p50of(watched.times.get(otherPage))} ms, p95 ${p95of(watched.times.get(otherPage))} ms` +
        (watched.errors ? ` (${watched.errors} errors)` : ''),
    );
    const figures = {
      date: new Date().toISOString(),
      postgres: version,
      recipients,
      deliveries,
      mailConcurrency: Number(MAIL_CONCURRENCY),
      leaseSeconds: Number(LEASE_SECONDS),
      kills,
      confirmationDuringSend: confirmation,
      seconds: round(seconds),
      perSecond: round(received / seconds),
      received,
      receivedTwice: twice,
      peopleTwice: personTwice,
      missing: missing.map((m) => ({ id: m.id, status: m.status })),
      load: { atStart: loadAtStart, meanDuringSend: meanLoad, idle: idleLoad },
      idle: {
        progressP95: p95of(idle.times.get(progressPage)),
        otherP95: p95of(idle.times.get(otherPage)),
      },
      duringSend: {
        progressP95: p95of(watched.times.get(progressPage)),
        otherP95: p95of(watched.times.get(otherPage)),
      },
    };
    await db.close();
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp/bench-newsletter.json'), `${JSON.stringify(figures, null, 2)}\n`);
    log(
      'Targets: ≥ 250 messages/s, all handed over in ≤ 2 min, none twice or missing; progress page p95 ≤ 50 ms; ' +
        'the other page within 2× its idle p95. Figures written to tmp/bench-newsletter.json',
    );
  } finally {
    if (worker) await stopServer(worker);
    if (web) await stopServer(web);
    await sink.close();
    server.stop();
  }
}

await main();
