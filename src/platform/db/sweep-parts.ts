import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/*
 * A set-based sweep that several workers run at once, shared between them: the rows are split into
 * `parts` by a byte of their uuid, each worker claims the parts no other holds (an advisory lock for
 * the transaction, `lockClass` naming the sweep) starting from a random one, and writes each part in
 * its own transaction. A part another worker holds is left to it. The sweep's own unique constraint
 * still decides what is written once; this only stops the workers queueing on each other's rows.
 */

/** One part of a sweep: the rows whose id falls in part `index` of `of`. */
export interface SweepPart {
  index: number;
  of: number;
}

/** Whether the row whose uuid is `id` belongs to the part: `WHERE ${inPart(sql.ref('e.id'), part)}`. */
export function inPart(id: RawBuilder<unknown>, part: SweepPart): RawBuilder<boolean> {
  return sql<boolean>`get_byte(uuid_send(${id}), 15) % ${part.of}::int = ${part.index}::int`;
}

/** Runs `sweepPart` for each part this worker can claim, each in a transaction; the results of those it ran. */
export async function sweepInParts<R>(
  db: Kysely<Database>,
  options: { lockClass: number; parts: number },
  sweepPart: (trx: Transaction<Database>, part: SweepPart) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  const start = Math.floor(Math.random() * options.parts);
  for (let n = 0; n < options.parts; n++) {
    const part = { index: (start + n) % options.parts, of: options.parts };
    const result = await db.transaction().execute(async (trx) => {
      const claimed = await sql<{ claimed: boolean }>`
        SELECT pg_try_advisory_xact_lock(${options.lockClass}::int, ${part.index}::int) AS claimed
      `.execute(trx);
      if (claimed.rows[0]?.claimed !== true) return { ran: false as const };
      return { ran: true as const, value: await sweepPart(trx, part) };
    });
    if (result.ran) results.push(result.value);
  }
  return results;
}

/** The counts of the parts a worker swept, added up (all zero when it swept none). */
export function sumCounts<C extends Record<string, number>>(parts: readonly C[], zero: C): C {
  const total: Record<string, number> = { ...zero };
  for (const part of parts) for (const key of Object.keys(zero)) total[key] = (total[key] ?? 0) + (part[key] ?? 0);
  return total as C;
}
