import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import type { AuthoritiesRepository, AuthorityRow } from './authorities.repository.ts';
import type { AuthorityInput, HeadOfServiceInput, OfficerInput } from './authorities.schemas.ts';
import { assertMay, assertMayChange, audit, type AuthoritiesContext } from './context.ts';
import { SERVICE_AREA_NAMES, isServiceArea, type OfficerRole, type ServiceArea } from './domain.ts';
import type { AuthorityChanges } from './records.ts';

// Changing the directory: adding an authority, changing it (details, senior officers, open or
// closed) and its heads of service one at a time.

/** The senior officers an authority has at most one of, with the field that gives each. */
const SINGLE_OFFICERS = [
  ['chief-executive', 'chiefExecutive'],
  ['monitoring-officer', 'monitoringOfficer'],
  ['leader', 'leader'],
  ['scrutiny-chair', 'scrutinyChair'],
] as const;

/** Adds an authority with its chief executive (required), monitoring officer and heads of service. */
export async function create(
  ctx: AuthoritiesContext,
  actor: Actor,
  input: AuthorityInput,
  headsOfService: HeadOfServiceInput[] = [],
): Promise<string> {
  assertMay(actor, 'authorities:manage');
  assertOneHeadPerArea(headsOfService);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    await assertReferenceFree(repo, input.reference, null);
    const id = await repo.insertAuthority({
      name: input.name,
      kind: input.kind,
      reference: input.reference,
      address: input.address,
      region: input.region,
      generic_inbox: input.genericInbox,
      created_at: now,
      updated_at: now,
    });
    await audit(trx, actor, 'authority.created', 'authority', id, id);
    // A new authority has no officer to remove: one left empty is simply not added.
    for (const [role, field] of SINGLE_OFFICERS)
      await putOrRemoveOfficer(ctx, trx, actor, id, role, input[field] ?? undefined, now);
    for (const h of headsOfService) await putOfficer(ctx, trx, actor, id, 'head-of-service', h.serviceArea, h, now);
    return id;
  });
}

/**
 * Changes what is given of an authority, in one transaction: its details, senior officers (heads
 * of service as a whole set) and whether it is open. Each real change writes its audit row; a
 * field given with the value held changes nothing.
 */
export async function change(
  ctx: AuthoritiesContext,
  actor: Actor,
  id: string,
  changes: AuthorityChanges,
): Promise<void> {
  assertMayChange(
    actor,
    id,
    Object.keys(changes).filter((key) => changes[key as keyof AuthorityChanges] !== undefined),
  );
  if (changes.headsOfService) assertOneHeadPerArea(changes.headsOfService);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const row = await requireRow(repo, id);
    if (changes.reference !== undefined) await assertReferenceFree(repo, changes.reference, id);
    const given = {
      name: changes.name,
      kind: changes.kind,
      reference: changes.reference,
      address: changes.address,
      region: changes.region,
      generic_inbox: changes.genericInbox,
    };
    const details = Object.fromEntries(
      Object.entries(given).filter(([key, value]) => value !== undefined && row[key as keyof typeof given] !== value),
    ) as Partial<typeof given>;
    if (Object.keys(details).length > 0) {
      await repo.updateAuthority(id, { ...details, updated_at: now });
      await audit(trx, actor, 'authority.updated', 'authority', id, id);
    }
    for (const [role, field] of SINGLE_OFFICERS)
      await putOrRemoveOfficer(ctx, trx, actor, id, role, changes[field], now);
    if (changes.headsOfService) {
      const kept = new Set<string>(changes.headsOfService.map((h) => h.serviceArea));
      for (const o of await repo.officers(id))
        if (
          o.role === 'head-of-service' &&
          o.service_area &&
          isServiceArea(o.service_area) &&
          !kept.has(o.service_area)
        )
          await removeOfficer(ctx, trx, actor, id, 'head-of-service', o.service_area);
      for (const h of changes.headsOfService)
        await putOfficer(ctx, trx, actor, id, 'head-of-service', h.serviceArea, h, now);
    }
    if (changes.active !== undefined) await putClosed(ctx, trx, actor, row, !changes.active, now);
  });
}

/** Closes (the authority no longer exists or is no longer in jurisdiction) or reopens an authority. */
export async function setClosed(ctx: AuthoritiesContext, actor: Actor, id: string, closed: boolean): Promise<void> {
  assertMay(actor, 'authorities:manage');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireRow(ctx.repo.with(trx), id);
    await putClosed(ctx, trx, actor, row, closed, now);
  });
}

/**
 * Records the head of service for one area. `adding` refuses an area that already has one (the
 * add form); otherwise the area's head is replaced or set. Staff who manage the directory, or the
 * authority's own link officer or senior officer.
 */
export async function setHeadOfService(
  ctx: AuthoritiesContext,
  actor: Actor,
  id: string,
  input: HeadOfServiceInput,
  adding: boolean,
): Promise<void> {
  assertMayChange(actor, id, ['headsOfService']);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    await requireRow(repo, id);
    if (adding && (await repo.findOfficer(id, 'head-of-service', input.serviceArea))) {
      const message = `There is already a head of service for ${SERVICE_AREA_NAMES[input.serviceArea].toLowerCase()}: change that one instead`;
      throw conflict(message, [{ field: 'serviceArea', message }]);
    }
    await putOfficer(ctx, trx, actor, id, 'head-of-service', input.serviceArea, input, now);
  });
}

export async function removeHeadOfService(
  ctx: AuthoritiesContext,
  actor: Actor,
  id: string,
  serviceArea: string,
): Promise<void> {
  assertMayChange(actor, id, ['headsOfService']);
  if (!isServiceArea(serviceArea)) throw notFound('The head of service');
  await ctx.db.transaction().execute(async (trx) => {
    await requireRow(ctx.repo.with(trx), id);
    const removed = await removeOfficer(ctx, trx, actor, id, 'head-of-service', serviceArea);
    if (!removed) throw notFound('The head of service');
  });
}

/** The authority's row, or not-found. */
async function requireRow(repo: AuthoritiesRepository, id: string): Promise<AuthorityRow> {
  const row = await repo.findById(id);
  if (!row) throw notFound('The authority');
  return row;
}

async function assertReferenceFree(repo: AuthoritiesRepository, reference: string | null, self: string | null) {
  if (!reference) return;
  const holder = await repo.findByReference(reference);
  if (holder && holder.id !== self) {
    throw conflict('Another authority has that reference', [
      { field: 'reference', message: 'Another authority already has that reference' },
    ]);
  }
}

/** A service area has at most one head of service. */
function assertOneHeadPerArea(heads: HeadOfServiceInput[]): void {
  const areas = heads.map((h) => h.serviceArea);
  if (new Set(areas).size !== areas.length) {
    throw new DomainError('validation', 'Each service area can have one head of service', [
      { field: 'headsOfService', message: 'Each service area can have one head of service' },
    ]);
  }
}

async function putClosed(
  ctx: AuthoritiesContext,
  trx: Kysely<Database>,
  actor: Actor,
  row: AuthorityRow,
  closed: boolean,
  now: Date,
) {
  if (row.active !== closed) return; // already as asked
  await ctx.repo
    .with(trx)
    .updateAuthority(row.id, { active: !closed, closed_at: closed ? now : null, updated_at: now });
  await audit(trx, actor, closed ? 'authority.closed' : 'authority.reopened', 'authority', row.id, row.id);
}

/** Records an officer given, removes one given as null, and leaves one not given (undefined) as it is. */
async function putOrRemoveOfficer(
  ctx: AuthoritiesContext,
  trx: Kysely<Database>,
  actor: Actor,
  authorityId: string,
  role: OfficerRole,
  officer: OfficerInput | null | undefined,
  now: Date,
): Promise<void> {
  if (officer) await putOfficer(ctx, trx, actor, authorityId, role, null, officer, now);
  else if (officer === null) await removeOfficer(ctx, trx, actor, authorityId, role, null);
}

async function putOfficer(
  ctx: AuthoritiesContext,
  trx: Kysely<Database>,
  actor: Actor,
  authorityId: string,
  role: OfficerRole,
  serviceArea: ServiceArea | null,
  input: OfficerInput,
  now: Date,
): Promise<void> {
  const repo = ctx.repo.with(trx);
  const existing = await repo.findOfficer(authorityId, role, serviceArea);
  const values = { title: input.title ?? null, name: input.name, job_title: input.jobTitle, email: input.email };
  if (!existing) {
    const officerId = await repo.insertOfficer({
      authority_id: authorityId,
      role,
      service_area: serviceArea,
      ...values,
      created_at: now,
      updated_at: now,
    });
    await audit(trx, actor, 'senior-officer.added', 'senior-officer', officerId, authorityId);
    return;
  }
  const same =
    existing.title === values.title &&
    existing.name === values.name &&
    existing.job_title === values.job_title &&
    existing.email === values.email;
  if (same) return;
  await repo.updateOfficer(existing.id, { ...values, updated_at: now });
  await audit(trx, actor, 'senior-officer.changed', 'senior-officer', existing.id, authorityId);
}

async function removeOfficer(
  ctx: AuthoritiesContext,
  trx: Kysely<Database>,
  actor: Actor,
  authorityId: string,
  role: OfficerRole,
  serviceArea: ServiceArea | null,
): Promise<boolean> {
  const repo = ctx.repo.with(trx);
  const existing = await repo.findOfficer(authorityId, role, serviceArea);
  if (!existing) return false;
  await repo.deleteOfficer(existing.id);
  await audit(trx, actor, 'senior-officer.removed', 'senior-officer', existing.id, authorityId);
  return true;
}
