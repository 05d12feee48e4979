import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { LocalComplaintsService } from '../src/modules/local-complaints/local-complaints.service.ts';
import { workingCalendar } from '../src/platform/calendar/calendar.ts';
import { systemClock } from '../src/platform/clock.ts';
import {
  CONNECTIONS,
  SECONDS,
  freePort,
  freshDatabase,
  log,
  machineLine,
  measureLoad,
  percentile,
  postgresServer,
  round,
  signedInCookie,
  startServer,
  stopServer,
  withDatabase,
} from './support.ts';

/**
 * Local complaints: `node --import tsx bench/local-complaints.ts`, on PostgreSQL (BENCH_DATABASE_URL,
 * whose `liaison_bench_local` database is dropped and recreated, or a throwaway server).
 *
 * BENCH_AUTHORITIES (300) authorities with BENCH_PER_AUTHORITY (5,000) local complaints each, a
 * tenth of them at stage 2, then:
 * 1. the portal log with one filter (a service area) and the oversight dashboard, for one authority,
 *    with the real server under BENCH_CONNECTIONS (20) connections for BENCH_SECONDS (10) seconds;
 * 2. intake's match lookup (email, telephone, name and service area, reference), 200 times;
 * 3. a CSV import of BENCH_IMPORT_ROWS (50,000) rows: the dry run, then the import with its progress.
 */

const AUTHORITIES = Number(process.env.BENCH_AUTHORITIES ?? 300);
const PER_AUTHORITY = Number(process.env.BENCH_PER_AUTHORITY ?? 5000);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);
const DB_NAME = 'liaison_bench_local';
const AREAS = [
  'housing',
  'planning',
  'benefits-tax',
  'environmental-services',
  'adult-social-care',
  'childrens-services',
];

/**
 * The records, one year's worth (received 1 April 2025 to 31 March 2026) for every authority, a
 * tenth at stage 2, a third awaiting a deadline. The tables' secondary indexes and foreign keys are
 * dropped while loading and made again afterwards (one sort per index, one join per key), which
 * is much faster than keeping them up to date row by row.
 */
async function generate(db: Db): Promise<void> {
  const k = db.kysely;
  await sql`SET maintenance_work_mem = '256MB'`.execute(k);
  const tables = ['local_complaints', 'local_complaint_stages'];
  const indexes = await sql<{ name: string; definition: string }>`
    SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
    WHERE i.tablename = ANY(${tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`.execute(
    k,
  );
  const keys = await sql<{ tbl: string; name: string; definition: string }>`
    SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
    WHERE contype = 'f' AND conrelid::regclass::text = ANY(${tables})`.execute(k);
  for (const c of keys.rows) await sql.raw(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`).execute(k);
  for (const i of indexes.rows) await sql.raw(`DROP INDEX ${i.name}`).execute(k);

  let t = performance.now();
  await sql`INSERT INTO authorities (name, kind, reference)
    SELECT 'Bench ' || g, 'london-borough', 'B' || g FROM generate_series(1, ${AUTHORITIES}) g`.execute(k);
  const areas = `{${AREAS.join(',')}}`;
  await sql`INSERT INTO local_complaints (authority_id, reference, received_on, service_area, channel, complainant_name,
      complainant_email, complainant_phone, summary, stage, next_due_on)
    SELECT a.id, 'R' || g, date '2025-04-01' + (g % 365), (${areas}::text[])[1 + g % 6], 'email', 'Person ' || g,
      'person' || g || '@example.com', '0207' || lpad(g::text, 7, '0'), 'Complaint ' || g,
      CASE WHEN g % 10 = 0 THEN 2 ELSE 1 END,
      CASE WHEN g % 3 = 0 THEN date '2025-04-01' + (g % 365) + 20 END
    FROM authorities a, generate_series(1, ${PER_AUTHORITY}) g`.execute(k);
  log(`  records: ${round((performance.now() - t) / 1000)} s`);
  t = performance.now();
  await sql`INSERT INTO local_complaint_stages (local_complaint_id, stage, handler, opened_on, acknowledged_on, responded_on,
      acknowledge_by, respond_by, extension_working_days)
    SELECT l.id, s, 'Handler ' || s, l.received_on + (s - 1) * 20, l.received_on + (s - 1) * 20 + 3,
      CASE WHEN s < l.stage OR l.next_due_on IS NULL THEN l.received_on + (s - 1) * 20 + 14 END,
      l.received_on + (s - 1) * 20 + 7, l.received_on + (s - 1) * 20 + 21, CASE WHEN l.reference LIKE '%7' THEN 5 END
    FROM local_complaints l, generate_series(1, l.stage) s`.execute(k);
  log(`  stages: ${round((performance.now() - t) / 1000)} s`);
  t = performance.now();
  for (const i of indexes.rows) await sql.raw(i.definition).execute(k);
  for (const c of keys.rows) await sql.raw(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.definition}`).execute(k);
  log(
    `  ${indexes.rows.length} indexes and ${keys.rows.length} foreign keys made again: ${round((performance.now() - t) / 1000)} s`,
  );
  await sql`VACUUM ANALYZE local_complaints`.execute(k);
  await sql`VACUUM ANALYZE local_complaint_stages`.execute(k);
  await sql`ANALYZE`.execute(k);
}

/** Whether the benchmark's database is there with its records (for BENCH_REUSE=1). */
async function holdsRecords(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, DB_NAME) });
  try {
    await client.connect();
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM local_complaints WHERE reference LIKE 'R%'`);
    return Number(r.rows[0]?.n) === AUTHORITIES * PER_AUTHORITY;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function existingDatabase(serverUrl: string, name: string, poolSize: number) {
  const url = withDatabase(serverUrl, name);
  const db = await openDatabase({ kind: 'postgres', url, poolSize });
  await migrate(db);
  const v = await sql<{ server_version: string }>`SHOW server_version`.execute(db.kysely);
  return { url, db, version: v.rows[0]?.server_version };
}

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('local');
  let web: ChildProcess | null = null;
  try {
    const reuse = process.env.BENCH_REUSE === '1' && (await holdsRecords(server.url));
    const { url, db, version } = reuse
      ? await existingDatabase(server.url, DB_NAME, 4)
      : await freshDatabase(server.url, DB_NAME, 4);
    log(`PostgreSQL ${version ?? '?'}`);
    let started = performance.now();
    if (reuse) {
      await sql`DELETE FROM local_complaints WHERE reference LIKE 'IMP%'`.execute(db.kysely);
      // As autovacuum would in time: the deleted rows are newest in the log's order.
      await sql`VACUUM ANALYZE local_complaints`.execute(db.kysely);
      await sql`VACUUM ANALYZE local_complaint_stages`.execute(db.kysely);
      await sql`VACUUM ANALYZE local_complaint_events`.execute(db.kysely);
      log('Records kept from the last run (BENCH_REUSE=1); its imported rows deleted');
    } else {
      await generate(db);
      log(
        `${(AUTHORITIES * PER_AUTHORITY).toLocaleString('en-GB')} local complaints made in ${round((performance.now() - started) / 1000)} s`,
      );
    }

    const authority = await db.kysely
      .selectFrom('authorities')
      .select('id')
      .where('name', '=', 'Bench 7')
      .executeTakeFirstOrThrow();
    // A token of the authority's link officer: an import by a token records no person.
    const officer = {
      type: 'token' as const,
      id: '00000000-0000-4000-8000-000000000001',
      roles: ['link-officer' as const],
      authorityId: authority.id,
    };
    const intake = {
      type: 'user' as const,
      id: '00000000-0000-4000-8000-000000000002',
      roles: ['intake-officer' as const],
      authorityId: null,
    };
    const service = new LocalComplaintsService(db.kysely, systemClock, workingCalendar());

    // BENCH_ONLY=match, log, dashboard or import runs that part alone.
    const only = process.env.BENCH_ONLY ?? '';
    const runs = (part: string) => only === '' || only === part;
    // 2. The match lookup.
    const times: number[] = [];
    for (let i = 0; i < (runs('match') ? 200 : 0); i++) {
      const g = 1 + ((i * 37) % PER_AUTHORITY);
      const t0 = performance.now();
      await service.candidates(intake, {
        authorityId: authority.id,
        serviceArea: AREAS[g % 6] ?? 'housing',
        email: `person${g}@example.com`,
        phone: `0207${String(g).padStart(7, '0')}`,
        name: `Person ${g}`,
        reference: `R${g}`,
      });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    if (times.length > 0)
      log(
        `Intake match lookup, one at a time: p50 ${round(percentile(times, 50))} ms, p95 ${round(percentile(times, 95))} ms`,
      );

    // 1. The pages under load.
    if (runs('log') || runs('dashboard')) {
      const port = await freePort();
      web = await startServer(url, port, { env: { DATABASE_POOL_SIZE: '10' } });
      const cookie = await signedInCookie(url, 'link-officer', 'Bench 7');
      const base = `http://127.0.0.1:${port}`;
      if (runs('log'))
        await measureLoad(
          'Portal log, one filter (service area)',
          base,
          ['/portal/local-complaints?serviceArea=housing'],
          cookie,
          SECONDS,
          CONNECTIONS,
        );
      if (runs('dashboard'))
        await measureLoad(
          'Oversight dashboard',
          base,
          ['/portal/local-complaints/oversight?year=2025'],
          cookie,
          SECONDS,
          CONNECTIONS,
        );
      await stopServer(web);
      web = null;
    }

    // 3. The import.
    if (!runs('import')) {
      await db.close();
      return;
    }
    const lines = ['reference,received_on,service_area,complainant_name,complainant_email,summary'];
    for (let i = 1; i <= IMPORT_ROWS; i++)
      lines.push(`IMP${i},2026-0${1 + (i % 9)}-1${i % 10},Housing,Imported ${i},imp${i}@example.com,Complaint ${i}`);
    const bytes = Buffer.from(lines.join('\n'));
    started = performance.now();
    const importId = await service.checkImport(officer, 'bench.csv', bytes, {});
    const dryMs = performance.now() - started;
    started = performance.now();
    await service.applyImport(officer, importId);
    let lastReport = 0;
    for (;;) {
      const p = await service.getImport(officer, importId);
      if (p.status !== 'saving') {
        log(
          `CSV import of ${IMPORT_ROWS.toLocaleString('en-GB')} rows: dry run ${round(dryMs / 1000)} s, import ${round((performance.now() - started) / 1000)} s (${p.status}, ${p.to_create} added, ${p.refused} refused)`,
        );
        break;
      }
      if (performance.now() - lastReport > 5000) {
        log(
          `  progress: ${p.processed_rows.toLocaleString('en-GB')} of ${(p.to_create + p.to_update).toLocaleString('en-GB')}`,
        );
        lastReport = performance.now();
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await db.close();
    log(machineLine());
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
