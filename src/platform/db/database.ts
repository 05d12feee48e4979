import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Config } from '../../config.ts';
import { PreparingPostgresDialect, preparingPool } from './prepared.ts';
import type { Database } from './schema.ts';

export type DatabaseTarget =
  { kind: 'pglite'; dir: string | null } | { kind: 'postgres'; url: string; poolSize?: number };

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
      : { kind: 'postgres', url: config.database.url, poolSize: config.DATABASE_POOL_SIZE },
  );
}

export async function openDatabase(target: DatabaseTarget, options: { pglite?: PGlite } = {}): Promise<Db> {
  if (target.kind === 'postgres') return openPostgres(target.url, target.poolSize ?? 10);
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

function openPostgres(url: string, poolSize: number): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
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
  // No JIT compilation: Liaison's statements are short or set-based over indexed rows, and compiling
  // one (up to a second for a large sweep) costs more than it saves. The query runs before any other
  // on the new connection.
  pool.on('connect', (client) => {
    client.query('SET jit = off').catch(() => undefined);
  });
  const kysely = new Kysely<Database>({
    dialect: new PreparingPostgresDialect({ pool: preparingPool(pool) }),
  });
  return {
    kind: 'postgres',
    kysely,
    withSession: async (fn) => {
      const client = await pool.connect();
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
        client.release();
      }
    },
    query: async <R>(text: string, values: unknown[] = []) => {
      const result = await pool.query(text, values);
      return { rows: result.rows as R[] };
    },
    close: async () => {
      await kysely.destroy();
      // Kysely ends the pool only if it ever used it; withSession and query use the pool directly.
      if (!pool.ended) await pool.end();
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
