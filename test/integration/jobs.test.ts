import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Db } from '../../src/platform/db/database.ts';
import { defineJob, JobQueue, noPayload } from '../../src/platform/jobs/queue.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDb, serverUrlOf } from '../support/db.ts';

/** Polls until `check` is true; the deadline is generous and only guards against hanging. */
async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobStates = async (db: Db, name: string) =>
  (await db.query<{ state: string }>('SELECT state FROM pgboss.job WHERE name = $1', [name])).rows.map((r) => r.state);

let db: Db;
let queue: JobQueue;
const greeted: string[] = [];
let flakyCalls = 0;
let releaseSlow: () => void = () => undefined;
let slowStarted = false;
let slowFinished = false;

const greet = defineJob({
  name: 'test.greet',
  schema: z.object({ name: z.string().min(1) }),
  handler: async (payload) => {
    greeted.push(payload.name);
  },
});

const flaky = defineJob({
  name: 'test.flaky',
  schema: z.object({ n: z.number() }),
  retryLimit: 2,
  retryDelaySeconds: 0,
  retryBackoff: false,
  handler: async () => {
    flakyCalls++;
    if (flakyCalls === 1) throw new Error('the first run fails');
  },
});

const slow = defineJob({
  name: 'test.slow',
  schema: z.object({}),
  handler: async () => {
    slowStarted = true;
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    slowFinished = true;
  },
});

let ticks = 0;
const tick = defineJob({
  name: 'test.tick',
  schema: noPayload,
  schedule: { everySeconds: 1 },
  handler: async () => {
    ticks++;
  },
});

let hourlyRuns = 0;
const hourly = defineJob({
  name: 'test.hourly',
  schema: noPayload,
  schedule: { everySeconds: 3600 },
  handler: async () => {
    hourlyRuns++;
  },
});

beforeAll(async () => {
  db = await createTestDb();
  // On PostgreSQL, pg-boss runs on its own small pool, as in production.
  const databaseUrl = await serverUrlOf(db);
  queue = new JobQueue({ db, ...(databaseUrl ? { databaseUrl } : {}), pollSeconds: 1, logger: createLogger('silent') });
  queue.register(greet, flaky, slow, tick, hourly);
  await queue.start({ work: true });
});
afterAll(async () => {
  await queue.stop();
  await db.close();
});

describe('the job queue', () => {
  it('is ready once started', async () => {
    await expect(queue.ready()).resolves.toEqual({ ok: true });
  });

  it('runs a job enqueued in a committed transaction, with its payload', async () => {
    await db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('authorities').values({ name: 'Queue Borough Council', kind: 'district' }).execute();
      await queue.enqueue(trx, greet, { name: 'Ada' });
    });
    queue.wake();
    await waitUntil(() => greeted.includes('Ada'), 'the greet job');
    await waitUntil(async () => (await jobStates(db, 'test.greet')).includes('completed'), 'completion');
  });

  it('enqueues nothing when the transaction rolls back', async () => {
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await queue.enqueue(trx, greet, { name: 'Rolled back' });
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    const rows = await db.query<{ data: { name: string } }>("SELECT data FROM pgboss.job WHERE name = 'test.greet'");
    expect(rows.rows.map((r) => r.data.name)).not.toContain('Rolled back');
    // A later job still runs, and the rolled-back one never does.
    await queue.enqueue(db.kysely, greet, { name: 'After' });
    await waitUntil(() => greeted.includes('After'), 'the later job');
    expect(greeted).not.toContain('Rolled back');
  });

  it('refuses a payload its schema rejects, inserting nothing', async () => {
    const before = (await jobStates(db, 'test.greet')).length;
    await expect(queue.enqueue(db.kysely, greet, { name: '' })).rejects.toThrow();
    expect(await jobStates(db, 'test.greet')).toHaveLength(before);
  });

  it('retries a job that fails, and records it completed once it succeeds', async () => {
    const id = await queue.enqueue(db.kysely, flaky, { n: 1 });
    expect(id).toBeTruthy();
    await waitUntil(async () => (await jobStates(db, 'test.flaky')).includes('completed'), 'the retried job');
    expect(flakyCalls).toBe(2);
    const row = await db.query<{ retry_count: number }>('SELECT retry_count FROM pgboss.job WHERE id = $1', [id]);
    expect(row.rows[0]?.retry_count).toBe(1);
  });

  it('runs a scheduled job when the worker starts, and on its cron schedule', async () => {
    await waitUntil(() => hourlyRuns === 1, 'the first run of the hourly job');
    const schedules = await db.query<{ name: string; cron: string }>(
      "SELECT name, cron FROM pgboss.schedule WHERE name IN ('test.hourly', 'test.tick') ORDER BY name",
    );
    // Under a minute, the runs follow each other; the minute's cron is there should the chain break.
    expect(schedules.rows).toEqual([
      { name: 'test.hourly', cron: '0 * * * *' },
      { name: 'test.tick', cron: '* * * * *' },
    ]);
  });

  it('runs a job scheduled every second again and again, with one run at most waiting', async () => {
    const before = ticks;
    await waitUntil(() => ticks >= before + 3, 'three more runs of the ticking job');
    const waiting = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'test.tick' AND state = 'created'",
    );
    expect(waiting.rows[0]?.n).toBeLessThanOrEqual(1);
  });

  it('stops gracefully: a job in progress finishes before stop() returns', async () => {
    await queue.enqueue(db.kysely, slow, {});
    await waitUntil(() => slowStarted, 'the slow job to start');
    let stopped = false;
    const stopping = queue.stop().then(() => {
      stopped = true;
    });
    // Let the stop begin; it must still be waiting on the job.
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    expect((await queue.ready()).ok).toBe(false);
    releaseSlow();
    await stopping;
    expect(slowFinished).toBe(true);
    expect(await jobStates(db, 'test.slow')).toEqual(['completed']);
  });
});
