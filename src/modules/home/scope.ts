import { sql, type RawBuilder } from 'kysely';
import { toldToAuthoritySql } from '../complaints/complaints.repository.ts';

/**
 * Whose work a home panel reads: an authority's (only cases it has been told of, the rule every
 * authority-facing read applies) or an investigator's own cases. The modules' panel queries take it.
 */
export type HomeScope = { authorityId: string } | { investigatorId: string };

/**
 * The condition for a panel's scope, over the case aliased `c` and the row's authority column. For an
 * authority, the case's own authority is named too, so its cases are read through their authority
 * index rather than by reading every case.
 */
export const inScope = (scope: HomeScope, authorityColumn: string): RawBuilder<boolean> =>
  'authorityId' in scope
    ? sql<boolean>`${sql.ref(authorityColumn)} = ${scope.authorityId} AND c.authority_id = ${scope.authorityId} AND ${toldToAuthoritySql('c')}`
    : sql<boolean>`c.investigator_id = ${scope.investigatorId}`;

/** What a panel query returns: at most `limit` rows, soonest due first, and how many there are in all. */
export interface PanelOptions {
  today: string;
  /** Only what is due by this date (the weekly email); null for everything open. */
  dueBy: string | null;
  limit: number;
}

/** The `AND due <= dueBy` of a panel, when it has one. */
export const dueByFilter = (column: string, dueBy: string | null) =>
  dueBy === null ? sql`` : sql`AND ${sql.ref(column)} <= ${dueBy}::date`;

/**
 * Whether an actor may read a panel in this scope: an authority's user only their own authority's,
 * staff only an investigator's cases (their own, or anyone's with `complaints:read`). A null actor
 * is the system (the weekly email).
 */
export function mayReadScope(
  actor: { authorityId: string | null; id: string; roles: readonly string[] } | null,
  scope: HomeScope,
): boolean {
  if (actor === null) return true;
  if ('authorityId' in scope) return actor.authorityId === scope.authorityId;
  return actor.authorityId === null && actor.roles.length > 0;
}
