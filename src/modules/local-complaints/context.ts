import type { Kysely } from 'kysely';
import type { AuditEvent } from '../../platform/audit/audit.ts';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import { auditEventBy, can, type Actor, type Permission } from '../accounts/domain.ts';
import {
  stageClock,
  stagesFor,
  type RecordState,
  type StageRule,
  type StageState,
  type StatutoryRoute,
} from './domain.ts';
import type { ImportRow } from './local-complaints.csv.ts';
import { LocalComplaintImportsRepository } from './imports.repository.ts';
import { LocalComplaintIntakeRepository } from './intake.repository.ts';
import { LocalComplaintsRepository, type LocalRow } from './local-complaints.repository.ts';
import { LocalComplaintOversightRepository } from './oversight.repository.ts';

export interface NewLocalComplaint {
  reference: string;
  receivedOn: string;
  serviceArea: string;
  channel: string;
  complainant: { name: string; email: string | null; phone: string | null };
  summary: string;
  handler: string | null;
  statutoryRoute: StatutoryRoute | null;
}

export interface Dates {
  id: string;
  stage: number;
  acknowledgeBy: string;
  respondBy: string;
}

/** A row of a checked import as kept for applying it: what it will do, and to which record. */
export type PlannedRow = ImportRow & { action: 'create' | 'update'; id: string | null };

/** The module's repositories, on the database or on one transaction. */
export interface LocalComplaintsRepositories {
  records: LocalComplaintsRepository;
  imports: LocalComplaintImportsRepository;
  intake: LocalComplaintIntakeRepository;
  oversight: LocalComplaintOversightRepository;
}

/** What every local complaints use case works with: the repositories, the clock, the calendar and the figures kept. */
export interface LocalComplaintsContext extends LocalComplaintsRepositories {
  db: Kysely<Database>;
  clock: Clock;
  calendar: WorkingCalendar;
  /** Where the oversight figures are kept for `DASHBOARD_CACHE_SECONDS`; none: read every time. */
  snapshots: Snapshots | null;
  /** Imports being applied in this process, by id. */
  running: Map<string, Promise<void>>;
}

function repositories(db: DbOrTx): LocalComplaintsRepositories {
  return {
    records: new LocalComplaintsRepository(db),
    imports: new LocalComplaintImportsRepository(db),
    intake: new LocalComplaintIntakeRepository(db),
    oversight: new LocalComplaintOversightRepository(db),
  };
}

export function localComplaintsContext(
  db: Kysely<Database>,
  clock: Clock,
  calendar: WorkingCalendar,
  snapshots: Snapshots | null,
): LocalComplaintsContext {
  return { ...repositories(db), db, clock, calendar, snapshots, running: new Map() };
}

/** Runs `fn` in one transaction, with the repositories on it. */
export function inTransaction<T>(
  ctx: LocalComplaintsContext,
  fn: (repos: LocalComplaintsRepositories) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction().execute((trx) => fn(repositories(trx)));
}

export function oversightKey(authorityId: string): string {
  return `local-complaints.oversight:${authorityId}:`;
}

/** Forgets the authority's oversight figures in this process: something was just recorded. */
export function changed(ctx: LocalComplaintsContext, authorityId: string): void {
  ctx.snapshots?.drop(oversightKey(authorityId));
}

/** The actor's own authority, when the actor has the permission there. */
export function authorityOf(actor: Actor, permission: Permission): string {
  if (!can(actor, permission) || !actor.authorityId) throw forbidden();
  return actor.authorityId;
}

/** Ombudsman staff with the permission. */
export function requireStaff(actor: Actor, permission: Permission): void {
  if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
}

export async function rules(
  ctx: LocalComplaintsContext,
  authorityId: string,
  route: StatutoryRoute | null,
): Promise<readonly StageRule[]> {
  const a = await ctx.records.authorityKind(authorityId);
  return stagesFor(a?.kind ?? '', route);
}

export function stageDates(ctx: LocalComplaintsContext, rules: readonly StageRule[], s: StageState) {
  const rule = rules[s.stage - 1];
  if (!rule) throw new Error(`stage ${s.stage} is not on the route`);
  const c = stageClock(ctx.calendar, rule, s);
  return { state: s, ackBy: c.acknowledge.date, respondBy: c.respond.date };
}

export function auditEvent(actor: Actor, action: string, id: string, authorityId: string): AuditEvent {
  return auditEventBy(actor, action, { type: 'local-complaint', id, authorityId });
}

/** A record of the actor's own authority (404 for anyone else's). */
export async function own(
  records: LocalComplaintsRepository,
  actor: Actor,
  id: string,
  permission: Permission,
  forUpdate = false,
): Promise<LocalRow> {
  const authorityId = authorityOf(actor, permission);
  const row = await records.find(id, forUpdate);
  if (!row || row.authority_id !== authorityId) throw notFound('The complaint');
  return row;
}

export function stateOf(row: LocalRow, stages: readonly StageState[]): RecordState {
  return { receivedOn: row.received_on, stage: row.stage, closedOn: row.closed_on, stages };
}
