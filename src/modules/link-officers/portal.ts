import { forbidden, invalid, notFound } from '../../platform/errors.ts';
import { invitationMail } from '../accounts/accounts.mail.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { hashSecret, newSecret } from '../accounts/passwords.ts';
import { audit, type LinkOfficersContext } from './context.ts';
import { londonDate } from './domain.ts';
import { officers } from './officers.ts';

// The portal: what an authority sees of its link officers, and a link officer's delegates and
// absence cover.

export interface CoverInput {
  linkOfficerId: string;
  starts: string;
  ends: string;
  coveredBy: string;
}

const SELECT_COVER = 'Select a delegate or the other link officer';

/** The authority of a portal user or token; staff have none here. */
function portalAuthority(actor: Actor): string {
  if (actor.authorityId === null) throw forbidden();
  return actor.authorityId;
}

/** The authority of a portal user who may name delegates and absence cover (a link officer). */
function delegatingAuthority(actor: Actor): string {
  const authorityId = portalAuthority(actor);
  if (!can(actor, 'link-officers:delegate')) throw forbidden();
  return authorityId;
}

/** What the portal shows about the authority's link officers, delegates and absence cover. */
export async function portalOverview(ctx: LinkOfficersContext, actor: Actor) {
  const authorityId = portalAuthority(actor);
  const today = londonDate(ctx.clock.now());
  const { authority, officers: shown } = await officers(ctx, actor, authorityId);
  const [delegates, covers] = await Promise.all([
    ctx.repo.usersWithRole(authorityId, 'delegate'),
    ctx.repo.covers(authorityId, today),
  ]);
  const names = new Map(shown.map((o) => [o.id, o.name]));
  return {
    authority,
    officers: shown,
    delegates,
    covers: covers.map((c) => ({
      ...c,
      officer_name: names.get(c.link_officer_id) ?? '',
      current: c.starts_on <= today,
    })),
    canDelegate: can(actor, 'link-officers:delegate'),
  };
}

/**
 * A link officer invites a colleague as a delegate: a portal account of the same authority, with
 * an invitation to set a password sent through the outbox.
 */
export async function inviteDelegate(
  ctx: LinkOfficersContext,
  actor: Actor,
  input: { name: string; email: string },
): Promise<string> {
  const authorityId = delegatingAuthority(actor);
  const by = auditActor(actor);
  const userId = await ctx.accounts.createUser(
    { email: input.email, displayName: input.name, roles: ['delegate'], authorityId },
    by,
  );
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const token = newSecret();
    const tokenHash = hashSecret(token);
    const ttlHours = ctx.settings.invitationTtlHours;
    await ctx.repo.with(trx).insertInvitationToken({
      token_hash: tokenHash,
      user_id: userId,
      expires_at: new Date(now.getTime() + ttlHours * 3_600_000),
      created_at: now,
    });
    await ctx.mail.enqueue(
      trx,
      invitationMail({
        to: input.email,
        displayName: input.name,
        link: `${ctx.settings.baseUrl}/invitation/${token}`,
        ttlHours,
        tokenId: tokenHash.slice(0, 32),
      }),
    );
    await audit(trx, actor, 'delegate.invited', 'user', userId, authorityId);
  });
  return userId;
}

/** Records who receives a link officer's correspondence while they are away. */
export async function addCover(ctx: LinkOfficersContext, actor: Actor, input: CoverInput): Promise<string> {
  const authorityId = delegatingAuthority(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const officer = await repo.findOfficer(input.linkOfficerId);
    if (!officer || officer.authority_id !== authorityId) {
      throw invalid([{ field: 'linkOfficerId', message: 'Select the link officer who is away' }]);
    }
    const [kind, id = ''] = input.coveredBy.split(':');
    let coverUserId: string | null = null;
    let coverOfficerId: string | null = null;
    if (kind === 'delegate') {
      const user = await repo.findUser(id);
      if (
        !user ||
        user.authority_id !== authorityId ||
        user.status === 'deactivated' ||
        !(await repo.userHasRole(id, 'delegate'))
      ) {
        throw invalid([{ field: 'coveredBy', message: SELECT_COVER }]);
      }
      coverUserId = id;
    } else {
      const other = await repo.findOfficer(id);
      if (!other || other.authority_id !== authorityId || other.id === officer.id) {
        throw invalid([{ field: 'coveredBy', message: SELECT_COVER }]);
      }
      coverOfficerId = id;
    }
    if (input.ends < londonDate(ctx.clock.now())) {
      throw invalid([{ field: 'ends', message: 'The last day of the absence must be today or in the future' }]);
    }
    const coverId = await repo.insertCover({
      authority_id: authorityId,
      link_officer_id: officer.id,
      starts_on: input.starts,
      ends_on: input.ends,
      cover_user_id: coverUserId,
      cover_officer_id: coverOfficerId,
    });
    await audit(trx, actor, 'link-officer.cover-added', 'link-officer-cover', coverId, authorityId);
    return coverId;
  });
}

export async function removeCover(ctx: LinkOfficersContext, actor: Actor, coverId: string): Promise<void> {
  const authorityId = delegatingAuthority(actor);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await ctx.repo.with(trx).deleteCover(coverId, authorityId))) throw notFound('The absence cover');
    await audit(trx, actor, 'link-officer.cover-removed', 'link-officer-cover', coverId, authorityId);
  });
}
