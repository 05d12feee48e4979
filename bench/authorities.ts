import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../src/modules/accounts/domain.ts';
import { hashSecret, newSecret } from '../src/modules/accounts/passwords.ts';
import { IMPORT_COLUMN_NAMES } from '../src/modules/authorities/authorities.csv.ts';
import { AuthoritiesService } from '../src/modules/authorities/authorities.service.ts';
import { AUTHORITY_KINDS, REGIONS } from '../src/modules/authorities/domain.ts';
import { systemClock } from '../src/platform/clock.ts';
import {
  browserCookies,
  DIRECTORY_SEARCHES,
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
  seededRandom,
} from './support.ts';

/**
 * The authority directory at scale: `node --import tsx bench/authorities.ts`.
 *
 * 30,000 authorities (400 councils and other public bodies, the rest adult social care providers)
 * on PostgreSQL: BENCH_DATABASE_URL (the `liaison_bench_authorities` database on it is dropped and
 * recreated), or else a throwaway server from scripts/pg-test-server.sh. Measures the CSV import of
 * the whole directory, directory search under load (wrk or autocannon, see `loadTest`; BENCH_CONNECTIONS connections for
 * BENCH_SECONDS seconds over a mix of searches, filters and second pages), and the CSV export.
 */

const TOTAL = Number(process.env.BENCH_AUTHORITIES ?? 30_000);
const COUNCILS = 400;
const DB_NAME = 'liaison_bench_authorities';

// A small deterministic generator, so every run imports the same directory.
const random = seededRandom(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const PLACES = [
  'Ash',
  'Beech',
  'Birch',
  'Brook',
  'Cedar',
  'Chester',
  'Clay',
  'Dale',
  'Elm',
  'Fair',
  'Glen',
  'Green',
  'Hazel',
  'Heath',
  'Holly',
  'Kings',
  'Lake',
  'Lark',
  'Lime',
  'Maple',
  'Marsh',
  'Mead',
  'Mill',
  'Moor',
  'North',
  'Oak',
  'Orchard',
  'Park',
  'Pine',
  'Queens',
  'River',
  'Rose',
  'South',
  'Spring',
  'Stone',
  'Summer',
  'West',
  'Willow',
  'Wood',
  'York',
];
const SUFFIXES = ['field', 'ford', 'ham', 'ley', 'mouth', 'side', 'ton', 'view', 'wick', 'worth', 'bury', 'gate'];
const CARE = ['Care Home', 'Nursing Home', 'Homecare', 'Residential Home', 'Care Centre', 'Lodge', 'House', 'Court'];
const COUNCIL_KINDS = AUTHORITY_KINDS.filter((k) => k !== 'care-provider');

function directoryCsv(): string {
  const rows: string[][] = [IMPORT_COLUMN_NAMES];
  for (let i = 0; i < TOTAL; i++) {
    const place = `${pick(PLACES)}${pick(SUFFIXES)}`;
    const council = i < COUNCILS;
    const kind = council ? pick(COUNCIL_KINDS) : 'care-provider';
    const name = council
      ? `${place} ${kind === 'county' ? 'County Council' : 'Council'} ${i}`
      : `${place} ${pick(CARE)} ${i}`;
    const domain = `${place.toLowerCase()}${i}.example`;
    rows.push([
      name,
      kind,
      council ? `E${String(6_000_000 + i).padStart(8, '0')}` : `1-${String(100_000_000 + i)}`,
      `${1 + (i % 200)} High Street\n${place}`,
      pick(REGIONS),
      council ? `ombudsman@${domain}` : '',
      '',
      `Chief ${i}`,
      council ? 'Chief Executive' : 'Registered Manager',
      `chief@${domain}`,
      '',
      council ? `Monitoring ${i}` : '',
      council ? 'Monitoring Officer' : '',
      council ? `monitoring@${domain}` : '',
    ]);
  }
  return stringify(rows);
}

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('authorities');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 4);
    log(`PostgreSQL ${version ?? '?'}`);

    const user = await db.kysely
      .insertInto('users')
      .values({ email: 'lead@bench.example', display_name: 'Bench Lead', status: 'active' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('user_roles').values({ user_id: user.id, role: 'relationship-lead' }).execute();
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
    const actor: Actor = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };

    // 1. Import the whole directory from CSV, as the import page does (checked, staged, one transaction).
    const csv = Buffer.from(directoryCsv(), 'utf8');
    log(`CSV: ${TOTAL.toLocaleString('en-GB')} authorities, ${round(csv.length / 2 ** 20)} MB`);
    const service = new AuthoritiesService(db.kysely, systemClock);
    const t0 = performance.now();
    const importId = await service.startImport(actor, 'directory.csv', csv);
    await service.importFinished(importId);
    const importMs = performance.now() - t0;
    const result = await service.getImport(actor, importId);
    log(
      `Import: ${result.status}, ${result.createdCount.toLocaleString('en-GB')} added in ${round(importMs / 1000)} s`,
    );
    const t1 = performance.now();
    const again = await service.startImport(actor, 'directory.csv', csv);
    await service.importFinished(again);
    const reimportMs = performance.now() - t1;
    log(`Import of the same file again (nothing changes): ${round(reimportMs / 1000)} s`);
    await db.query('ANALYZE');
    await db.close();

    // 2. The real server, web role only, under load on the directory page.
    const port = await freePort();
    web = await startServer(url, port);
    const base = `http://127.0.0.1:${port}`;
    const cookie = browserCookies(token);
    const firstPage = await fetch(`${base}/staff/authorities`, { headers: { cookie } });
    const firstHtml = await firstPage.text();
    const nextHref = /href="(\/staff\/authorities\?cursor=[^"]+)" rel="next"/
      .exec(firstHtml)?.[1]
      ?.replaceAll('&amp;', '&');
    if (firstPage.status !== 200 || !nextHref) throw new Error(`the directory answered ${firstPage.status}`);
    const paths = [...DIRECTORY_SEARCHES.slice(0, 1), nextHref, ...DIRECTORY_SEARCHES.slice(1)];
    const search = await measureLoad('Directory search', base, paths, cookie, SECONDS, CONNECTIONS);

    // 3. Export of the whole directory, to the last byte.
    const t2 = performance.now();
    const exported = await fetch(`${base}/staff/authorities/export`, { headers: { cookie } });
    const body = await exported.text();
    const exportMs = performance.now() - t2;
    log(
      `Export: ${exported.status}, ${round(body.length / 2 ** 20)} MB, ${body.split('\n').length.toLocaleString('en-GB')} lines in ${round(exportMs / 1000)} s`,
    );

    const figures = {
      date: new Date().toISOString(),
      postgres: version,
      authorities: TOTAL,
      importSeconds: round(importMs / 1000),
      reimportSeconds: round(reimportMs / 1000),
      search,
      exportSeconds: round(exportMs / 1000),
    };
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp/bench-authorities.json'), `${JSON.stringify(figures, null, 2)}\n`);
    log('Targets: search p95 ≤ 30 ms; import ≤ 30 s; export ≤ 5 s. Figures written to tmp/bench-authorities.json');
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
