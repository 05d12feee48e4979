import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cookieNames } from '../src/http/cookies.ts';
import { hashSecret, newSecret } from '../src/modules/accounts/passwords.ts';
import {
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
 * The link officer's home under load: `node --import tsx bench/portal-home.ts`.
 *
 * On PostgreSQL (BENCH_DATABASE_URL; the `liaison_bench_home` database on it is dropped and
 * recreated; or a throwaway server from scripts/pg-test-server.sh): 200 authorities, and
 * BENCH_OTHER_CASES (20,000) cases elsewhere, each with an open enquiry, a fifth with a draft
 * waiting for comments and a fifth with an agreed remedy. The authority measured has 500 open
 * items: 200 open enquiries, 100 tasks delegated on them, 120 drafts waiting for its comments,
 * 60 agreed remedies and 20 public report steps, due dates spread around today.
 * Then `/portal`, signed in as its link officer, BENCH_CONNECTIONS (20) connections for
 * BENCH_SECONDS (10), and the page checked again after the load.
 *
 * The server keeps the authority's panels for DASHBOARD_CACHE_SECONDS (5 s), so the panels' statements
 * run about once in five seconds; DASHBOARD_CACHE_SECONDS=0 (passed on to the server) measures the
 * page reading them on every request.
 */

const OTHER_CASES = Number(process.env.BENCH_OTHER_CASES ?? 20_000);
const AUTHORITIES = 200;
const DB_NAME = 'liaison_bench_home';
const RULE = `'{"ruleId":"working-days-after-start","basis":"default","workingDays":20,"startDate":"2026-12-01","holidaySet":"england-and-wales","closures":[]}'::jsonb`;

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('home');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 6);
    log(`PostgreSQL ${version ?? '?'}`);
    const t0 = performance.now();
    await db.query(`
      INSERT INTO authorities (name, kind, created_at, updated_at)
      SELECT 'Bench Council ' || lpad(n::text, 3, '0'), 'district', now(), now() FROM generate_series(1, ${AUTHORITIES}) n`);
    // The measured authority's cases (what: enquiry, draft, remedy, report) and everyone else's.
    await db.query(`
      WITH a AS (SELECT id, row_number() OVER (ORDER BY name) AS k FROM authorities),
      plan AS (
        SELECT n, 1 AS k, CASE WHEN n <= 200 THEN 'enquiry' WHEN n <= 320 THEN 'draft' WHEN n <= 380 THEN 'remedy' ELSE 'report' END AS what
        FROM generate_series(1, 400) n
        UNION ALL
        SELECT 1000 + n, 2 + n % ${AUTHORITIES - 1}, CASE n % 5 WHEN 0 THEN 'draft' WHEN 1 THEN 'remedy' ELSE 'enquiry' END
        FROM generate_series(1, ${OTHER_CASES}) n
      )
      INSERT INTO complaints (reference, authority_id, service_area, status, channel, summary, authority_process_finished, received_at)
      SELECT '26 ' || lpad((n / 1000)::text, 3, '0') || ' ' || lpad((n % 1000)::text, 3, '0'), a.id, 'housing',
             CASE WHEN what IN ('remedy', 'report') THEN 'remedy' ELSE 'investigation' END, 'online', 'bench:' || what, true, now()
      FROM plan JOIN a USING (k)`);
    // Due dates from 30 days ago to 40 days ahead.
    const spread = (alias: string) => `current_date + ((row_number() OVER (ORDER BY ${alias}.id)) % 71 - 30)::int`;
    await db.query(`
      INSERT INTO enquiries (complaint_id, authority_id, kind, number, addressed_to_name, status, sent_at, sent_on, due_on, due_working_days, due_rule)
      SELECT c.id, c.authority_id, 'enquiry', 1, 'Chief Executive', 'open', now() - interval '28 days', current_date - 28,
             ${spread('c')}, 20, ${RULE}
      FROM complaints c WHERE c.summary = 'bench:enquiry'`);
    await db.query(`
      INSERT INTO draft_decisions (complaint_id, authority_id, form, version, complaint_text, findings_text, proposed_remedy_text,
                                   decision_text, issued_at, issued_on, comment_due_on, comment_due_rule, complainant_token_hash)
      SELECT c.id, c.authority_id, 'decision', 1, 'Complaint', 'Findings', 'Remedy', 'Decision', now() - interval '10 days',
             current_date - 10, ${spread('c')}, ${RULE}, md5(c.id::text)
      FROM complaints c WHERE c.summary IN ('bench:draft', 'bench:remedy', 'bench:report')`);
    await db.query(`
      INSERT INTO final_decisions (complaint_id, authority_id, form, draft_id, outcome, statement, decided_at, decided_on, review_due_on, complainant_token_hash)
      SELECT d.complaint_id, d.authority_id, 'decision', d.id, 'upheld-injustice', 'Upheld', now(), current_date, current_date + 20, md5(d.id::text)
      FROM draft_decisions d JOIN complaints c ON c.id = d.complaint_id WHERE c.summary IN ('bench:remedy', 'bench:report')`);
    await db.query(`
      INSERT INTO remedies (complaint_id, authority_id, draft_id, draft_version, position, type, description, status,
                            proposed_at, agreed_at, due_on, due_rule, agreed_due_on)
      SELECT d.complaint_id, d.authority_id, d.id, 1, 1, 'apology', 'Apologise in writing.', 'agreed', now() - interval '10 days', now(),
             ${spread('d')}, ${RULE}, current_date + 20
      FROM draft_decisions d JOIN complaints c ON c.id = d.complaint_id WHERE c.summary = 'bench:remedy'`);
    await db.query(`
      WITH r AS (
        INSERT INTO public_reports (complaint_id, authority_id, status, criteria, comment_due_on, draft_issued_on, final_issued_on, created_at, updated_at)
        SELECT c.id, c.authority_id, 'final', ARRAY['systemic'], current_date - 20, current_date - 40, current_date - 5, now(), now()
        FROM complaints c WHERE c.summary = 'bench:report'
        RETURNING id, authority_id
      )
      INSERT INTO public_report_steps (report_id, authority_id, round, kind, position, due_on, due_rule, created_at)
      SELECT r.id, r.authority_id, 1, 'public-notice', 1, ${spread('r')}, 'Two weeks after the report', now() FROM r`);
    // The link officer, signed in straight in the database. The server runs as in production: its
    // cookies carry the __Host- prefix.
    const token = newSecret();
    await db.query(
      `
      WITH u AS (
        INSERT INTO users (email, display_name, status, authority_id)
        SELECT 'lo@bench.example', 'Bench Link Officer', 'active', id FROM authorities WHERE name = 'Bench Council 001'
        RETURNING id
      ), r AS (INSERT INTO user_roles (user_id, role) SELECT id, 'link-officer' FROM u)
      INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at, expires_at)
      SELECT $1, id, 'active', now(), now(), now() + interval '8 hours' FROM u`,
      [hashSecret(token)],
    );
    const names = cookieNames(true);
    const cookie = `${names.session}=${token}; ${names.csrf}=${'b'.repeat(43)}`;
    const delegate = await db.query<{ id: string }>(`
      WITH u AS (
        INSERT INTO users (email, display_name, status, authority_id)
        SELECT 'delegate@bench.example', 'Dora Delegate', 'active', id FROM authorities WHERE name = 'Bench Council 001'
        RETURNING id
      )
      INSERT INTO user_roles (user_id, role) SELECT id, 'delegate' FROM u RETURNING user_id AS id`);
    await db.query(
      `
      INSERT INTO enquiry_delegations (enquiry_id, authority_id, delegate_user_id, internal_due_on, created_at)
      SELECT e.id, e.authority_id, $1, e.due_on - 3, now()
      FROM enquiries e JOIN authorities a ON a.id = e.authority_id
      WHERE a.name = 'Bench Council 001' ORDER BY e.id LIMIT 100`,
      [delegate.rows[0]?.id],
    );
    await db.query('VACUUM ANALYZE');
    const counts = await db.query<{ n: number }>(`
      SELECT (SELECT count(*) FROM enquiries e JOIN authorities a ON a.id = e.authority_id WHERE a.name = 'Bench Council 001')
           + (SELECT count(*) FROM enquiry_delegations)
           + (SELECT count(*) FROM draft_decisions d JOIN authorities a ON a.id = d.authority_id JOIN complaints c ON c.id = d.complaint_id
              WHERE a.name = 'Bench Council 001' AND c.summary = 'bench:draft')
           + (SELECT count(*) FROM remedies r JOIN authorities a ON a.id = r.authority_id WHERE a.name = 'Bench Council 001')
           + (SELECT count(*) FROM public_report_steps s JOIN authorities a ON a.id = s.authority_id WHERE a.name = 'Bench Council 001') AS n`);
    const items = counts.rows[0]?.n ?? 0;
    log(
      `Data: ${items} open items for the authority measured, ${OTHER_CASES.toLocaleString('en-GB')} cases elsewhere, in ${round((performance.now() - t0) / 1000)} s`,
    );
    await db.close();

    const port = await freePort();
    web = await startServer(url, port);
    const first = await fetch(`http://127.0.0.1:${port}/portal`, { headers: { cookie }, redirect: 'manual' });
    const html = await first.text();
    if (first.status !== 200 || !html.includes('Enquiries to answer (200)') || !html.includes('(120)'))
      throw new Error(`the home answered ${first.status} without the panels expected`);
    const home = await measureLoad(
      `Link officer's home (${items} open items)`,
      `http://127.0.0.1:${port}`,
      ['/portal'],
      cookie,
      SECONDS,
      CONNECTIONS,
    );
    // The load generator counts a redirect (to the sign-in page, say) as an answer: the page must still be the home.
    const last = await fetch(`http://127.0.0.1:${port}/portal`, { headers: { cookie }, redirect: 'manual' });
    const lastHtml = await last.text();
    if (last.status !== 200 || !lastHtml.includes('Enquiries to answer (200)'))
      throw new Error(`after the load the home answered ${last.status} without the panels expected`);
    log(`The home after the load: 200, ${lastHtml.length.toLocaleString('en-GB')} characters, the panels as before`);
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'tmp', 'bench-portal-home.json'),
      `${JSON.stringify({ date: new Date().toISOString(), postgres: version, items, home }, null, 2)}\n`,
    );
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
