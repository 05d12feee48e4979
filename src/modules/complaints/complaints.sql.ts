import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { TOLD_STATUSES, UNTOLD_OUTCOMES } from './domain.ts';

/*
 * The complaints module's published SQL: rules other modules' repositories build into their own
 * queries. Only repositories import a `*.sql.ts` file.
 */

/**
 * The SQL form of `toldToAuthority` (domain.ts) over a row of `complaints` under the alias given:
 * true once the authority has been told of the case. Every authority-facing read applies it: lists
 * filter by it, and a single case is read with `toldToAuthorityOf`.
 */
export const toldToAuthoritySql = (complaints: string) => {
  const column = (name: string) => sql.ref(`${complaints}.${name}`);
  return sql<boolean>`((${column('outcome')} IS NULL OR ${column('outcome')} NOT IN (${sql.join([...UNTOLD_OUTCOMES])})) AND (${column('status')} IN (${sql.join([...TOLD_STATUSES])}) OR EXISTS (SELECT 1 FROM complaint_document_requests AS told_r WHERE told_r.complaint_id = ${column('id')})))`;
};

/** Whether the authority has been told of the case (`toldToAuthority`); false for a case not found. */
export async function toldToAuthorityOf(db: DbOrTx, complaintId: string): Promise<boolean> {
  const row = await db
    .selectFrom('complaints as c')
    .select(toldToAuthoritySql('c').as('told'))
    .where('c.id', '=', complaintId)
    .executeTakeFirst();
  return row?.told === true;
}
