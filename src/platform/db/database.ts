import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Config, PostgresTarget } from '../../config.ts';
import { checkOut } from './checkout.ts';
import { PreparingPostgresDialect, preparingPool, StatementNames } from './prepared.ts';
import { ReplicaRouter, type ReplicaHealth } from './replica.ts';
import type { Database } from './schema.ts';

export type DatabaseTarget = { kind: 'pglite'; dir: string | null } | (PostgresTarget & { poolSize?: number });

/**
 * One database session, held for the duration of `withSession`: `exec` runs parameterless scripts of
 * several statements (migrations, the job queue's schema), `query` runs one parameterised statement.
 * On PGlite it holds Kysely's single serialised connection, so nothing else interleaves.
 */
export interface DbSession {
  exec(text: string): Promise<void>;
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  readonly kysely: Kysely<Database>;
  /**
   * For single read statements whose answer may be a few seconds old (searches, statistics): the
   * streaming replica while it is fit, else the primary (see replica.ts). The same as `kysely`
   * without a replica. Never for writes, transactions, or reads that must see a write just made.
   */
  readonly replica: Kysely<Database>;
  /** The replica's health at its last check, or null without a replica. */
  replicaHealth(): ReplicaHealth | null;
  /** Runs `fn` holding one database session. */
  withSession<T>(fn: (session: DbSession) => Promise<T>): Promise<T>;
  /** Raw parameterised query, serialised with every other use of the database. */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}

export type Tx = Transaction<Database>;
export type DbOrTx = Kysely<Database> | Tx;

// int8 (count(*), bigint ids) as a JavaScript number on both drivers; dates as 'YYYY-MM-DD' strings.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;
const parseInt8 = (v: string) => Number.parseInt(v, 10);
const keepString = (v: string) => v;
/** Type parsers for PGlite, matching those set on the pg pool. */
export const PGLITE_PARSERS = { [INT8]: parseInt8, [DATE]: keepString, [NUMERIC]: Number };

/** Opens the database the configuration names: PGlite in the data folder, or the PostgreSQL server. */
export function openConfiguredDatabase(config: Pick<Config, 'database' | 'DATABASE_POOL_SIZE'>): Promise<Db> {
  return openDatabase(
    config.database.kind === 'pglite'
      ? { kind: 'pglite', dir: config.database.dir }
      : { ...config.database, poolSize: config.DATABASE_POOL_SIZE },
  );
}

export async function openDatabase(target: DatabaseTarget, options: { pglite?: PGlite } = {}): Promise<Db> {
  if (target.kind === 'postgres') return openPostgres(target);
  // Loaded only when used: a PostgreSQL deployment never needs the embedded engine's memory.
  const { PGlite: Engine } = await import('@electric-sql/pglite');
  const client =
    options.pglite ??
    (target.dir === null
      ? new Engine({ parsers: PGLITE_PARSERS })
      : new Engine(target.dir, { parsers: PGLITE_PARSERS }));
  await client.waitReady;
  return pgliteDb(client);
}

export function pgliteDb(client: PGlite): Db {
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    kind: 'pglite',
    kysely,
    replica: kysely,
    replicaHealth: () => null,
    withSession: (fn) =>
      kysely.connection().execute(async () =>
        fn({
          exec: async (text) => {
            await client.exec(text);
          },
          query: async <R>(text: string, values: unknown[] = []) => ({
            rows: (await client.query<R>(text, values)).rows,
          }),
        }),
      ),
    query: <R>(text: string, values: unknown[] = []) =>
      kysely.connection().execute(async () => {
        const result = await client.query<R>(text, values);
        return { rows: result.rows };
      }),
    close: async () => {
      await kysely.destroy();
    },
  };
}

const builtinParser = pg.types.getTypeParser.bind(pg.types) as unknown as (
  oid: number,
  format?: 'text' | 'binary',
) => (value: string) => unknown;

/** A pg pool with Liaison's type parsers, that survives its connections' network errors. */
function pgPool(url: string, max: number, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // No JIT compilation: Liaison's statements are short or set-based over indexed rows, and
    // compiling one (up to a second for a large sweep) costs more than it saves. Sent as a startup
    // setting, so it holds before the connection's first statement. (A pooler ignores it: set
    // `jit = off` on the server behind one.)
    options: '-c jit=off',
    ...extra,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return parseInt8;
        if (oid === DATE) return keepString;
        if (oid === NUMERIC) return Number;
        return builtinParser(oid, format);
      }) as unknown as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's network error must not crash the process; the pool replaces the client.
  pool.on('error', () => undefined);
  return pool;
}

/** Statement names for a pool: none at all when prepared statements are turned off. */
const statementNames = (prepare: boolean) =>
  prepare ? new StatementNames() : new StatementNames({ perConnection: 0, known: 0 });

function openPostgres(target: PostgresTarget & { poolSize?: number }): Db {
  const poolSize = target.poolSize ?? 10;
  const prepare = target.prepare ?? true;
  const pool = pgPool(target.url, poolSize);
  const primary = preparingPool(pool, statementNames(prepare));
  const kysely = new Kysely<Database>({ dialect: new PreparingPostgresDialect({ pool: primary }) });
  let router: ReplicaRouter | null = null;
  let replica = kysely;
  if (target.replica) {
    // Connecting to a replica that is down must fail fast: the read then goes to the primary.
    const replicaPool = pgPool(target.replica.url, poolSize, { connectionTimeoutMillis: 2000 });
    router = new ReplicaRouter(
      replicaPool,
      preparingPool(replicaPool, statementNames(prepare)),
      primary,
      target.replica.maxLagSeconds,
    );
    replica = new Kysely<Database>({ dialect: new PreparingPostgresDialect({ pool: router }) });
  }
  // A session held for several statements (migrations' lock) needs a server connection of its own,
  // which a pooler in transaction mode does not give: such sessions connect directly when told where.
  let direct: pg.Pool | null = null;
  const sessionPool = () => (target.directUrl ? (direct ??= pgPool(target.directUrl, 2)) : pool);
  return {
    kind: 'postgres',
    kysely,
    replica,
    replicaHealth: () => router?.status() ?? null,
    withSession: async (fn) => {
      const session = await checkOut(sessionPool());
      const client = session.client;
      try {
        return await fn({
          exec: async (text) => {
            try {
              await client.query(text);
            } catch (error) {
              await client.query('ROLLBACK').catch(() => undefined);
              throw error;
            }
          },
          query: async <R>(text: string, values: unknown[] = []) => ({
            rows: (await client.query(text, values)).rows as R[],
          }),
        });
      } finally {
        session.release();
      }
    },
    query: async <R>(text: string, values: unknown[] = []) => {
      const result = await pool.query(text, values);
      return { rows: result.rows as R[] };
    },
    close: async () => {
      if (replica !== kysely) await replica.destroy();
      await router?.end();
      await kysely.destroy();
      // Kysely ends the pool only if it ever used it; withSession and query use the pool directly.
      if (!pool.ended) await pool.end();
      if (direct && !direct.ended) await direct.end();
    },
  };
}

/**
 * The embedded database has no lock of its own: a second process opening the same folder would
 * corrupt it. Take a lock file holding our pid; refuse with a clear message if a live process holds it.
 */
export function lockDataFolder(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, 'liaison.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DataFolderLockedError(dir, holder);
      }
      fs.rmSync(lockPath, { force: true }); // stale lock from a process that died
    }
  }
  throw new DataFolderLockedError(dir, null);
}

export class DataFolderLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | null,
  ) {
    super(
      `The data folder ${dir} is in use by another Liaison process${pid ? ` (pid ${pid})` : ''}. ` +
        'Stop that process, or set DATA_DIR to another folder, or use DATABASE_URL for a shared PostgreSQL server.',
    );
    this.name = 'DataFolderLockedError';
  }

  /** One line for a command that could be done on the running process instead: `what` says how. */
  heldBy(what: string): string {
    return `The data folder ${this.dir} is in use by a running Liaison${this.pid ? ` (pid ${this.pid})` : ''}: ${what}.`;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
