import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { hashSecret, newSecret } from '../src/modules/accounts/passwords.ts';
import { FixedClock } from '../src/platform/clock.ts';
import { TOKEN_ALPHABET, TOKEN_LENGTH } from '../src/platform/mail/reply-address.ts';
import { createLogger } from '../src/platform/logger.ts';
import {
  browserCookies,
  freePort,
  freshDatabase,
  log,
  machineLine,
  measureLoad,
  postgresServer,
  round,
  SECRET,
  startServer,
  stopServer,
  ROOT,
  CONNECTIONS,
  SECONDS,
} from './support.ts';

/**
 * Enquiries at scale: `node --import tsx bench/enquiries.ts`.
 *
 * On PostgreSQL (BENCH_DATABASE_URL; the `liaison_bench_enquiries` database on it is dropped and
 * recreated; or a throwaway server from scripts/pg-test-server.sh): 200 authorities with two link
 * officers, a generic inbox and a chief executive each, and BENCH_ENQUIRIES (100,000) open
 * enquiries, one per complaint, with due dates spread from 25 days ago to 35 days ahead, each sent as a
 * letter on its case's authority thread.
 * 1. The reminder sweep: two sweeps at once (as two workers would), timed; then a third that must
 *    send nothing; every reminder is checked to have gone once to each address.
 * 2. The portal inbox of one authority (500 open enquiries) under load (see `loadTest`), BENCH_CONNECTIONS
 *    (20) connections for BENCH_SECONDS (10), signed in as its link officer.
 */

const ENQUIRIES = Number(process.env.BENCH_ENQUIRIES ?? 100_000);
const AUTHORITIES = 200;
const DB_NAME = 'liaison_bench_enquiries';
// Wednesday 13 January 2027, 07:00 in London.
const NOW = new Date('2027-01-13T07:00:00Z');

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('enquiries');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 6);
    log(`PostgreSQL ${version ?? '?'}`);

    // Data, set-based.
    const t0 = performance.now();
    await db.query(`
      INSERT INTO authorities (name, kind, generic_inbox, created_at, updated_at)
      SELECT 'Bench Council ' || n, 'district', 'ombudsman@council' || n || '.example', now(), now()
      FROM generate_series(1, ${AUTHORITIES}) n`);
    await db.query(`
      INSERT INTO senior_officers (authority_id, role, name, job_title, email)
      SELECT id, 'chief-executive', 'Chief ' || name, 'Chief Executive', 'ce@' || replace(lower(name), ' ', '') || '.example' FROM authorities`);
    await db.query(`
      INSERT INTO link_officers (authority_id, slot, title, forename, surname, job_title, email, phone)
      SELECT a.id, s, 'Ms', 'Officer', 'Number' || s, 'Complaints manager', 'lo' || s || '@' || replace(lower(a.name), ' ', '') || '.example', '+442079460000'
      FROM authorities a CROSS JOIN generate_series(1, 2) s`);
    // One complaint and one open enquiry each; authority 1 gets 500 for the inbox.
    await db.query(`
      WITH a AS (SELECT id, row_number() OVER (ORDER BY name) AS k FROM authorities)
      INSERT INTO complaints (reference, authority_id, service_area, status, channel, summary, authority_process_finished, received_at)
      SELECT '26 ' || lpad((n / 1000)::text, 3, '0') || ' ' || lpad((n % 1000)::text, 3, '0'),
             (SELECT id FROM a WHERE k = CASE WHEN n <= 500 THEN 1 ELSE 2 + (n % ${AUTHORITIES - 1}) END),
             'housing', 'investigation', 'online', 'Bench complaint ' || n, true, now()
      FROM generate_series(1, ${ENQUIRIES}) n`);
    await db.query(
      `
      INSERT INTO enquiries (complaint_id, authority_id, kind, number, addressed_to_name, status, sent_at, sent_on, due_on, due_working_days, due_rule)
      SELECT c.id, c.authority_id, 'enquiry', 1, 'Chief Executive', 'open', $1::timestamptz - interval '28 days',
             ($2::date - 28), ($2::date + ((row_number() OVER (ORDER BY c.id)) % 61 - 25)::int), 20,
             '{"ruleId":"working-days-after-start","basis":"default","workingDays":20,"startDate":"2026-12-16","holidaySet":"england-and-wales","closures":[]}'::jsonb
      FROM complaints c`,
      [NOW, '2027-01-13'],
    );
    await db.query(`
      INSERT INTO enquiry_questions (enquiry_id, authority_id, position, text)
      SELECT e.id, e.authority_id, q, 'Question ' || q FROM enquiries e CROSS JOIN generate_series(1, 3) q`);
    // Sending an enquiry writes it as a letter on the case's authority thread: each case has its
    // thread and its enquiry letter, as in real use, so reminders join threads rather than start them.
    const replyToken = Array.from(
      { length: TOKEN_LENGTH },
      (_, i) => `substr('${TOKEN_ALPHABET}', get_byte(r.b, ${i}) % ${TOKEN_ALPHABET.length} + 1, 1)`,
    ).join(' || ');
    await db.query(`
      INSERT INTO correspondence_threads (complaint_id, authority_id, audience, reply_token, created_at)
      SELECT r.id, r.authority_id, 'authority', ${replyToken}, now() - interval '28 days'
      FROM (SELECT c.id, c.authority_id, uuid_send(gen_random_uuid()) AS b FROM complaints c) r`);
    await db.query(`
      INSERT INTO correspondence_items
        (thread_id, complaint_id, authority_id, direction, kind, addressees, is_letter, subject, text_body, created_at)
      SELECT th.id, th.complaint_id, th.authority_id, 'outbound', 'enquiry', ARRAY['link-officers'], true,
             'Enquiry 1 on complaint ' || c.reference, 'Please answer the questions in the portal.', th.created_at
      FROM correspondence_threads th JOIN complaints c ON c.id = th.complaint_id`);
    await db.query('ANALYZE');
    log(
      `Data: ${ENQUIRIES.toLocaleString('en-GB')} open enquiries over ${AUTHORITIES} authorities in ${round((performance.now() - t0) / 1000)} s`,
    );

    // 1. The sweep: two workers at once, then a third that finds nothing to send.
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      SESSION_SECRET: SECRET,
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const services = createServices({ config, db, clock: new FixedClock(NOW), logger: createLogger('silent') });
    const t1 = performance.now();
    const [a, b] = await Promise.all([services.enquiries.sweep(), services.enquiries.sweep()]);
    const sweepMs = performance.now() - t1;
    const t2 = performance.now();
    const third = await services.enquiries.sweep();
    const emptySweepMs = performance.now() - t2;
    // Every reminder is a correspondence item of kind `reminder` (addressed to the link officers, or
    // to the chief executive for an escalation), written by the sweep in the same statement; the data
    // set itself has only the enquiry letters, so every reminder item counted here came from a sweep.
    const checks = await sql<{ reminders: number; items: number; duplicates: number }>`
      SELECT (SELECT count(*) FROM enquiry_reminders) AS reminders,
             (SELECT count(*) FROM correspondence_items WHERE kind = 'reminder') AS items,
             (SELECT count(*) FROM (SELECT complaint_id, subject FROM correspondence_items WHERE kind = 'reminder'
                GROUP BY complaint_id, subject HAVING count(*) > 1) d) AS duplicates
    `.execute(db.kysely);
    const c = checks.rows[0];
    log(
      `Sweep (two at once): ${round(sweepMs / 1000)} s; reminders ${(a.reminders + b.reminders).toLocaleString('en-GB')} ` +
        `(worker 1: ${a.reminders.toLocaleString('en-GB')}, worker 2: ${b.reminders.toLocaleString('en-GB')}), items ${(a.items + b.items).toLocaleString('en-GB')}`,
    );
    log(
      `Check: ${Number(c?.reminders).toLocaleString('en-GB')} reminder rows, ${Number(c?.items).toLocaleString('en-GB')} correspondence items, ` +
        `${Number(c?.duplicates)} duplicates; a third sweep wrote ${third.items} in ${round(emptySweepMs)} ms`,
    );
    if (Number(c?.items) !== Number(c?.reminders) || Number(c?.duplicates) !== 0 || third.items !== 0) {
      throw new Error('a reminder was not sent exactly once');
    }

    // 2. The portal inbox of the authority with 500 open enquiries, once autovacuum would have seen
    // the sweep's writes (done here at once, so the figure is the steady state's).
    await db.query('VACUUM ANALYZE');
    const home = await db.kysely
      .selectFrom('authorities')
      .select('id')
      .where('name', '=', 'Bench Council 1')
      .executeTakeFirstOrThrow();
    const user = await db.kysely
      .insertInto('users')
      .values({
        email: 'lo@bench.example',
        display_name: 'Bench Link Officer',
        status: 'active',
        authority_id: home.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('user_roles').values({ user_id: user.id, role: 'link-officer' }).execute();
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
    const inboxUrl = `http://127.0.0.1:${port}/portal/enquiries`;
    const cookie = browserCookies(token);
    const first = await fetch(inboxUrl, { headers: { cookie } });
    const html = await first.text();
    if (first.status !== 200 || !html.includes('500 open enquiries'))
      throw new Error(`the inbox answered ${first.status}`);
    const inbox = await measureLoad(
      'Portal inbox (500 open)',
      `http://127.0.0.1:${port}`,
      ['/portal/enquiries'],
      cookie,
      SECONDS,
      CONNECTIONS,
    );

    const figures = {
      date: new Date().toISOString(),
      postgres: version,
      enquiries: ENQUIRIES,
      sweepSeconds: round(sweepMs / 1000),
      reminders: Number(c?.reminders),
      correspondenceItems: Number(c?.items),
      inbox,
    };
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp', 'bench-enquiries.json'), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
