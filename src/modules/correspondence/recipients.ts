import type { CorrespondenceContext, Recipient } from './context.ts';
import type { CorrespondenceRepository } from './correspondence.repository.ts';
import type { Addressee } from './domain.ts';

// Who an item's roles are on the day it goes out, and who stands in when their mail bounces.

/** The authority's chief executive as a recipient; null when none is recorded. */
async function chiefExecutive(repo: CorrespondenceRepository, authorityId: string): Promise<Recipient | null> {
  const ce = await repo.chiefExecutive(authorityId);
  return ce ? { address: ce.email, role: 'chief-executive', linkOfficerId: null } : null;
}

/** Who the roles are today, each address once. */
export async function resolveRecipients(
  ctx: CorrespondenceContext,
  repo: CorrespondenceRepository,
  authorityId: string,
  complaintId: string,
  addressees: readonly Addressee[],
): Promise<Recipient[]> {
  const out: Recipient[] = [];
  const seen = new Set<string>();
  const add = (r: Recipient | null) => {
    if (!r) return;
    const key = r.address.trim().toLowerCase();
    if (key === '' || seen.has(key)) return;
    seen.add(key);
    out.push({ ...r, address: r.address.trim() });
  };
  for (const addressee of addressees) {
    switch (addressee) {
      case 'link-officers':
        for (const r of await linkOfficerRecipients(ctx, repo, authorityId)) add(r);
        break;
      case 'chief-executive':
        add(await chiefExecutive(repo, authorityId));
        break;
      case 'monitoring-officer':
      case 'head-of-service': {
        // The officer for the role (the head of service for the complaint's service area); the chief
        // executive stands in when none is recorded, so the item always reaches the authority's leadership.
        const officer = await repo.seniorOfficerFor(authorityId, complaintId, addressee);
        add(
          officer
            ? { address: officer.email, role: addressee, linkOfficerId: null }
            : await chiefExecutive(repo, authorityId),
        );
        break;
      }
      case 'complainant':
        for (const party of await repo.parties(complaintId)) {
          if (party.email) add({ address: party.email, role: party.role, linkOfficerId: null });
        }
        break;
    }
  }
  return out;
}

/**
 * The link officers' addresses today (the link officers module decides who covers, and when the
 * generic inbox or chief executive stands in), less any whose mail bounces: a link officer, or a
 * generic inbox, whose mail bounces is skipped for the other officer, the generic inbox, or the
 * chief executive.
 */
async function linkOfficerRecipients(
  ctx: CorrespondenceContext,
  repo: CorrespondenceRepository,
  authorityId: string,
): Promise<Recipient[]> {
  const bounces = ctx.bounces.with(repo.db);
  const [failing, failingInbox] = await Promise.all([
    bounces.failingOfficers(authorityId),
    bounces.failingInbox(authorityId),
  ]);
  const failingIds = new Set(failing.map((f) => f.id));
  const failingAddresses = new Set(
    [...failing.flatMap((f) => [f.email, f.correspondence_email]), failingInbox]
      .filter((a): a is string => !!a)
      .map((a) => a.toLowerCase()),
  );
  const resolved = await ctx.deps.linkOfficers.correspondenceRecipients(authorityId, ctx.clock.now(), repo.db);
  const kept: Recipient[] = resolved
    .filter((r) => !failingAddresses.has(r.email.toLowerCase()))
    .filter((r) => !(r.as === 'link-officer' && r.linkOfficerId && failingIds.has(r.linkOfficerId)))
    .map((r) => ({ address: r.email, role: r.as, linkOfficerId: r.linkOfficerId ?? null }));
  if (kept.length > 0) return kept;
  const ce = await chiefExecutive(repo, authorityId);
  return ce ? [ce] : [];
}

/**
 * Who stands in at the authority after a bounce: the link officers' addresses today, or else the
 * chief executive, leaving out the addresses the item already went to (`already`, lower case).
 */
export async function standInRecipients(
  ctx: CorrespondenceContext,
  repo: CorrespondenceRepository,
  authorityId: string,
  already: ReadonlySet<string>,
): Promise<Recipient[]> {
  const officers = (await linkOfficerRecipients(ctx, repo, authorityId)).filter(
    (r) => !already.has(r.address.toLowerCase()),
  );
  if (officers.length > 0) return officers;
  const ce = await chiefExecutive(repo, authorityId);
  return ce && !already.has(ce.address.toLowerCase()) ? [ce] : [];
}
