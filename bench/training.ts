import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cookieNames } from '../src/http/cookies.ts';
import { ApiTokensService } from '../src/modules/api-tokens/api-tokens.service.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createLogger } from '../src/platform/logger.ts';
import {
  ROOT,
  SECRET,
  freePort,
  freshDatabase,
  log,
  machineLine,
  measureLoad,
  percentile,
  postgresServer,
  round,
  startServer,
  stopServer,
  Burst,
  CONNECTIONS,
  SECONDS,
  machineFloor,
} from './support.ts';

/**
 * Training: `node --import tsx bench/training.ts`, on PostgreSQL (BENCH_DATABASE_URL, whose
 * `liaison_bench_training` database is dropped and recreated, or a throwaway server from
 * scripts/pg-test-server.sh), with the real server as `npm start` runs it.
 *
 * 1. BENCH_BOOKINGS (200) booking requests sent at once over the API, with a relationship lead's
 *    token, for a session of BENCH_PLACES (20) places: how many were confirmed and waitlisted, whether
 *    the waiting list is in the order the bookings were taken, and each request's time; then, as the
 *    floor, as many reads of a session's places sent at once with the same token.
 * 2. The public course list (`/training`, unfiltered and filtered) under BENCH_CONNECTIONS (20)
 *    connections for BENCH_SECONDS (10) seconds, over BENCH_COURSES (40) published courses with three
 *    sessions each.
 */

const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 200);
const PLACES = Number(process.env.BENCH_PLACES ?? 20);
const COURSES = Number(process.env.BENCH_COURSES ?? 40);
const DB_NAME = 'liaison_bench_training';
const AUDIENCES = ['councils', 'care-providers', 'councillors', 'link-officers'] as const;
const FORMATS = ['online', 'in-person', 'event'] as const;

async function main(): Promise<void> {
  log(machineLine());
  const server = postgresServer('training');
  let web: ChildProcess | null = null;
  try {
    const { url, db, version } = await freshDatabase(server.url, DB_NAME, 4);
    log(`PostgreSQL ${version ?? '?'}`);
    const { id: leadId } = await db.kysely
      .insertInto('users')
      .values({ email: 'lead@ombudsman.example', display_name: 'Bench lead', authority_id: null, password_hash: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('user_roles').values({ user_id: leadId, role: 'relationship-lead' }).execute();
    const lead = { type: 'user' as const, id: leadId, roles: ['relationship-lead' as const], authorityId: null };
    const { training } = createServices({
      config: loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: url,
        SESSION_SECRET: SECRET,
        BASE_URL: 'http://127.0.0.1',
        LOG_LEVEL: 'silent',
      }),
      db,
      clock: systemClock,
      logger: createLogger('silent'),
    });
    const day = (n: number, hour: number) => new Date(Date.now() + n * 86_400_000 + hour * 3_600_000);
    for (let i = 0; i < COURSES; i++) {
      const courseId = await training.createCourse(lead, {
        title: `Course ${String(i).padStart(3, '0')}: complaint handling in practice`,
        audiences: [AUDIENCES[i % AUDIENCES.length] ?? 'councils', 'link-officers'],
        format: FORMATS[i % FORMATS.length] ?? 'online',
        description: `A course on handling complaints well.\n\nIt covers **investigation**, responses and remedies (${i}).`,
        learningOutcomes: 'Plan an investigation\nWrite a clear response',
        durationMinutes: 180,
        pricePence: (i % 3) * 5000,
        externalUrl: null,
        published: true,
      });
      for (let s = 0; s < 3; s++)
        await training.createSession(lead, courseId, {
          startsAt: day(10 + s * 7 + (i % 5), 9),
          endsAt: day(10 + s * 7 + (i % 5), 12),
          capacity: 20,
          bookingClosesAt: null,
          joiningInstructions: 'A link the day before.',
          venue: null,
          trainerId: null,
          authorityId: null,
          network: null,
        });
    }
    const target = await training.createCourse(lead, {
      title: 'The session everyone wants',
      audiences: ['councils'],
      format: 'online',
      description: 'Twenty places.',
      learningOutcomes: '',
      durationMinutes: 60,
      pricePence: 0,
      externalUrl: null,
      published: true,
    });
    const sessionId = await training.createSession(lead, target, {
      startsAt: day(30, 9),
      endsAt: day(30, 10),
      capacity: PLACES,
      bookingClosesAt: null,
      joiningInstructions: null,
      venue: null,
      trainerId: null,
      authorityId: null,
      network: null,
    });
    const warmSessionId = await training.createSession(lead, target, {
      startsAt: day(31, 9),
      endsAt: day(31, 10),
      capacity: PLACES,
      bookingClosesAt: null,
      joiningInstructions: null,
      venue: null,
      trainerId: null,
      authorityId: null,
      network: null,
    });
    const tokens = new ApiTokensService(db.kysely, systemClock);
    const { token } = await tokens.createFromCommandLine({
      name: 'bench',
      role: 'relationship-lead',
      authorityId: null,
    });
    await db.query('ANALYZE');

    const port = await freePort();
    web = await startServer(url, port, { env: { DATABASE_POOL_SIZE: '10' } });
    const base = `http://127.0.0.1:${port}`;

    // A token in use and a server that has answered before, on another session of the course: the
    // token's first use (its last use recorded) and each route's first request are not measured.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/api/v1/training/sessions/${warmSessionId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
    }
    const warm = await fetch(`${base}/api/v1/training/sessions/${warmSessionId}/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Warm', email: 'warm@bench.example', organisation: 'Bench' }),
    });
    if (warm.status !== 201) throw new Error(`the warming booking answered ${warm.status}`);

    // 1. Bookings, all at once, on connections already open (a first, unmeasured burst of reads opens
    // them), then as the floor as many reads of a session's places at once with the same token (each
    // request's authentication and one statement): what any API request costs at that rate.
    const auth = { authorization: `Bearer ${token}` };
    const read = { method: 'GET' as const, path: `/api/v1/training/sessions/${warmSessionId}`, headers: auth };
    const burst = new Burst(base, BOOKINGS);
    await burst.send(Array.from({ length: BOOKINGS }, () => read));
    const answers = await burst.send(
      Array.from({ length: BOOKINGS }, (_, i) => ({
        method: 'POST' as const,
        path: `/api/v1/training/sessions/${sessionId}/bookings`,
        headers: auth,
        json: { name: `Attendee ${i}`, email: `attendee-${i}@bench.example`, organisation: 'Bench' },
      })),
    );
    const results = answers.map((a) => {
      const body = JSON.parse(a.body) as { status?: string; position?: number };
      return { status: a.status, place: body.status, position: body.position, ms: a.ms };
    });
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const confirmed = results.filter((r) => r.place === 'confirmed');
    const waitlisted = results.filter((r) => r.place === 'waitlisted');
    const failed = results.filter((r) => r.status !== 201);
    const positions = results.map((r) => r.position ?? 0).sort((a, b) => a - b);
    const contiguous = positions.every((p, i) => p === i + 1);
    const confirmedFirst = confirmed.every((r) => (r.position ?? 0) <= PLACES);
    const stored = await db.kysely
      .selectFrom('training_bookings')
      .select(['status', 'position'])
      .where('session_id', '=', sessionId)
      .orderBy('position')
      .execute();
    const storedWaiting = stored.filter((b) => b.status === 'waitlisted').map((b) => b.position);
    const inOrder = storedWaiting.every((p, i) => p === PLACES + i + 1);
    log(
      `Bookings: ${BOOKINGS} at once for ${PLACES} places: ${confirmed.length} confirmed, ${waitlisted.length} waitlisted, ` +
        `${failed.length} refused; places 1–${PLACES} confirmed: ${confirmedFirst}; waiting list numbered ` +
        `${PLACES + 1}–${BOOKINGS} without gaps in the order taken: ${contiguous && inOrder}; ` +
        `p50 ${round(percentile(times, 50))} ms, p95 ${round(percentile(times, 95))} ms, max ${round(times.at(-1) ?? 0)} ms`,
    );
    if (confirmed.length !== PLACES || waitlisted.length !== BOOKINGS - PLACES || !contiguous || !inOrder)
      throw new Error('capacity or the waiting list order was not kept');

    const floorTimes = (await burst.send(Array.from({ length: BOOKINGS }, () => read)))
      .map((a) => a.ms)
      .sort((a, b) => a - b);
    burst.close();
    log(
      `Floor: ${BOOKINGS} reads of a session's places at once: p50 ${round(percentile(floorTimes, 50))} ms, ` +
        `p95 ${round(percentile(floorTimes, 95))} ms, max ${round(floorTimes.at(-1) ?? 0)} ms`,
    );
    const machine = await machineFloor(BOOKINGS, read);
    log(
      `Machine floor: ${BOOKINGS} requests at once to a server that does nothing: p50 ${machine.p50} ms, p95 ${machine.p95} ms`,
    );

    // 2. The public course list.
    const cookie = `${cookieNames(true).csrf}=${'b'.repeat(43)}`;
    const list = await fetch(`${base}/training`, { headers: { cookie } });
    const html = await list.text();
    if (list.status !== 200 || !html.includes('Course 000')) throw new Error(`the course list answered ${list.status}`);
    const listFigures = await measureLoad(
      'Public course list',
      base,
      [
        '/training',
        '/training?audience=councils',
        '/training?format=event',
        '/training?audience=councillors&format=online',
      ],
      cookie,
      SECONDS,
      CONNECTIONS,
    );
    await db.close();

    const figures = {
      date: new Date().toISOString(),
      postgres: version,
      machineFloor: machine,
      floor: {
        p50: round(percentile(floorTimes, 50)),
        p95: round(percentile(floorTimes, 95)),
        max: round(floorTimes.at(-1) ?? 0),
      },
      bookings: {
        sent: BOOKINGS,
        places: PLACES,
        confirmed: confirmed.length,
        waitlisted: waitlisted.length,
        inOrder: contiguous && inOrder,
        p50: round(percentile(times, 50)),
        p95: round(percentile(times, 95)),
        max: round(times.at(-1) ?? 0),
      },
      courseList: listFigures,
    };
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp/bench-training.json'), `${JSON.stringify(figures, null, 2)}\n`);
    log('Targets: bookings p95 ≤ 100 ms; course list p95 ≤ 20 ms. Figures written to tmp/bench-training.json');
  } finally {
    if (web) await stopServer(web);
    server.stop();
  }
}

await main();
