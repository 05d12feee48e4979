import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/platform/db/database.ts';
import { createTestDb, serverUrlOf } from '../support/db.ts';

/**
 * Reads that may lag (`db.replica`): from the replica only while it is a streaming standby close
 * behind; otherwise from the primary, never an error. (A real streaming replica, killed under load,
 * is exercised by the fault drill, `npm run drill`.)
 */

let db: Db;
let url: string | null = null;

/** A port nothing listens on: a replica that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const countAuthorities = async (target: Db) =>
  (
    await target.replica
      .selectFrom('authorities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

/** Asks for the replica's health until its first check is done. */
async function checkedHealth(target: Db) {
  for (let i = 0; i < 200; i++) {
    const health = target.replicaHealth();
    if (health && health.reason !== 'not checked yet') return health;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return target.replicaHealth();
}

beforeAll(async () => {
  db = await createTestDb();
  await db.kysely.insertInto('authorities').values({ name: 'Replica Borough Council', kind: 'district' }).execute();
  url = await serverUrlOf(db);
});
afterAll(async () => {
  await db.close();
});

describe('reads that may lag', () => {
  it('read the database itself when no replica is configured', async () => {
    expect(await countAuthorities(db)).toBe(1);
    expect(db.replicaHealth()).toBeNull();
    if (db.kind === 'pglite') expect(db.replica).toBe(db.kysely);
  });

  it('go to the primary, without an error, while the replica does not answer', async () => {
    if (!url) {
      // The embedded database has no replica to lose: its reads are its own.
      expect(await countAuthorities(db)).toBe(1);
      return;
    }
    const down = `postgres://postgres@127.0.0.1:${await closedPort()}/liaison`;
    const target = await openDatabase({ kind: 'postgres', url, replica: { url: down, maxLagSeconds: 5 } });
    try {
      expect(await countAuthorities(target)).toBe(1);
      const health = await checkedHealth(target);
      expect(health?.usable).toBe(false);
      expect(health?.reason).toMatch(/^not answering/);
      // Still the primary's answers after the check found it down.
      expect(await countAuthorities(target)).toBe(1);
    } finally {
      await target.close();
    }
  });

  it('go to the primary when the server named as replica is not a standby', async () => {
    if (!url) {
      expect(await countAuthorities(db)).toBe(1);
      return;
    }
    const target = await openDatabase({ kind: 'postgres', url, replica: { url, maxLagSeconds: 5 } });
    try {
      await countAuthorities(target);
      const health = await checkedHealth(target);
      expect(health).toMatchObject({ usable: false, reason: 'not a standby' });
      expect(await countAuthorities(target)).toBe(1);
    } finally {
      await target.close();
    }
  });

  it('keep working with prepared statements turned off, as behind a pooler in transaction mode', async () => {
    if (!url) {
      expect(await countAuthorities(db)).toBe(1);
      return;
    }
    const target = await openDatabase({ kind: 'postgres', url, prepare: false, poolSize: 1 });
    try {
      for (let i = 0; i < 3; i++) expect(await countAuthorities(target)).toBe(1);
      const prepared = await target.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements');
      expect(prepared.rows[0]?.n).toBe(0);
    } finally {
      await target.close();
    }
  });
});
