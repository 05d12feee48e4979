import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hashSecret, newSecret } from '../src/modules/accounts/passwords.ts';
import {
  browserCookies,
  freePort,
  freshDatabase,
  log,
  machineLine,
  measureLoad,
  postgresServer,
  round,
  startServer,
  stopServer,
  ROOT,
  CONNECTIONS,
  SECONDS,
} from './support.ts';

/**
 * Complaints at scale: `node --import tsx bench/complaints.ts`.
 *
 * On PostgreSQL (BENCH_DATABASE_URL; the `liaison_bench_complaints` database on it is dropped and
 * recreated; or a throwaway server from scripts/pg-test-server.sh): BENCH_AUTHORITIES (30,000)
 * authorities and BENCH_COMPLAINTS (1,000,000) complaints spread over them, every status and
 * service area, each with its complainant and its first status change, and every case under
 * investigation with its first enquiry (three questions; half open, half answered), made set-based with
 * generate_series. Then the real server (`ROLES=web`) under load (see `loadTest`), BENCH_CONNECTIONS (20)
 * connections for BENCH_SECONDS (10) per page, signed in as an intake officer:
 *   1. the staff case list with one filter (status = assessment), newest 50;
 *   2. a case page (summary, parties, rules, requests).
 */

const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 1_000_000);
const AUTHORITIES = Number(process.env.BENCH_AUTHORITIES ?? 30_000);
const BATCH = 100_000;
const DB_NAME = 'liaison_bench_complaints';

async function measure(label: string, url: string, cookie: string) {
  const first = await fetch(url, { headers: { cookie } });
  await first.arrayBuffer();
  if (first.status !== 200) throw new Error(`${label} answered ${first.status}`);
  const base = new URL(url);
  return measureLoad(label, base.origin, [base.pathname + base.search], cookie, SECONDS, CONNECTIONS);
}

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('complaints');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 4);
    log(`PostgreSQL ${version ?? '?'}`);

    const t0 = performance.now();
    await db.query(`
      INSERT INTO authorities (name, kind, created_at, updated_at)
      SELECT 'Bench Authority ' || n, CASE WHEN n % 10 = 0 THEN 'care-provider' ELSE 'district' END, now(), now()
      FROM generate_series(1, ${AUTHORITIES}) n`);
    await db.query(
      `CREATE TEMP TABLE bench_authorities AS SELECT id, row_number() OVER (ORDER BY id) AS k FROM authorities`,
    );
    await db.query('CREATE UNIQUE INDEX ON bench_authorities (k)');
    const statuses = [
      'received',
      'intake',
      'assessment',
      'assessment',
      'investigation',
      'investigation',
      'closed',
      'closed',
    ];
    const areas = [
      'housing',
      'adult-social-care',
      'education',
      'planning',
      'benefits-tax',
      'childrens-services',
      'highways-transport',
      'environmental-services',
      'corporate-other',
    ];
    for (let from = 1; from <= COMPLAINTS; from += BATCH) {
      const to = Math.min(COMPLAINTS, from + BATCH - 1);
      await db.query(
        `
        INSERT INTO complaints (reference, authority_id, service_area, status, channel, summary, authority_process_finished,
                                urgent_serious_risk, outcome, received_at, closed_at, created_at, updated_at)
        SELECT lpad((20 + n / 1000000)::text, 2, '0') || ' ' || lpad(((n / 1000) % 1000)::text, 3, '0') || ' ' || lpad((n % 1000)::text, 3, '0'),
               b.id,
               ($1::text[])[1 + n % ${areas.length}],
               ($2::text[])[1 + n % ${statuses.length}],
               'online', 'Bench complaint ' || n, n % 3 <> 0,
               n % 97 = 0,
               CASE WHEN ($2::text[])[1 + n % ${statuses.length}] = 'closed' THEN 'not-investigated' END,
               now() - (n % 2000) * interval '1 hour',
               CASE WHEN ($2::text[])[1 + n % ${statuses.length}] = 'closed' THEN now() END,
               now(), now()
        FROM generate_series($3::int, $4::int) n
        JOIN bench_authorities b ON b.k = 1 + n % ${AUTHORITIES}`,
        [areas, statuses, from, to],
      );
    }
    await db.query(`
      INSERT INTO complaint_parties (complaint_id, authority_id, role, name, email, consent_to_share, created_at, updated_at)
      SELECT id, authority_id, 'complainant', 'Bench Person', 'person@example.com', true, now(), now() FROM complaints`);
    await db.query(`
      INSERT INTO complaint_status_history (complaint_id, authority_id, from_status, to_status, reason, changed_at)
      SELECT id, authority_id, NULL, 'received', 'Received through the online form', received_at FROM complaints`);
    // Every case under investigation has its first enquiry (three questions): open and due within
    // the next or last few weeks for one in two, answered (on time or late) for the others.
    await db.query(`
      INSERT INTO enquiries (complaint_id, authority_id, kind, number, statement_of_complaint, addressed_to_name, status,
                             sent_at, sent_on, due_on, due_working_days, due_rule, responded_at, responded_on_time)
      SELECT c.id, c.authority_id, 'enquiry', 1, 'Bench statement of complaint', 'Chief Executive',
             CASE WHEN k % 2 = 0 THEN 'open' ELSE 'responded' END,
             now() - (k % 40 + 10) * interval '1 day', (now() - (k % 40 + 10) * interval '1 day')::date,
             (now() - (k % 40 + 10) * interval '1 day')::date + 28, 20,
             '{"ruleId":"working-days-after-start","basis":"default","workingDays":20,"holidaySet":"england-and-wales","closures":[]}'::jsonb,
             CASE WHEN k % 2 = 1 THEN now() - (k % 9) * interval '1 day' END,
             CASE WHEN k % 2 = 1 THEN k % 5 <> 0 END
      FROM (SELECT id, authority_id, row_number() OVER (ORDER BY id) AS k FROM complaints WHERE status = 'investigation') c`);
    await db.query(`
      INSERT INTO enquiry_questions (enquiry_id, authority_id, position, text)
      SELECT e.id, e.authority_id, q, 'Bench question ' || q FROM enquiries e CROSS JOIN generate_series(1, 3) q`);
    const enquiries = await db.query<{ n: string }>('SELECT count(*) AS n FROM enquiries');
    await db.query('ANALYZE');
    log(
      `Data: ${COMPLAINTS.toLocaleString('en-GB')} complaints over ${AUTHORITIES.toLocaleString('en-GB')} authorities, ` +
        `${Number(enquiries.rows[0]?.n).toLocaleString('en-GB')} enquiries, in ${round((performance.now() - t0) / 1000)} s`,
    );

    const user = await db.kysely
      .insertInto('users')
      .values({
        email: 'bench.intake@ombudsman.example',
        display_name: 'Bench Intake',
        status: 'active',
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('user_roles').values({ user_id: user.id, role: 'intake-officer' }).execute();
    const token = newSecret();
    const now = new Date();
    await db.kysely
      .insertInto('sessions')
      .values({
        token_hash: hashSecret(token),
        user_id: user.id,
        stage: 'active',
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + 8 * 3_600_000),
      })
      .execute();
    const sample = await db.kysely
      .selectFrom('complaints')
      .select('id')
      .where('status', '=', 'assessment')
      .orderBy('received_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await db.close();

    const port = await freePort();
    web = await startServer(url, port);
    const cookie = browserCookies(token);
    const base = `http://127.0.0.1:${port}`;
    const list = await measure('Case list (status = assessment)', `${base}/staff/complaints?status=assessment`, cookie);
    const casePage = await measure('Case page', `${base}/staff/complaints/${sample.id}`, cookie);

    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'tmp', 'bench-complaints.json'),
      `${JSON.stringify({ date: new Date().toISOString(), postgres: version, complaints: COMPLAINTS, authorities: AUTHORITIES, list, casePage }, null, 2)}\n`,
    );
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
