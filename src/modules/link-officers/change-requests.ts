import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { DomainError, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { hashSecret, newSecret } from '../accounts/passwords.ts';
import {
  assertRelationshipTeam,
  audit,
  auditBySystem,
  requireAuthority,
  view,
  type LinkOfficersContext,
} from './context.ts';
import { fullName, isSlot, type LinkOfficer, type OfficerDetails, type Slot } from './domain.ts';
import { erase } from './erasure.ts';
import { changeDecidedMail, changeDeclinedMail, confirmChangeMail } from './link-officers.mail.ts';
import {
  detailColumns,
  toOfficer,
  type ChangeRequestRow,
  type LinkOfficersRepository,
} from './link-officers.repository.ts';
import { insertOfficer } from './officers.ts';

// Changes of link officer that authorities ask for: the request, its confirmation by the authority
// when it comes from outside, and the relationship team's decision.

export interface ChangeRequestInput {
  authorityId: string;
  /** `add`; the place (1 or 2) of the officer replaced; or `replace` naming them by `replacesEmail`. */
  change: 'add' | '1' | '2' | 'replace';
  replacesEmail?: string | undefined;
  details: OfficerDetails;
  requesterName: string;
  requesterEmail: string;
}

const SUBMITTED_FOR_CONFIRMATION =
  'Thank you. We have emailed the authority’s link officer to confirm the request before it reaches the ombudsman.';

/** Whether an actor speaks for the authority: its link officer or a senior officer, signed in. */
function speaksFor(actor: Actor | null, authorityId: string): boolean {
  return (
    actor !== null &&
    actor.type === 'user' &&
    actor.authorityId === authorityId &&
    actor.roles.some((r) => r === 'link-officer' || r === 'senior-officer')
  );
}

/**
 * Records a request to change an authority's link officers. From the authority's own link officer
 * or senior officer it goes straight to the relationship lead; from anyone else it first waits for
 * a current link officer (or, with none, the chief executive) to confirm it by an emailed link.
 * Returns the notice to show.
 */
export async function requestChange(
  ctx: LinkOfficersContext,
  actor: Actor | null,
  input: ChangeRequestInput,
): Promise<string> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const authority = await repo.findAuthority(input.authorityId);
    if (!authority || !authority.active) {
      throw invalid([{ field: 'authorityId', message: 'Select the authority' }]);
    }
    const officers = (await repo.listOfficers(input.authorityId)).map(toOfficer);
    let replacesSlot: Slot | null = input.change === '1' ? 1 : input.change === '2' ? 2 : null;
    if (input.change === 'replace') {
      const email = (input.replacesEmail ?? '').toLowerCase();
      const match = officers.find(
        (o) => o.email.toLowerCase() === email || o.correspondenceEmail?.toLowerCase() === email,
      );
      if (!match) {
        throw invalid([
          {
            field: 'replacesEmail',
            message: 'Enter the email address of one of the authority’s current link officers',
          },
        ]);
      }
      replacesSlot = match.slot;
    }
    if (replacesSlot === null && officers.length >= 2) {
      throw invalid([
        { field: 'change', message: 'The authority already has two link officers: choose which one to replace' },
      ]);
    }
    if (replacesSlot !== null && !officers.some((o) => o.slot === replacesSlot)) {
      throw invalid([{ field: 'change', message: 'Select a link officer the authority has now, or add one' }]);
    }
    const trusted = speaksFor(actor, input.authorityId);
    const token = newSecret();
    const ttlMs = ctx.settings.confirmationTtlDays * 86_400_000;
    const confirmers = trusted ? [] : await confirmersFor(repo, input.authorityId, officers);
    const awaiting = !trusted && confirmers.length > 0;
    const id = await repo.insertChangeRequest({
      authority_id: input.authorityId,
      replaces_slot: replacesSlot,
      ...detailColumns(input.details),
      requester_name: input.requesterName,
      requester_email: input.requesterEmail,
      requester_user_id: actor?.type === 'user' && actor.authorityId === input.authorityId ? actor.id : null,
      status: awaiting ? 'awaiting-confirmation' : 'pending',
      confirmation_token_hash: awaiting ? hashSecret(token) : null,
      confirmation_expires_at: awaiting ? new Date(now.getTime() + ttlMs) : null,
      created_at: now,
      confirmed_at: trusted ? now : null,
    });
    const replaced = officers.find((o) => o.slot === replacesSlot);
    for (const to of confirmers) {
      await ctx.mail.enqueue(
        trx,
        confirmChangeMail({
          to,
          authorityName: authority.name,
          requesterName: input.requesterName,
          change: replaced ? `replace the link officer ${fullName(replaced)}` : 'add a link officer',
          newOfficerName: fullName(input.details),
          link: `${ctx.settings.baseUrl}/link-officer-change/confirm/${token}`,
          ttlDays: ctx.settings.confirmationTtlDays,
          requestId: id,
        }),
      );
    }
    await writeAudit(trx, {
      actor: actor ? auditActor(actor) : { type: 'system', id: null },
      action: awaiting ? 'link-officer-change.requested-unconfirmed' : 'link-officer-change.requested',
      recordType: 'link-officer-change',
      recordId: id,
      authorityId: input.authorityId,
      requestId: actor?.requestId ?? null,
    });
    return awaiting
      ? SUBMITTED_FOR_CONFIRMATION
      : 'Thank you. Your request has been sent to the ombudsman’s relationship team.';
  });
}

/** Who confirms a change asked for from outside: the current link officers, else the chief executive. */
async function confirmersFor(
  repo: LinkOfficersRepository,
  authorityId: string,
  officers: LinkOfficer[],
): Promise<string[]> {
  if (officers.length > 0) return [...new Set(officers.map((o) => o.correspondenceEmail ?? o.email))];
  const { chiefExecutiveEmail } = await repo.authorityContacts(authorityId);
  return chiefExecutiveEmail ? [chiefExecutiveEmail] : [];
}

async function requestForToken(ctx: LinkOfficersContext, token: string): Promise<ChangeRequestRow> {
  const row = await ctx.repo.findChangeRequestByToken(hashSecret(token));
  if (!row || row.status !== 'awaiting-confirmation') {
    throw new DomainError('gone', 'This link has already been used or is not valid.');
  }
  if (row.confirmation_expires_at && row.confirmation_expires_at <= ctx.clock.now()) {
    throw new DomainError('gone', 'This link has expired. Ask the person who made the request to make it again.');
  }
  return row;
}

/** The officer a request asks for, as a link officer's details. */
const detailsOf = (row: ChangeRequestRow): OfficerDetails => ({
  title: row.title,
  forename: row.forename,
  surname: row.surname,
  jobTitle: row.job_title,
  email: row.email,
  correspondenceEmail: row.correspondence_email,
  phone: row.phone,
});

async function describe(ctx: LinkOfficersContext, row: ChangeRequestRow) {
  const authority = await requireAuthority(ctx.repo, row.authority_id);
  const officers = (await ctx.repo.listOfficers(row.authority_id)).map(toOfficer);
  const replaced = row.replaces_slot === null ? undefined : officers.find((o) => o.slot === row.replaces_slot);
  return {
    id: row.id,
    authority: { id: authority.id, name: authority.name },
    replaces: replaced ? view(replaced) : null,
    details: view(
      toOfficer({
        id: row.id,
        authority_id: row.authority_id,
        slot: row.replaces_slot ?? 1,
        user_id: null,
        failing_since: null,
        bounce_status: null,
        ...detailColumns(detailsOf(row)),
        created_at: row.created_at,
        updated_at: row.created_at,
      }),
    ),
    requesterName: row.requester_name,
    requesterEmail: row.requester_email,
    status: row.status,
    createdAt: row.created_at,
    confirmation:
      row.requester_user_id !== null && row.confirmed_at !== null
        ? 'Asked by the authority’s link officer or senior officer, signed in'
        : row.confirmed_at !== null
          ? 'Confirmed by the authority by email'
          : 'Not confirmed: the authority had no link officer or chief executive to ask',
  };
}

/** What the confirmation page shows. */
export async function changeForConfirmation(ctx: LinkOfficersContext, token: string) {
  return describe(ctx, await requestForToken(ctx, token));
}

export async function confirmChange(ctx: LinkOfficersContext, token: string): Promise<void> {
  const row = await requestForToken(ctx, token);
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).confirmChangeRequest(row.id, ctx.clock.now());
    await auditBySystem(trx, 'link-officer-change.confirmed', 'link-officer-change', row.id, row.authority_id);
  });
}

export async function declineChange(ctx: LinkOfficersContext, token: string): Promise<void> {
  const row = await requestForToken(ctx, token);
  const authority = await requireAuthority(ctx.repo, row.authority_id);
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).deleteChangeRequest(row.id);
    await ctx.mail.enqueue(
      trx,
      changeDeclinedMail({ to: row.requester_email, authorityName: authority.name, requestId: row.id }),
    );
    await auditBySystem(trx, 'link-officer-change.declined', 'link-officer-change', row.id, row.authority_id);
  });
}

/** The relationship lead's queue of confirmed requests, oldest first. */
export async function pendingChanges(ctx: LinkOfficersContext, actor: Actor) {
  assertRelationshipTeam(actor);
  const rows = await ctx.repo.pendingChangeRequests();
  return rows.map((r) => ({
    id: r.id,
    authorityName: r.authority_name,
    change: r.replaces_slot === null ? 'Add a link officer' : `Replace the link officer in place ${r.replaces_slot}`,
    newOfficerName: fullName(r),
    requesterName: r.requester_name,
    createdAt: r.created_at,
  }));
}

export async function changeRequest(ctx: LinkOfficersContext, actor: Actor, id: string) {
  assertRelationshipTeam(actor);
  const row = await ctx.repo.findChangeRequest(id);
  if (!row || row.status !== 'pending') throw notFound('The request');
  return describe(ctx, row);
}

/** A request waiting for the relationship team's decision, locked until the transaction ends. */
async function lockPending(repo: LinkOfficersRepository, id: string): Promise<ChangeRequestRow> {
  const row = await repo.lockChangeRequest(id);
  if (!row || row.status !== 'pending') throw notFound('The request');
  return row;
}

/** Tells the person who asked what was decided, unless they have since been erased. */
async function tellRequester(
  ctx: LinkOfficersContext,
  trx: Tx,
  row: ChangeRequestRow,
  authorityName: string,
  decision: { approved: true } | { approved: false; reason: string },
): Promise<void> {
  if (row.requester_email === '[erased]') return;
  await ctx.mail.enqueue(
    trx,
    changeDecidedMail({ to: row.requester_email, authorityName, ...decision, requestId: row.id }),
  );
}

/** Approves a request: the change applies at once, the request itself is deleted. */
export async function approveChange(ctx: LinkOfficersContext, actor: Actor, id: string): Promise<void> {
  assertRelationshipTeam(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const row = await lockPending(repo, id);
    const authority = await requireAuthority(repo, row.authority_id);
    await repo.lockOfficers(row.authority_id);
    const details = detailsOf(row);
    await repo.deleteChangeRequest(row.id);
    const slot = row.replaces_slot;
    const current =
      slot === null ? undefined : (await repo.listOfficers(row.authority_id)).find((o) => o.slot === slot);
    let erasedEmail: string | null = null;
    let officerId: string;
    if (current && slot !== null && isSlot(slot)) {
      erasedEmail = current.email.toLowerCase();
      await erase(ctx, trx, current, details);
      officerId = await insertOfficer(ctx, trx, row.authority_id, details, slot);
      await audit(trx, actor, 'link-officer.replaced', 'link-officer', officerId, row.authority_id);
    } else {
      officerId = await insertOfficer(ctx, trx, row.authority_id, details, null);
      await audit(trx, actor, 'link-officer.added', 'link-officer', officerId, row.authority_id);
    }
    await audit(trx, actor, 'link-officer-change.approved', 'link-officer-change', row.id, row.authority_id);
    // Tell the person who asked, unless they are the person just erased.
    if (row.requester_email.toLowerCase() !== erasedEmail)
      await tellRequester(ctx, trx, row, authority.name, { approved: true });
  });
}

/** Rejects a request with a reason the requester is told by email; the request is deleted. */
export async function rejectChange(ctx: LinkOfficersContext, actor: Actor, id: string, reason: string): Promise<void> {
  assertRelationshipTeam(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const row = await lockPending(repo, id);
    const authority = await requireAuthority(repo, row.authority_id);
    await repo.deleteChangeRequest(row.id);
    await tellRequester(ctx, trx, row, authority.name, { approved: false, reason });
    await audit(trx, actor, 'link-officer-change.rejected', 'link-officer-change', row.id, row.authority_id);
  });
}

/** The signed-in user's own name and email, for a request made in the portal. */
export async function requesterFor(ctx: LinkOfficersContext, actor: Actor): Promise<{ name: string; email: string }> {
  const user = actor.type === 'user' ? await ctx.accounts.findUserById(actor.id) : undefined;
  if (!user) throw forbidden();
  return { name: user.display_name, email: user.email };
}
