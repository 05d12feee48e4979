import { createQueryId, type CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Where a value goes in a reusable query: compiled in as a parameter, filled in at each run. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A query that a hot page runs on every request, built and compiled once per shape instead of on
 * each call (building and compiling a statement with Kysely is a real share of a fast request).
 * `build` receives `slot(name)`, a stand-in for each value, and the call's `shape`: everything
 * that changes the statement's text (which filters apply, whole-number limits, which Liaison's
 * compiler writes into the text) must be in the shape; the values must come through slots. The
 * text and its parameters are then the same as building the query afresh.
 */
class ReusableQuery<V extends Record<string, unknown>, R> {
  private readonly compiled = new WeakMap<object, Map<string, CompiledQuery<R>>>();

  constructor(
    private readonly build: (
      db: Kysely<Database>,
      slot: <K extends keyof V & string>(name: K) => V[K],
      shape: string,
    ) => Compilable<R>,
  ) {}

  /** The rows of the query of this shape, with these values. */
  async execute(db: Kysely<Database>, shape: string, values: V): Promise<R[]> {
    const query = this.compiledFor(db, shape);
    const parameters = query.parameters.map((p) => (p instanceof Slot ? values[p.name] : p));
    const result = await db.executeQuery<R>({ ...query, parameters, queryId: createQueryId() });
    return result.rows;
  }

  private compiledFor(db: Kysely<Database>, shape: string): CompiledQuery<R> {
    // Compiled by each database's own compiler (PostgreSQL's and PGlite's may write text differently).
    const adapter = db.getExecutor().adapter;
    let byShape = this.compiled.get(adapter);
    if (!byShape) {
      byShape = new Map();
      this.compiled.set(adapter, byShape);
    }
    let query = byShape.get(shape);
    if (!query) {
      const slot = (name: string) => new Slot(name) as never;
      query = this.build(db, slot, shape).compile();
      byShape.set(shape, query);
    }
    return query;
  }
}

/**
 * `reusableQuery<Values>()((db, slot, shape) => …)`: the way to make a ReusableQuery, whose row type is that of the
 * query built (the values' type is given, the rows' inferred).
 */
export function reusableQuery<V extends Record<string, unknown>>() {
  return <R>(
    build: (db: Kysely<Database>, slot: <K extends keyof V & string>(name: K) => V[K], shape: string) => Compilable<R>,
  ): ReusableQuery<V, R> => new ReusableQuery<V, R>(build);
}

export type { ReusableQuery };
