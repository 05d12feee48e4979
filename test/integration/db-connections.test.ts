import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/platform/db/database.ts';
import { createTestApp } from '../support/app.ts';
import { createTestDb, serverUrlOf } from '../support/db.ts';

/**
 * A connection cut while the application holds it (a pooler or a replica killed mid-statement)
 * fails what it was doing and nothing else: the process goes on, and the next statement gets a
 * fresh connection. The connections run through a relay here, which cuts them with a TCP reset.
 */

let db: Db;
let url: string | null = null;

beforeAll(async () => {
  db = await createTestDb();
  url = await serverUrlOf(db);
});
afterAll(async () => {
  await db.close();
});

/** A TCP relay to the database server whose connections can all be reset at once. */
async function relayTo(target: string) {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(upstream.port || 5432), upstream.hostname);
    for (const [from, to] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const relayed = new URL(target);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: relayed.toString(),
    /** Resets every connection through the relay: the application's side sees ECONNRESET. */
    resetAll: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    /** Stops relaying: open connections are reset and new ones refused. */
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
  };
}

type Relay = Awaited<ReturnType<typeof relayTo>>;

/** Runs `run` with a database opened through a relay, and closes both whatever happens. */
async function throughRelay(serverUrl: string, poolSize: number, run: (target: Db, relay: Relay) => Promise<void>) {
  const relay = await relayTo(serverUrl);
  const target = await openDatabase({ kind: 'postgres', url: relay.url, poolSize });
  try {
    await run(target, relay);
  } finally {
    await target.close();
    await relay.close();
  }
}

const selectOne = async (target: Db) => (await sql<{ n: number }>`SELECT 1 AS n`.execute(target.kysely)).rows[0]?.n;

describe('connections to a PostgreSQL server', () => {
  it('run without JIT compilation from their first statement', async () => {
    if (!url) {
      expect(await selectOne(db)).toBe(1);
      return;
    }
    const target = await openDatabase({ kind: 'postgres', url, poolSize: 1 });
    try {
      expect((await sql<{ jit: string }>`SHOW jit`.execute(target.kysely)).rows[0]?.jit).toBe('off');
    } finally {
      await target.close();
    }
  });
});

describe('a database connection cut while in use', () => {
  it('fails the statement running on it, and the next statement runs on a new connection', async () => {
    if (!url) {
      // The embedded database runs in the process: it has no connection to lose.
      expect(await selectOne(db)).toBe(1);
      return;
    }
    await throughRelay(url, 2, async (target, relay) => {
      const running = sql`SELECT pg_sleep(2)`.execute(target.kysely);
      const failed = running.then(
        () => null,
        (error: unknown) => error,
      );
      // Once the statement is at the server, cut the connection under it.
      for (let i = 0; i < 100; i++) {
        const active = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)' AND state = 'active'`,
        );
        if ((active.rows[0]?.n ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      relay.resetAll();
      expect(await failed).toBeInstanceOf(Error);
      expect(await selectOne(target)).toBe(1);
    });
  });

  it('fails a transaction cut between its statements, and keeps the process and the pool working', async () => {
    if (!url) {
      expect(await selectOne(db)).toBe(1);
      return;
    }
    await throughRelay(url, 1, async (target, relay) => {
      const outcome = await target.kysely
        .transaction()
        .execute(async (trx) => {
          await sql`SELECT 1`.execute(trx);
          // The connection is held by the transaction, idle, when it is cut.
          relay.resetAll();
          await new Promise((resolve) => setTimeout(resolve, 100));
          await sql`SELECT 2`.execute(trx);
          return 'committed';
        })
        .catch(() => 'failed');
      expect(outcome).toBe('failed');
      // The only connection of the pool was the broken one: a working one replaced it.
      expect(await selectOne(target)).toBe(1);
    });
  });

  it('answers "service unavailable", to try again shortly, while the database cannot be reached', async () => {
    if (!url) {
      expect(await selectOne(db)).toBe(1);
      return;
    }
    await throughRelay(url, 2, async (target, relay) => {
      // The application alone is closed here: the database is closed with the relay.
      const { app } = await createTestApp({ db: target });
      try {
        expect((await app.inject({ method: 'GET', url: '/publications' })).statusCode).toBe(200);
        // The database goes away: open connections are cut and new ones refused.
        await relay.close();

        const page = await app.inject({ method: 'GET', url: '/publications' });
        expect(page.statusCode).toBe(503);
        expect(page.headers['retry-after']).toBe('5');
        expect(page.body).toContain('Sorry, the service is unavailable');
        expect(page.body).toContain('try again in a few seconds');

        const api = await app.inject({
          method: 'GET',
          url: '/api/v1/authorities',
          headers: { authorization: 'Bearer liaison_not-a-real-token' },
        });
        expect(api.statusCode).toBe(503);
        expect(api.headers['content-type']).toContain('application/problem+json');
        expect(api.json()).toMatchObject({ status: 503, title: 'Service unavailable' });
      } finally {
        await app.close();
      }
    });
  });
});
