import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import { DomainError } from './errors.ts';

/**
 * Keyset (cursor) pagination shared by pages and the JSON API. A cursor is the sort key of the last
 * row shown, as base64url JSON: opaque to clients, stable while rows are added, and cheap for the
 * database (an index seek, never an OFFSET).
 */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** One page of a list and the cursor of the next page, or null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A sort key: the values of the ordering columns of one row, in order. */
export type Keyset = readonly (string | number)[];

/** The `cursor` and `limit` query parameters every list accepts. */
export const pageQuery = z.object({
  cursor: z.string().max(1000).optional().describe('Opaque cursor from the previous page’s `nextCursor`'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Items per page, 1 to ${MAX_PAGE_SIZE}`),
});

export function encodeCursor(key: Keyset): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Reads a cursor back into its sort key, checked against the shape the list expects (a zod tuple).
 * A cursor this service did not make is a validation error on the `cursor` field.
 */
export function decodeCursor<S extends z.ZodType<Keyset>>(cursor: string, shape: S): z.infer<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = shape.safeParse(parsed);
  if (!result.success) throw new DomainError('validation', 'The cursor is not valid', [badCursor]);
  return result.data;
}

const badCursor = { field: 'cursor', message: 'The cursor is not valid: start again from the first page' };

/**
 * Turns rows fetched with `limit + 1` into a page: the extra row, when present, only says there is
 * another page, whose cursor is the key of the last row shown.
 */
export function toPage<T>(rows: readonly T[], limit: number, keyOf: (row: T) => Keyset): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * The keyset condition for rows after `key` in a list ordered by `columns`, all ascending (`asc`) or
 * all descending (`desc`): a row comparison, which PostgreSQL answers from a matching index.
 */
export function afterKeyset(
  columns: readonly Expression<unknown>[],
  key: readonly unknown[],
  direction: 'asc' | 'desc',
): RawBuilder<SqlBool> {
  if (columns.length !== key.length) throw new Error('a keyset needs one value per column');
  const op = sql.raw(direction === 'asc' ? '>' : '<');
  return sql<SqlBool>`(${sql.join(columns)}) ${op} (${sql.join(key.map((v) => (isExpression(v) ? v : sql.val(v))))})`;
}

function isExpression(value: unknown): value is Expression<unknown> {
  return typeof value === 'object' && value !== null && 'toOperationNode' in value;
}

/**
 * A timestamp column as an ISO 8601 string with microseconds. JavaScript dates keep milliseconds
 * only, so a cursor made from a Date could skip rows; this string round-trips exactly.
 */
export function preciseTimestamp(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
