import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import { conflict } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import {
  assertCanChange,
  assertCanRead,
  audit,
  officerAt,
  requireAuthority,
  view,
  type LinkOfficersContext,
  type OfficerView,
} from './context.ts';
import {
  TOO_MANY_OFFICERS,
  londonDate,
  resolveRecipients,
  type CorrespondenceRecipient,
  type OfficerDetails,
  type Slot,
} from './domain.ts';
import { erase } from './erasure.ts';
import { LinkOfficersRepository, detailColumns, toOfficer } from './link-officers.repository.ts';

// An authority's link officers: reading them and where correspondence goes, and the relationship
// team's changes to them.

/** An authority's link officers, in place order. */
export async function officers(
  ctx: LinkOfficersContext,
  actor: Actor,
  authorityId: string,
): Promise<{ authority: { id: string; name: string }; officers: OfficerView[] }> {
  assertCanRead(actor, authorityId);
  const authority = await requireAuthority(ctx.repo, authorityId);
  const rows = await ctx.repo.listOfficers(authorityId);
  return { authority: { id: authority.id, name: authority.name }, officers: rows.map((r) => view(toOfficer(r))) };
}

export async function officer(
  ctx: LinkOfficersContext,
  actor: Actor,
  authorityId: string,
  officerId: string,
): Promise<OfficerView> {
  assertCanRead(actor, authorityId);
  return view(toOfficer(await officerAt(ctx.repo, authorityId, officerId)));
}

/** Active authorities that have no link officer, for the staff home page. */
export async function authoritiesWithoutLinkOfficer(
  ctx: LinkOfficersContext,
  limit: number,
): Promise<{ authorities: { id: string; name: string }[]; total: number }> {
  const [authorities, total] = await Promise.all([
    ctx.repo.authoritiesWithoutLinkOfficer(limit),
    ctx.repo.countAuthoritiesWithoutLinkOfficer(),
  ]);
  return { authorities, total };
}

/**
 * Where the ombudsman's correspondence to an authority goes on a date (see resolveRecipients):
 * the link officers or whoever covers them, and the generic inbox; failing those, the chief executive.
 */
export async function correspondenceRecipients(
  ctx: LinkOfficersContext,
  authorityId: string,
  onDate: Date | string,
  /** The caller's transaction, to read within it (the embedded database has one session). */
  db?: DbOrTx,
): Promise<CorrespondenceRecipient[]> {
  const day = typeof onDate === 'string' ? onDate : londonDate(onDate);
  const repo = db ? new LinkOfficersRepository(db) : ctx.repo;
  const [rows, contacts, covers] = await Promise.all([
    repo.listOfficers(authorityId),
    repo.authorityContacts(authorityId),
    repo.covers(authorityId, day),
  ]);
  return resolveRecipients({
    officers: rows.map(toOfficer),
    covers: covers.map((c) => ({
      linkOfficerId: c.link_officer_id,
      startsOn: c.starts_on,
      endsOn: c.ends_on,
      coverEmail: c.cover_email,
    })),
    genericInbox: contacts.genericInbox,
    chiefExecutiveEmail: contacts.chiefExecutiveEmail,
    onDate: day,
  });
}

/** Adds a link officer in a free place; refuses a third, even when two requests arrive at once. */
export async function addOfficer(
  ctx: LinkOfficersContext,
  actor: Actor,
  authorityId: string,
  details: OfficerDetails,
): Promise<string> {
  assertCanChange(actor, authorityId);
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertOfficer(ctx, trx, authorityId, details, null);
    await audit(trx, actor, 'link-officer.added', 'link-officer', id, authorityId);
    return id;
  });
}

/** Corrects the details of the same person (a new job title, a new number). */
export async function editOfficer(
  ctx: LinkOfficersContext,
  actor: Actor,
  authorityId: string,
  officerId: string,
  details: OfficerDetails,
): Promise<void> {
  assertCanChange(actor, authorityId);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const row = await officerAt(repo, authorityId, officerId);
    const userId = row.user_id ?? (await accountFor(repo, authorityId, details.email));
    await repo.updateOfficer(officerId, details, userId, ctx.clock.now());
    await audit(trx, actor, 'link-officer.updated', 'link-officer', officerId, authorityId);
  });
}

/** Puts a new person in an officer's place; the person replaced is erased. Returns the new id. */
export async function replaceOfficer(
  ctx: LinkOfficersContext,
  actor: Actor,
  authorityId: string,
  officerId: string,
  details: OfficerDetails,
): Promise<string> {
  assertCanChange(actor, authorityId);
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const row = await officerAt(repo, authorityId, officerId);
    await repo.lockOfficers(authorityId);
    await erase(ctx, trx, row, details);
    const id = await insertOfficer(ctx, trx, authorityId, details, row.slot);
    await audit(trx, actor, 'link-officer.replaced', 'link-officer', id, authorityId);
    return id;
  });
}

/** Removes a link officer and erases them. */
export async function removeOfficer(
  ctx: LinkOfficersContext,
  actor: Actor,
  authorityId: string,
  officerId: string,
): Promise<void> {
  assertCanChange(actor, authorityId);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await officerAt(ctx.repo.with(trx), authorityId, officerId);
    await erase(ctx, trx, row, null);
    await audit(trx, actor, 'link-officer.removed', 'link-officer', officerId, authorityId);
  });
}

/**
 * Inserts into the given place, or the first free one. The database's unique place per authority
 * settles races: an insert that loses one tries the other place, and none is left for a third.
 */
export async function insertOfficer(
  ctx: LinkOfficersContext,
  trx: Tx,
  authorityId: string,
  details: OfficerDetails,
  slot: Slot | null,
): Promise<string> {
  const repo = ctx.repo.with(trx);
  const authority = await requireAuthority(repo, authorityId);
  if (!authority.active) throw conflict('This authority is closed: it cannot have new link officers');
  const userId = await accountFor(repo, authorityId, details.email);
  const now = ctx.clock.now();
  for (const place of slot === null ? ([1, 2] as const) : [slot]) {
    const row = await repo.insertIntoSlot({
      authority_id: authorityId,
      slot: place,
      ...detailColumns(details),
      user_id: userId,
      created_at: now,
      updated_at: now,
    });
    if (row) return row.id;
  }
  throw conflict(TOO_MANY_OFFICERS, [{ field: 'form', message: TOO_MANY_OFFICERS }]);
}

/** The portal account a link officer's record links to: an existing account of theirs at the authority. */
async function accountFor(repo: LinkOfficersRepository, authorityId: string, email: string): Promise<string | null> {
  const user = await repo.findUserByEmail(email);
  return user && user.authority_id === authorityId && user.status !== 'deactivated' ? user.id : null;
}
