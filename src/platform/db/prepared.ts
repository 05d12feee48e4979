import { createHash } from 'node:crypto';
import {
  PostgresDialect,
  PostgresQueryCompiler,
  sql,
  ValueNode,
  type LimitNode,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type QueryCompiler,
} from 'kysely';
import type pg from 'pg';
import { checkOut, type CheckedOut } from './checkout.ts';

/**
 * Server-side prepared statements for the statements Liaison runs again and again, as the JDBC and
 * pgx drivers do by default. PostgreSQL parses, analyses and plans every unnamed statement afresh;
 * a named one is parsed once per connection and may keep its plan, so a hot page's statements are
 * not planned again on every request. Queries whose best plan depends on the values end with
 * `planEachRun`. A statement is prepared from its second run on, so one-off texts (lists of varying
 * length, scripts) never are; each connection keeps at most `perConnection` of them and the process
 * remembers at most `known` distinct texts, so memory on both sides stays bounded however many
 * shapes of query the application builds.
 */
export interface StatementCacheOptions {
  perConnection: number;
  known: number;
}

const DEFAULTS: StatementCacheOptions = { perConnection: 500, known: 5_000 };

/** Statements worth preparing: data statements, not transaction control or session settings. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

const PLAN_EACH_RUN_MARK = '/* planned for each run */';
/**
 * Ends a query that must be planned for its own values every time, e.g. `.modifyEnd(planEachRun)`:
 * searches and lists whose filters match a handful of rows or most of the table, where one plan
 * kept for all values (which PostgreSQL may settle on for a prepared statement) can be many times
 * slower than the plan for the values at hand.
 */
export const planEachRun = sql.raw(PLAN_EACH_RUN_MARK);

export class StatementNames {
  /** text → its name once seen twice, or null while seen once. */
  private readonly seen = new Map<string, string | null>();

  constructor(private readonly options: StatementCacheOptions = DEFAULTS) {}

  /** The name to run `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const known = this.seen.get(text);
    if (known) return known;
    if (known === null) {
      const name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
      this.seen.set(text, name);
      return name;
    }
    if (this.seen.size < this.options.known && PREPARABLE.test(text) && !text.endsWith(PLAN_EACH_RUN_MARK)) {
      this.seen.set(text, null);
    }
    return undefined;
  }

  get perConnection(): number {
    return this.options.perConnection;
  }
}

const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** A pool client that runs repeated statements as named, prepared statements. */
class PreparingClient implements PostgresPoolClient {
  private readonly client: pg.PoolClient;

  constructor(
    private readonly checkedOut: CheckedOut,
    private readonly names: StatementNames,
    private readonly prepared: Set<string>,
  ) {
    this.client = checkedOut.client;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sql !== 'string') throw new Error('Cursors are not used with this pool');
    const values = parameters ? [...parameters] : [];
    const name = this.names.nameFor(sql);
    const named = name !== undefined && (this.prepared.has(name) || this.prepared.size < this.names.perConnection);
    if (named) this.prepared.add(name);
    const result = named ? this.client.query({ name, text: sql, values }) : this.client.query(sql, values);
    // pg's result has the same shape; its `command` is a plain string.
    return result as unknown as Promise<PostgresQueryResult<R>>;
  }

  release(): void {
    this.checkedOut.release();
  }
}

/** Kysely's pool, over pg's, with the statement cache. */
export function preparingPool(pool: pg.Pool, names = new StatementNames()): PostgresPool {
  return {
    async connect() {
      const checkedOut = await checkOut(pool);
      let prepared = preparedOn.get(checkedOut.client);
      if (!prepared) {
        prepared = new Set();
        preparedOn.set(checkedOut.client, prepared);
      }
      return new PreparingClient(checkedOut, names, prepared);
    },
    end: () => pool.end(),
  };
}

/**
 * Writes a whole-number `LIMIT` into the statement's text instead of sending it as a parameter.
 * PostgreSQL costs a plan kept for every value of `LIMIT $n` as if it returned a tenth of the rows,
 * so it finds that plan dearer than the ones made for each run and goes on planning every run, which
 * can cost as much as running the statement. With the limit in the text the
 * kept plan is costed like the others and used. Limits come from the code's page sizes, so they add
 * few texts to the statement cache.
 */
export class LiteralLimitCompiler extends PostgresQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    const limit = node.limit;
    if (
      ValueNode.is(limit) &&
      typeof limit.value === 'number' &&
      Number.isSafeInteger(limit.value) &&
      limit.value >= 0
    ) {
      this.append(`limit ${limit.value}`);
      return;
    }
    super.visitLimit(node);
  }
}

/** PostgreSQL through a preparing pool (`preparingPool`), with limits written into the text. */
export class PreparingPostgresDialect extends PostgresDialect {
  override createQueryCompiler(): QueryCompiler {
    return new LiteralLimitCompiler();
  }
}
