import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cookieNames } from '../src/http/cookies.ts';
import { markdownToText } from '../src/platform/markdown/markdown.ts';
import { PUBLICATION_KINDS } from '../src/modules/publications/domain.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
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
  withDatabase,
  ROOT,
  CONNECTIONS,
  SECONDS,
  seededRandom,
} from './support.ts';

/**
 * The publications library at scale: `node --import tsx bench/publications.ts`.
 *
 * 20,000 published publications (BENCH_PUBLICATIONS) of about 600 words each, made up from a
 * vocabulary of casework, on PostgreSQL: BENCH_DATABASE_URL (the `liaison_bench_publications`
 * database on it is dropped and recreated), or else a throwaway server from
 * scripts/pg-test-server.sh. Measures, with the real server under load (BENCH_CONNECTIONS
 * connections for BENCH_SECONDS seconds each): the library's full-text search over a mix of words
 * common and rare, stemmed, with filters and a second page; then publication pages. BENCH_KEEP=1
 * (with BENCH_DATABASE_URL) keeps the library an earlier run wrote.
 */

const TOTAL = Number(process.env.BENCH_PUBLICATIONS ?? 20_000);
const DB_NAME = 'liaison_bench_publications';

// A small deterministic generator, so every run writes the same library.
const random = seededRandom(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const SUBJECTS = [
  'home care',
  'school transport',
  'council tax',
  'housing allocations',
  'temporary accommodation',
  'planning enforcement',
  'special educational needs',
  'adult safeguarding',
  'parking permits',
  'bin collections',
  'disabled facilities grants',
  'care home charges',
  'children in care',
  'homelessness',
  'noise nuisance',
  'highway repairs',
  'blue badges',
  'direct payments',
  'school admissions',
  'housing benefit',
];
const WORDS = (
  'council complaint complaints complained complaining authority investigation decision remedy apology ' +
  'payment evidence records delay delays delayed officer officers resident residents family families carer ' +
  'carers assessment assessed review reviewed policy procedure guidance law duty duties statutory service ' +
  'services provider providers contract monitoring report reports found fault injustice distress uncertainty ' +
  'time trouble letter letters response responses deadline weeks months year years process stage escalation ' +
  'link manager managers councillor councillors scrutiny lessons improvement improvements training staff ' +
  'communication information record keeping budget funding eligibility needs support plan plans visit visits ' +
  'missed late journey journeys transport school pupils parents charge charges refund refunds tenancy ' +
  'landlord repair repairs damp mould inspection enforcement notice appeal tribunal judgment reasons ' +
  'explanation consider considered properly fairly promptly clearly accurately consistently'
).split(' ');

function paragraph(subject: string, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(i % 37 === 5 ? subject : pick(WORDS));
  const text = out.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function publication(i: number) {
  const subject = pick(SUBJECTS);
  const kind = pick(PUBLICATION_KINDS);
  const title = `${subject.charAt(0).toUpperCase()}${subject.slice(1)}: ${pick(WORDS)} and ${pick(WORDS)} ${i}`;
  const body = [
    `## What we found\n\n${paragraph(subject, 150)}`,
    `## What councils should do\n\n${paragraph(subject, 150)}\n\n- ${paragraph(subject, 12)}\n- ${paragraph(subject, 12)}`,
    `## Case study\n\n${paragraph(subject, 150)}\n\n| Year | Complaints |\n|---|---|\n| 2026 | ${i % 500} |`,
    `## Conclusion\n\n${paragraph(subject, 100)}`,
  ].join('\n\n');
  // Spread over ten years, a few minutes apart: whole milliseconds, as the service writes them.
  const publishedAt = new Date(Date.UTC(2016, 0, 1) + i * 15_770_000);
  return {
    kind,
    slug: `bench-${subject.replaceAll(' ', '-')}-${i}`,
    title,
    summary: paragraph(subject, 30),
    body,
    body_text: markdownToText(body),
    topics: [
      pick(['adult-social-care', 'education', 'housing', 'planning', 'highways-transport', 'complaint-handling']),
    ],
    councillor_questions: i % 3 === 0 ? [paragraph(subject, 15), paragraph(subject, 15)] : [],
    partners: kind === 'joint-report' ? ['A partner ombudsman'] : [],
    status: 'published' as const,
    published_at: publishedAt,
    created_at: publishedAt,
    updated_at: publishedAt,
  };
}

/** The search mix: common and rare words, stemmed forms, phrases, filters and a second page. */
const SEARCHES = [
  '/publications?q=complaining',
  '/publications?q=home+care',
  '/publications?q=%22school+transport%22',
  '/publications?q=refunds+landlord',
  '/publications?q=damp+mould&kind=focus-report',
  '/publications?q=delayed+assessment&topic=adult-social-care',
  '/publications?q=councillors+scrutiny&year=2024',
  '/publications?q=blue+badges',
  '/publications?q=tribunal',
  '/publications?kind=guidance-note',
  '/publications?topic=housing&year=2025',
  '/publications',
];

/** BENCH_VARIED_SEARCHES (400) searches of two words each, all different. */
const VARIED_SEARCHES = Array.from({ length: Number(process.env.BENCH_VARIED_SEARCHES ?? 400) }, (_, i) => {
  const first = WORDS[i % WORDS.length] ?? 'council';
  const second = WORDS[(i * 7 + Math.floor(i / WORDS.length) * 11 + 3) % WORDS.length] ?? 'delay';
  return `/publications?${new URLSearchParams({ q: `${first} ${second}` }).toString()}`;
});

/**
 * With BENCH_KEEP=1, the library written by an earlier run on the same server, migrated to the
 * current schema, when it holds as many publications as asked for; otherwise null.
 */
async function keptDatabase(serverUrl: string) {
  if (process.env.BENCH_KEEP !== '1') return null;
  try {
    const url = withDatabase(serverUrl, DB_NAME);
    const db = await openDatabase({ kind: 'postgres', url, poolSize: 4 });
    await migrate(db);
    const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
    return { url, db, version: rows[0]?.server_version };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('publications');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = (await keptDatabase(server.url)) ?? (await freshDatabase(server.url, DB_NAME, 4));
    log(`PostgreSQL ${version ?? '?'}`);
    const t0 = performance.now();
    const held = await db.kysely
      .selectFrom('publications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (let i = held.n === TOTAL ? TOTAL : 0; i < TOTAL; i += 500) {
      const rows = [];
      for (let j = i; j < Math.min(TOTAL, i + 500); j++) rows.push(publication(j));
      await db.kysely.insertInto('publications').values(rows).execute();
    }
    await db.query('ANALYZE');
    const size = await db.query<{ size: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('publications')) AS size`,
    );
    log(
      `Wrote ${TOTAL.toLocaleString('en-GB')} publications in ${round((performance.now() - t0) / 1000)} s ` +
        `(table and indexes ${size.rows[0]?.size ?? '?'})`,
    );
    const slugs = (
      await db.kysely.selectFrom('publications').select('slug').orderBy('published_at', 'desc').limit(200).execute()
    ).map((r) => `/publications/${r.slug}`);
    await db.close();

    const port = await freePort();
    web = await startServer(url, port);
    const base = `http://127.0.0.1:${port}`;
    const cookie = `${cookieNames(true).csrf}=${'b'.repeat(43)}`;
    const first = await fetch(`${base}/publications?q=complaining`, { headers: { cookie } });
    const html = await first.text();
    const next = /href="([^"]+)" rel="next"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    if (first.status !== 200 || !next || !html.includes('<mark>'))
      throw new Error(`the search answered ${first.status}`);
    const search = await measureLoad('Search', base, [...SEARCHES, next], cookie, SECONDS, CONNECTIONS);
    const pages = await measureLoad('Publication page', base, slugs, cookie, SECONDS, CONNECTIONS);
    // Many different searches, each asked for again only every few hundred requests: how the
    // library does when most searches are not among the pages kept whole (PUBLIC_PAGE_CACHE_SECONDS).
    const varied = await measureLoad(
      `Search, ${VARIED_SEARCHES.length} different searches in turn`,
      base,
      VARIED_SEARCHES,
      cookie,
      SECONDS,
      CONNECTIONS,
    );

    const figures = {
      date: new Date().toISOString(),
      postgres: version,
      publications: TOTAL,
      search,
      pages,
      varied,
    };
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp/bench-publications.json'), `${JSON.stringify(figures, null, 2)}\n`);
    log('Targets: search p95 ≤ 30 ms; publication page p95 ≤ 20 ms. Figures written to tmp/bench-publications.json');
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
