import { sql, type RawBuilder } from 'kysely';
import { toldToAuthoritySql } from '../complaints/complaints.sql.ts';
import type { HomeScope } from './scope.ts';

/* The home module's published SQL: what the modules' panel queries (in their repositories) build on. */

/**
 * The condition for a panel's scope, over the case aliased `c` and the row's authority column. For an
 * authority, the case's own authority is named too, so its cases are read through their authority
 * index rather than by reading every case.
 */
export const inScope = (scope: HomeScope, authorityColumn: string): RawBuilder<boolean> =>
  'authorityId' in scope
    ? sql<boolean>`${sql.ref(authorityColumn)} = ${scope.authorityId} AND c.authority_id = ${scope.authorityId} AND ${toldToAuthoritySql('c')}`
    : sql<boolean>`c.investigator_id = ${scope.investigatorId}`;

/** The `AND due <= dueBy` of a panel, when it has one. */
export const dueByFilter = (column: string, dueBy: string | null) =>
  dueBy === null ? sql`` : sql`AND ${sql.ref(column)} <= ${dueBy}::date`;
