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
 * A case's timeline at scale: `node --import tsx bench/timeline.ts`.
 *
 * On PostgreSQL (BENCH_DATABASE_URL, or a throwaway server from scripts/pg-test-server.sh; the
 * `liaison_bench_timeline` database is dropped and recreated): BENCH_COMPLAINTS (1,000,000)
 * complaints over BENCH_AUTHORITIES (30,000) authorities, one draft decision with a comment on every
 * tenth, and one case with BENCH_TIMELINE_EVENTS (200) events (status changes, draft versions,
 * comments, disclosures). Then the real server (`ROLES=web`) under load (see `loadTest`), BENCH_CONNECTIONS
 * (20) connections for BENCH_SECONDS (10), signed in as an investigator: the staff Timeline tab of
 * that case. Target: p95 ≤ 40 ms.
 */

const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 1_000_000);
const AUTHORITIES = Number(process.env.BENCH_AUTHORITIES ?? 30_000);
const EVENTS = Number(process.env.BENCH_TIMELINE_EVENTS ?? 200);
const BATCH = 100_000;
const DB_NAME = 'liaison_bench_timeline';

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('timeline');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 4);
    log(`PostgreSQL ${version ?? '?'}`);
    const t0 = performance.now();
    await db.query(`
      INSERT INTO authorities (name, kind, created_at, updated_at)
      SELECT 'Bench Authority ' || n, 'district', now(), now() FROM generate_series(1, ${AUTHORITIES}) n`);
    await db.query(
      `CREATE TEMP TABLE bench_authorities AS SELECT id, row_number() OVER (ORDER BY id) AS k FROM authorities`,
    );
    await db.query('CREATE UNIQUE INDEX ON bench_authorities (k)');
    for (let from = 1; from <= COMPLAINTS; from += BATCH) {
      const to = Math.min(COMPLAINTS, from + BATCH - 1);
      await db.query(
        `
        INSERT INTO complaints (reference, authority_id, service_area, status, channel, summary, authority_process_finished,
                                authority_complained_on, authority_final_response_on, received_at, created_at, updated_at)
        SELECT lpad((20 + n / 1000000)::text, 2, '0') || ' ' || lpad(((n / 1000) % 1000)::text, 3, '0') || ' ' || lpad((n % 1000)::text, 3, '0'),
               b.id, 'housing', CASE WHEN n % 10 = 0 THEN 'decision' ELSE 'investigation' END, 'online', 'Bench complaint ' || n, true,
               date '2026-01-05', date '2026-03-02', now() - (n % 2000) * interval '1 hour', now(), now()
        FROM generate_series($1::int, $2::int) n
        JOIN bench_authorities b ON b.k = 1 + n % ${AUTHORITIES}`,
        [from, to],
      );
    }
    await db.query(`
      INSERT INTO complaint_status_history (complaint_id, authority_id, from_status, to_status, reason, changed_at)
      SELECT id, authority_id, NULL, 'received', 'Received through the online form', received_at FROM complaints`);
    const draftSql = (where: string, versions: string) => `
      INSERT INTO draft_decisions (complaint_id, authority_id, form, version, complaint_text, findings_text,
        proposed_remedy_text, decision_text, issued_at, issued_on, comment_due_on, comment_due_rule, complainant_token_hash)
      SELECT c.id, c.authority_id, 'decision', v, 'The complaint', 'What I found', 'Proposed remedy', 'Draft decision',
             now() - (100 - v) * interval '1 hour', current_date, current_date + 14, '{}', md5(random()::text || c.id || v)
      FROM complaints c, generate_series(1, ${versions}) v WHERE ${where}`;
    await db.query(draftSql(`c.status = 'decision'`, '1'));
    await db.query(`
      INSERT INTO draft_comments (draft_id, complaint_id, authority_id, party, channel, text, received_at, received_on, late)
      SELECT id, complaint_id, authority_id, 'authority', 'portal', 'We accept the findings.', issued_at + interval '1 day', issued_on, false
      FROM draft_decisions`);

    // The case with the long timeline: its status changes, drafts, comments and disclosures.
    const target = await db.kysely
      .selectFrom('complaints')
      .select(['id', 'authority_id'])
      .where('status', '=', 'investigation')
      .limit(1)
      .executeTakeFirstOrThrow();
    const versions = Math.max(1, Math.floor(EVENTS / 5));
    await db.query(`UPDATE complaints SET status = 'decision' WHERE id = $1`, [target.id]);
    await db.query(draftSql(`c.id = '${target.id}'`, String(versions)));
    await db.query(
      `INSERT INTO draft_comments (draft_id, complaint_id, authority_id, party, channel, text, received_at, received_on, late)
       SELECT d.id, d.complaint_id, d.authority_id, p, 'portal', 'Comments on the draft', d.issued_at + interval '10 minutes', d.issued_on, false
       FROM draft_decisions d, unnest(ARRAY['authority', 'complainant', 'authority']) p WHERE d.complaint_id = $1`,
      [target.id],
    );
    const existing = 2 + 1 + versions * 4;
    await db.query(
      `INSERT INTO draft_disclosures (draft_id, complaint_id, authority_id, shown_to, shown_on, with_evidence, recorded_at)
       SELECT d.id, d.complaint_id, d.authority_id, 'The officer criticised', d.issued_on, true, d.issued_at + interval '20 minutes'
       FROM draft_decisions d WHERE d.complaint_id = $1 ORDER BY d.version LIMIT $2`,
      [target.id, Math.max(0, EVENTS - existing)],
    );
    await db.query('ANALYZE');
    log(
      `Data: ${COMPLAINTS.toLocaleString('en-GB')} complaints over ${AUTHORITIES.toLocaleString('en-GB')} authorities in ${round((performance.now() - t0) / 1000)} s`,
    );

    const user = await db.kysely
      .insertInto('users')
      .values({
        email: 'bench.investigator@ombudsman.example',
        display_name: 'Bench Investigator',
        status: 'active',
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('user_roles').values({ user_id: user.id, role: 'investigator' }).execute();
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
    await db.close();

    const port = await freePort();
    web = await startServer(url, port);
    const cookie = browserCookies(token);
    const pageUrl = `http://127.0.0.1:${port}/staff/complaints/${target.id}/history`;
    const first = await fetch(pageUrl, { headers: { cookie } });
    const html = await first.text();
    if (first.status !== 200) throw new Error(`The timeline answered ${first.status}`);
    const shown = (html.match(/class="moj-timeline__item"/g) ?? []).length;
    log(`Timeline of the case: ${shown} events`);
    // The figure is one person opening the timeline (1 connection); 20 at once is shown beside it.
    const runs: Record<string, unknown> = {};
    for (const connections of [1, CONNECTIONS]) {
      const figures = await measureLoad(
        `Timeline (${shown} events)${connections === 1 ? ' (target p95 ≤ 40 ms)' : ''}`,
        `http://127.0.0.1:${port}`,
        [`/staff/complaints/${target.id}/history`],
        cookie,
        SECONDS,
        connections,
      );
      runs[`connections${connections}`] = figures;
    }
    const figures = { events: shown, ...runs };
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'tmp', 'bench-timeline.json'),
      `${JSON.stringify({ date: new Date().toISOString(), postgres: version, complaints: COMPLAINTS, ...figures }, null, 2)}\n`,
    );
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
