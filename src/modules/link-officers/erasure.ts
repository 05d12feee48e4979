import type { Tx } from '../../platform/db/database.ts';
import { eraseFromCorrespondence } from '../correspondence/correspondence.erasure.ts';
import { auditBySystem, type LinkOfficersContext } from './context.ts';
import { erasureNeedles, type LinkOfficer, type OfficerDetails } from './domain.ts';
import { LinkOfficerErasureRepository } from './link-officer-erasure.repository.ts';
import { toOfficer, type LinkOfficerRow } from './link-officers.repository.ts';

/**
 * Erases a link officer: their record (and the absence cover that hangs on it), their portal
 * account and its sessions, pending change requests about them, and their details wherever a
 * copy was made (the outbox, job payloads). Nothing about them is kept; the audit log records the
 * action by id only. A correspondence address still used by someone else (the generic inbox, the
 * other officer, the successor) is not theirs to erase.
 */
export async function erase(
  ctx: LinkOfficersContext,
  trx: Tx,
  row: LinkOfficerRow,
  successor: OfficerDetails | null,
): Promise<void> {
  const repo = ctx.repo.with(trx);
  const erasure = new LinkOfficerErasureRepository(trx);
  const now = ctx.clock.now();
  const officer = toOfficer(row);
  const others = (await repo.listOfficers(officer.authorityId)).filter((o) => o.id !== officer.id).map(toOfficer);
  const { genericInbox } = await repo.authorityContacts(officer.authorityId);
  const shared = new Set(
    [
      genericInbox,
      ...others.flatMap((o) => [o.email, o.correspondenceEmail]),
      successor?.email,
      successor?.correspondenceEmail,
    ]
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.toLowerCase()),
  );
  const person = {
    ...officer,
    correspondenceEmail:
      officer.correspondenceEmail && !shared.has(officer.correspondenceEmail.toLowerCase())
        ? officer.correspondenceEmail
        : null,
  };

  const accounts = new Set<string>();
  if (officer.userId) accounts.add(officer.userId);
  const byEmail = await repo.findUserByEmail(officer.email);
  if (byEmail && byEmail.authority_id === officer.authorityId) accounts.add(byEmail.id);

  await repo.deleteOfficer(officer.id);
  // Where enquiries and notices were delivered: the fact stays, their address goes.
  await erasure.eraseEnquiryRecipients(
    officer.authorityId,
    [officer.email, person.correspondenceEmail ?? officer.email].map((e) => e.toLowerCase()),
  );
  for (const userId of accounts) {
    await erasure.eraseUser(userId, now);
    ctx.accounts.forgetSessions();
    await auditBySystem(trx, 'user.erased', 'user', userId, officer.authorityId);
  }
  await eraseFromChangeRequests(ctx, trx, officer);
  const needles = erasureNeedles(person);
  await erasure.scrubOutbox(needles.identifying, needles.all);
  await eraseFromCorrespondence(trx, ctx.rawMail, {
    authorityId: officer.authorityId,
    addresses: [officer.email, person.correspondenceEmail].filter(
      (a): a is string => a !== null && !shared.has(a.toLowerCase()),
    ),
    ...needles,
  });
  await erasure.scrubJobs(needles.identifying, needles.all);
  await auditBySystem(trx, 'link-officer.erased', 'link-officer', officer.id, officer.authorityId);
}

/** Requests that would appoint the erased person again go; requests they made lose their name. */
async function eraseFromChangeRequests(ctx: LinkOfficersContext, trx: Tx, officer: LinkOfficer): Promise<void> {
  const erasure = new LinkOfficerErasureRepository(trx);
  const repo = ctx.repo.with(trx);
  const email = officer.email.toLowerCase();
  const rows = await erasure.changeRequestAddresses(officer.authorityId);
  for (const r of rows) {
    if (r.email.toLowerCase() === email) {
      await repo.deleteChangeRequest(r.id);
    } else if (r.requester_email.toLowerCase() === email) {
      await erasure.eraseChangeRequester(r.id);
    }
  }
}
