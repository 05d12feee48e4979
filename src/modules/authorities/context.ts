import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, forbidden, notFound } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import { AuthoritiesRepository } from './authorities.repository.ts';

export interface AuthoritiesSettings {
  /** Authorities per page of the directory. */
  pageSize: number;
  /** Rows checked and staged per step of an import (progress is recorded after each). */
  importBatchSize: number;
  logger?: Logger;
  /** Shares the number of matches of a search among requests for a few seconds (it changes rarely). */
  snapshots?: Snapshots;
  /** Where the directory search reads: a replica a few seconds behind at most (`Db.replica`); else `db`. */
  searchDb?: Kysely<Database>;
}

const DEFAULT_SETTINGS: AuthoritiesSettings = { pageSize: 50, importBatchSize: 500 };

/**
 * What every authorities use case works with: the repository (and the one the directory search
 * reads, which may be a few seconds old), the clock, the settings and the imports running here.
 */
export interface AuthoritiesContext {
  db: Kysely<Database>;
  repo: AuthoritiesRepository;
  /** The directory search's reads, which may be a few seconds old. */
  searchRepo: AuthoritiesRepository;
  clock: Clock;
  settings: AuthoritiesSettings;
  /** Imports running in this process, so tests and shutdown can wait for them. */
  running: Map<string, Promise<void>>;
}

export function authoritiesContext(
  db: Kysely<Database>,
  clock: Clock,
  settings: Partial<AuthoritiesSettings>,
): AuthoritiesContext {
  return {
    db,
    repo: new AuthoritiesRepository(db),
    searchRepo: new AuthoritiesRepository(settings.searchDb ?? db),
    clock,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    running: new Map(),
  };
}

/** Throws not-found unless the actor may read this authority (staff: any; authority users: their own). */
export function assertMayRead(actor: Actor, authorityId: string): void {
  if (actor.authorityId !== null) {
    if (actor.authorityId !== authorityId) throw notFound('The authority');
    return;
  }
  if (!can(actor, 'authorities:read')) throw forbidden();
}

/** Throws unless the actor is staff with the permission. */
export function assertMay(actor: Actor, permission: 'authorities:manage' | 'authorities:import'): void {
  if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
}

/** The ombudsman's directory record of an authority: what the authority may not change about itself. */
const DIRECTORY_FIELDS = {
  name: 'The authority’s name is recorded by the ombudsman: ask the relationship lead to change it',
  kind: 'The kind of authority is recorded by the ombudsman: ask the relationship lead to change it',
  reference: 'The authority’s reference is recorded by the ombudsman: ask the relationship lead to change it',
  region: 'The authority’s region is recorded by the ombudsman: ask the relationship lead to change it',
  active: 'Only the ombudsman closes or reopens an authority',
} as const;
const isDirectoryField = (field: string): field is keyof typeof DIRECTORY_FIELDS =>
  Object.hasOwn(DIRECTORY_FIELDS, field);

/**
 * Throws unless the actor may make a change to the authority that gives these fields (names as in
 * AuthorityChanges). Staff who manage the directory change any authority. An authority's own link
 * officer or senior officer changes its contacts (address, generic inbox, senior officers), never
 * the ombudsman's directory record (name, kind, reference, region, open or closed): those fields
 * are refused by name. Any other authority is not found for an authority's users and tokens.
 */
export function assertMayChange(actor: Actor, authorityId: string, fields: readonly string[]): void {
  if (actor.authorityId === null) {
    assertMay(actor, 'authorities:manage');
    return;
  }
  if (actor.authorityId !== authorityId) throw notFound('The authority');
  if (!actor.roles.some((r) => r === 'link-officer' || r === 'senior-officer'))
    throw forbidden('Only the authority’s link officer or a senior officer may change its contacts');
  const refused = fields.filter(isDirectoryField);
  if (refused.length > 0) {
    throw new DomainError(
      'forbidden',
      `An authority may change its address, generic inbox and senior officers, not ${refused.join(', ')}: ` +
        'ask the ombudsman’s relationship lead',
      refused.map((field) => ({ field, message: DIRECTORY_FIELDS[field] })),
    );
  }
}

/** The audit row of a change, written in its transaction. */
export function audit(
  trx: Kysely<Database>,
  actor: Actor,
  action: string,
  recordType: string,
  recordId: string,
  authorityId: string | null,
) {
  return writeAudit(trx, auditEventBy(actor, action, { type: recordType, id: recordId, authorityId }));
}
