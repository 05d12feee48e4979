import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import type { Actor } from '../src/modules/accounts/domain.ts';
import { FixedClock } from '../src/platform/clock.ts';
import { createLogger } from '../src/platform/logger.ts';
import {
  SECRET,
  freshDatabase,
  log,
  machineLine,
  percentile,
  postgresServer,
  round,
  ROOT,
  CONNECTIONS,
  SECONDS,
} from './support.ts';

/**
 * Remedies at scale: `node --import tsx bench/remedies.ts`.
 *
 * On PostgreSQL (BENCH_DATABASE_URL; the `liaison_bench_remedies` database on it is dropped and
 * recreated; or a throwaway server from scripts/pg-test-server.sh): 200 authorities with two link
 * officers and a generic inbox each, BENCH_COMPLAINTS (1,000,000) complaints, BENCH_REMEDIES
 * (100,000) open remedies with due dates from 25 days ago to 35 days ahead, and as many complied
 * with over the last two years (two in three on time).
 * 1. An authority's compliance rate and on-time rate for a year, as the staff authority page and the
 *    portal ask for them: BENCH_CONNECTIONS (20) at once for BENCH_SECONDS (10), a random
 *    authority each time; p50/p95/p99.
 * 2. The reminder sweep: two sweeps at once (as two workers would), timed; then a third that must
 *    write nothing; every reminder is checked to have been written once.
 */

const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 1_000_000);
const REMEDIES = Math.min(Number(process.env.BENCH_REMEDIES ?? 100_000), Math.floor(COMPLAINTS / 2));
const AUTHORITIES = 200;
const DB_NAME = 'liaison_bench_remedies';
// Wednesday 13 January 2027, 07:00 in London.
const NOW = new Date('2027-01-13T07:00:00Z');
const TODAY = '2027-01-13';

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('remedies');
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, CONNECTIONS + 2);
    log(`PostgreSQL ${version ?? '?'}`);

    // Data, set-based.
    const t0 = performance.now();
    await db.query(`
      INSERT INTO authorities (name, kind, generic_inbox, created_at, updated_at)
      SELECT 'Bench Council ' || n, 'district', 'ombudsman@council' || n || '.example', now(), now()
      FROM generate_series(1, ${AUTHORITIES}) n`);
    await db.query(`
      INSERT INTO link_officers (authority_id, slot, title, forename, surname, job_title, email, phone)
      SELECT a.id, s, 'Ms', 'Officer', 'Number' || s, 'Complaints manager', 'lo' || s || '@' || replace(lower(a.name), ' ', '') || '.example', '+442079460000'
      FROM authorities a CROSS JOIN generate_series(1, 2) s`);
    await db.query(`
      WITH a AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM authorities)
      INSERT INTO complaints (reference, authority_id, service_area, status, channel, summary, authority_process_finished, received_at, closed_at, outcome)
      SELECT lpad(((n / 1000000) % 100)::text, 2, '0') || ' ' || lpad(((n / 1000) % 1000)::text, 3, '0') || ' ' || lpad((n % 1000)::text, 3, '0'),
             a.id, 'housing', CASE WHEN n <= ${2 * REMEDIES} THEN 'remedy' ELSE 'closed' END, 'online', 'Bench complaint ' || n, true, now()
             - interval '1 day' * (n % 700),
             CASE WHEN n > ${2 * REMEDIES} THEN now() END, CASE WHEN n > ${2 * REMEDIES} THEN 'not-upheld' END
      FROM generate_series(1, ${COMPLAINTS}) n JOIN a ON a.k = n % ${AUTHORITIES}`);
    // Open remedies on the first BENCH_REMEDIES complaints; complied ones on the next as many.
    await db.query(
      `
      WITH c AS (SELECT id, authority_id, row_number() OVER (ORDER BY id) AS n FROM complaints WHERE status = 'remedy')
      INSERT INTO remedies (complaint_id, authority_id, draft_id, draft_version, position, type, description, status,
                            proposed_at, agreed_at, due_on, agreed_due_on, due_rule,
                            complied_at, complied_on, complied_on_time, closed_at)
      SELECT c.id, c.authority_id, gen_random_uuid(), 1, 1, 'apology', 'Apologise in writing to the complainant ' || c.n,
             CASE WHEN c.n <= ${REMEDIES} THEN 'agreed' ELSE 'complied' END,
             $1::timestamptz - interval '60 days', $1::timestamptz - interval '40 days',
             d.due_on, d.due_on, '{"ruleId":"working-days-after-decision"}'::jsonb,
             CASE WHEN c.n > ${REMEDIES} THEN $1::timestamptz END,
             CASE WHEN c.n > ${REMEDIES} THEN d.due_on + CASE WHEN c.n % 3 = 0 THEN 7 ELSE -3 END END,
             CASE WHEN c.n > ${REMEDIES} THEN c.n % 3 <> 0 END,
             CASE WHEN c.n > ${REMEDIES} THEN $1::timestamptz END
      FROM c CROSS JOIN LATERAL (SELECT CASE WHEN c.n <= ${REMEDIES}
                                        THEN $2::date + ((c.n % 61) - 25)::int
                                        ELSE $2::date - ((c.n % 700) + 4)::int END AS due_on) d`,
      [NOW, TODAY],
    );
    await db.query('ANALYZE');
    log(
      `Data: ${COMPLAINTS.toLocaleString('en-GB')} complaints, ${REMEDIES.toLocaleString('en-GB')} open and ` +
        `${REMEDIES.toLocaleString('en-GB')} complied remedies over ${AUTHORITIES} authorities in ${round((performance.now() - t0) / 1000)} s`,
    );

    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      SESSION_SECRET: SECRET,
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const services = createServices({ config, db, clock: new FixedClock(NOW), logger: createLogger('silent') });
    const staff: Actor = { type: 'user', id: crypto.randomUUID(), roles: ['team-coordinator'], authorityId: null };
    const authorityIds = (await db.kysely.selectFrom('authorities').select('id').execute()).map((a) => a.id);

    // 1. Rates for a year: CONNECTIONS callers at once, a random authority each call.
    const sample = await services.remedies.rates(staff, authorityIds[0] ?? '');
    log(
      `One authority: ${sample.counted} remedies counted, compliance ${sample.complianceRate}%, on time ${sample.onTimeRate}%`,
    );
    const latencies: number[] = [];
    const run = async (until: number, record: boolean) => {
      while (performance.now() < until) {
        const id = authorityIds[Math.floor(Math.random() * authorityIds.length)] ?? '';
        const t = performance.now();
        await services.remedies.rates(staff, id);
        if (record) latencies.push(performance.now() - t);
      }
    };
    const warm = performance.now() + 2000;
    await Promise.all(Array.from({ length: CONNECTIONS }, () => run(warm, false)));
    const end = performance.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, () => run(end, true)));
    latencies.sort((x, y) => x - y);
    const rates = {
      callsPerSecond: Math.round(latencies.length / SECONDS),
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
    };
    log(
      `Compliance and on-time rates for a year, ${CONNECTIONS} at once: ${rates.callsPerSecond} calls/s, ` +
        `p50 ${rates.p50} ms, p95 ${rates.p95} ms, p99 ${rates.p99} ms`,
    );

    // 2. The sweep: two workers at once, then a third that finds nothing to send.
    const t1 = performance.now();
    const [a, b] = await Promise.all([services.remedies.sweep(), services.remedies.sweep()]);
    const sweepMs = performance.now() - t1;
    const t2 = performance.now();
    const third = await services.remedies.sweep();
    const emptySweepMs = performance.now() - t2;
    const checks = await sql<{ reminders: number; escalations: number; items: number; duplicates: number }>`
      SELECT (SELECT count(*) FROM remedy_reminders WHERE kind <> 'escalated-manager')::int AS reminders,
             (SELECT count(*) FROM remedy_reminders WHERE kind = 'escalated-manager')::int AS escalations,
             (SELECT count(*) FROM correspondence_items)::int AS items,
             (SELECT count(*) FROM (SELECT complaint_id, subject FROM correspondence_items
                GROUP BY complaint_id, subject HAVING count(*) > 1) d)::int AS duplicates
    `.execute(db.kysely);
    const c = checks.rows[0];
    log(
      `Sweep over ${REMEDIES.toLocaleString('en-GB')} open remedies (two at once): ${round(sweepMs / 1000)} s; ` +
        `reminders ${(a.reminders + b.reminders).toLocaleString('en-GB')} (worker 1: ${a.reminders.toLocaleString('en-GB')}, ` +
        `worker 2: ${b.reminders.toLocaleString('en-GB')}), escalations ${(a.escalated + b.escalated).toLocaleString('en-GB')}`,
    );
    log(
      `Check: ${(c?.reminders ?? 0).toLocaleString('en-GB')} reminder rows, ${(c?.items ?? 0).toLocaleString('en-GB')} correspondence items, ` +
        `${c?.duplicates ?? 0} duplicates; a third sweep wrote ${third.items} in ${round(emptySweepMs)} ms`,
    );
    if (c?.items !== c?.reminders || c?.duplicates !== 0 || third.items !== 0 || third.escalated !== 0) {
      throw new Error('a reminder was not written exactly once');
    }
    await db.close();

    const figures = {
      date: new Date().toISOString(),
      postgres: version,
      complaints: COMPLAINTS,
      openRemedies: REMEDIES,
      rates,
      sweepSeconds: round(sweepMs / 1000),
      reminders: c.reminders,
      escalations: c.escalations,
    };
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp', 'bench-remedies.json'), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    server.stop();
  }
}

await main();
