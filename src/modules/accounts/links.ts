import { SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { DomainError, conflict, invalid, notFound } from '../../platform/errors.ts';
import { invitationMail, passwordResetMail } from './accounts.mail.ts';
import type { LinkPurpose, UserWithRoles } from './accounts.repository.ts';
import {
  assertEmailFree,
  authorisedAdmin,
  type AccountsContext,
  type Invitation,
  type StartedSession,
} from './context.ts';
import {
  auditActor,
  isAuthorityRole,
  isRole,
  linkState,
  newPasswordProblem,
  requiresTwoFactor,
  type Actor,
  type LinkState,
} from './domain.ts';
import { hashPassword, hashSecret, newSecret } from './passwords.ts';
import { endReplacedSession, startSession } from './sign-in.ts';
import { validateRoles } from './users-admin.ts';

// One-time links: invitations, password resets and the first administrator's set-up.

/** At most this many reset emails per account within one link lifetime. */
const MAX_RESETS_PER_WINDOW = 3;
const FIRST_ADMIN_EMAIL = 'first-administrator@set-up.invalid';

function link(ctx: AccountsContext, path: string, token: string): string {
  return `${ctx.settings.baseUrl}/${path}/${token}`;
}

async function issueLink(
  ctx: AccountsContext,
  trx: Tx,
  userId: string,
  purpose: LinkPurpose,
  ttlMs: number,
  now: Date,
) {
  const token = newSecret();
  const tokenHash = hashSecret(token);
  await ctx.repo.with(trx).insertOneTimeToken({
    token_hash: tokenHash,
    user_id: userId,
    purpose,
    expires_at: new Date(now.getTime() + ttlMs),
    created_at: now,
  });
  return { token, tokenId: tokenHash.slice(0, 32) };
}

/** What opening a link would find: valid (with the account's email), used, expired or unknown. */
export async function checkLink(
  ctx: AccountsContext,
  token: string,
  purpose: LinkPurpose,
): Promise<{ state: LinkState; email: string | null }> {
  const row = await ctx.repo.findOneTimeToken(hashSecret(token), purpose);
  let state = linkState(row, ctx.clock.now());
  const user = row ? await ctx.repo.findUserById(row.user_id) : undefined;
  const expectedStatus = purpose === 'password-reset' ? 'active' : 'invited';
  if (state === 'valid' && user?.status !== expectedStatus) state = 'used';
  const showEmail = state === 'valid' && purpose !== 'first-administrator';
  return { state, email: showEmail && user ? user.email : null };
}

/** Takes a link for use inside a transaction, or throws a `gone` error saying why it cannot be. */
async function takeLink(
  ctx: AccountsContext,
  trx: Tx,
  token: string,
  purpose: LinkPurpose,
  now: Date,
): Promise<UserWithRoles> {
  const repo = ctx.repo.with(trx);
  const tokenHash = hashSecret(token);
  const row = await repo.findOneTimeToken(tokenHash, purpose);
  const state = linkState(row, now);
  const user = row ? await repo.findUserById(row.user_id) : undefined;
  const expectedStatus = purpose === 'password-reset' ? 'active' : 'invited';
  if (state !== 'valid' || !user || user.status !== expectedStatus || !(await repo.useOneTimeToken(tokenHash, now))) {
    throw new DomainError(
      'gone',
      state === 'expired' ? 'This link has expired.' : 'This link has already been used or is not valid.',
    );
  }
  return user;
}

/** Invites a new user by email. Returns the new user's id. */
export async function invite(ctx: AccountsContext, actor: Actor, input: Invitation): Promise<string> {
  await authorisedAdmin(actor);
  if (input.authorityId === null && input.roles.some((r) => isRole(r) && isAuthorityRole(r))) {
    throw invalid([{ field: 'authorityId', message: 'Select the authority this person works for' }]);
  }
  const roles = validateRoles(input.roles, input.authorityId);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    if (input.authorityId && !(await repo.findAuthority(input.authorityId))) {
      throw invalid([{ field: 'authorityId', message: 'Select an authority from the list' }]);
    }
    await assertEmailFree(repo, input.email);
    const user = await repo.insertUser(
      {
        email: input.email.trim(),
        display_name: input.displayName.trim(),
        authority_id: input.authorityId,
        status: 'invited',
        created_at: now,
        updated_at: now,
      },
      roles,
    );
    await sendInvitation(ctx, trx, user.id, user.email, user.display_name, now);
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'user.invited',
      recordType: 'user',
      recordId: user.id,
      authorityId: input.authorityId,
      requestId: actor.requestId ?? null,
    });
    return user.id;
  });
}

async function sendInvitation(
  ctx: AccountsContext,
  trx: Tx,
  userId: string,
  email: string,
  displayName: string,
  now: Date,
) {
  const ttlHours = ctx.settings.invitationTtlHours;
  await ctx.repo.with(trx).useAllOneTimeTokens(userId, ['invitation'], now);
  const { token, tokenId } = await issueLink(ctx, trx, userId, 'invitation', ttlHours * 3_600_000, now);
  await ctx.mail.enqueue(
    trx,
    invitationMail({ to: email, displayName, link: link(ctx, 'invitation', token), ttlHours, tokenId }),
  );
}

/** Sends a fresh invitation to someone who has not yet accepted; earlier links stop working. */
export async function resendInvitation(ctx: AccountsContext, actor: Actor, userId: string): Promise<void> {
  await authorisedAdmin(actor);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const user = await ctx.repo.with(trx).findUserById(userId);
    if (!user) throw notFound('The user');
    if (user.status !== 'invited') throw conflict('Only people who have not yet accepted can be invited again');
    await sendInvitation(ctx, trx, user.id, user.email, user.display_name, now);
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'user.invitation-resent',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
      requestId: actor.requestId ?? null,
    });
  });
}

/**
 * The hash of a password chosen through a link, once it passes the rules for the link's address
 * (the link itself is taken, and checked again, in the caller's transaction).
 */
async function newPasswordHashFor(
  ctx: AccountsContext,
  token: string,
  kind: LinkPurpose,
  password: string,
): Promise<string> {
  const checked = await checkLink(ctx, token, kind);
  if (checked.state === 'valid' && checked.email) {
    const problem = newPasswordProblem(password, checked.email);
    if (problem) throw invalid([{ field: 'password', message: problem }]);
  }
  return hashPassword(password);
}

/** The invitee chooses a password; the account becomes active and they are signed in (two-factor next, for staff). */
export async function acceptInvitation(
  ctx: AccountsContext,
  token: string,
  password: string,
  replacing: string | null = null,
): Promise<StartedSession> {
  const now = ctx.clock.now();
  const passwordHash = await newPasswordHashFor(ctx, token, 'invitation', password);
  return ctx.db.transaction().execute(async (trx) => {
    const user = await takeLink(ctx, trx, token, 'invitation', now);
    await ctx.repo.with(trx).updateUser(user.id, { password_hash: passwordHash, status: 'active' });
    await writeAudit(trx, {
      actor: { type: 'user', id: user.id },
      action: 'user.invitation-accepted',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
    });
    const stage = requiresTwoFactor(user.roles.filter(isRole)) ? 'mfa-setup' : 'active';
    await endReplacedSession(ctx, trx, replacing, now);
    return startSession(ctx, trx, user, stage, now);
  });
}

/**
 * Emails a reset link when the address belongs to an active account. Says nothing either way, so
 * the page cannot reveal which addresses have accounts.
 */
export async function requestPasswordReset(ctx: AccountsContext, email: string): Promise<void> {
  const now = ctx.clock.now();
  const ttlMinutes = ctx.settings.passwordResetTtlMinutes;
  const user = await ctx.repo.findUserByEmail(email.trim());
  if (!user || user.status !== 'active') return;
  const since = new Date(now.getTime() - ttlMinutes * 60_000);
  if ((await ctx.repo.countRecentTokens(user.id, 'password-reset', since)) >= MAX_RESETS_PER_WINDOW) return;
  await ctx.db.transaction().execute(async (trx) => {
    const { token, tokenId } = await issueLink(ctx, trx, user.id, 'password-reset', ttlMinutes * 60_000, now);
    await ctx.mail.enqueue(
      trx,
      passwordResetMail({
        to: user.email,
        displayName: user.display_name,
        link: link(ctx, 'password-reset', token),
        ttlMinutes,
        tokenId,
      }),
    );
    await writeAudit(trx, {
      actor: { type: 'user', id: user.id },
      action: 'user.password-reset-requested',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
    });
  });
}

/** Sets a new password from a reset link: every session ends and any lockout is lifted. */
export async function resetPassword(ctx: AccountsContext, token: string, password: string): Promise<void> {
  const now = ctx.clock.now();
  const passwordHash = await newPasswordHashFor(ctx, token, 'password-reset', password);
  await ctx.db.transaction().execute(async (trx) => {
    const user = await takeLink(ctx, trx, token, 'password-reset', now);
    const repo = ctx.repo.with(trx);
    await repo.updateUser(user.id, { password_hash: passwordHash, failed_signins: 0, locked_until: null });
    await repo.useAllOneTimeTokens(user.id, ['password-reset'], now);
    await repo.revokeAllSessions(user.id, now);
    await writeAudit(trx, {
      actor: { type: 'user', id: user.id },
      action: 'user.password-reset',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
    });
  });
}

/**
 * While no active administrator exists, (re)creates an invited administrator placeholder and
 * returns a one-time link `${BASE_URL}/set-up/<token>` for the first administrator to claim it.
 * Earlier set-up links stop working. Returns null once an active administrator exists.
 */
export async function firstAdministratorLink(ctx: AccountsContext): Promise<string | null> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    if ((await repo.countActiveAdministrators()) > 0) return null;
    let placeholder = await repo.findUserByEmail(FIRST_ADMIN_EMAIL);
    if (placeholder && placeholder.status !== 'invited') {
      throw conflict('The first administrator placeholder is in an unexpected state');
    }
    if (!placeholder) {
      const created = await repo.insertUser(
        { email: FIRST_ADMIN_EMAIL, display_name: 'First administrator', authority_id: null, status: 'invited' },
        ['administrator'],
      );
      placeholder = { ...created, roles: ['administrator'], authority_name: null };
    }
    await repo.useAllOneTimeTokens(placeholder.id, ['first-administrator'], now);
    const { token } = await issueLink(
      ctx,
      trx,
      placeholder.id,
      'first-administrator',
      ctx.settings.invitationTtlHours * 3_600_000,
      now,
    );
    await writeAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'user.first-administrator-link-issued',
      recordType: 'user',
      recordId: placeholder.id,
    });
    return link(ctx, 'set-up', token);
  });
}

/** The first administrator claims the placeholder with their own details, then sets up two-factor. */
export async function completeFirstAdministrator(
  ctx: AccountsContext,
  token: string,
  input: { email: string; displayName: string; password: string },
  replacing: string | null = null,
): Promise<StartedSession> {
  const now = ctx.clock.now();
  const problem = newPasswordProblem(input.password, input.email);
  if (problem) throw invalid([{ field: 'password', message: problem }]);
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const user = await takeLink(ctx, trx, token, 'first-administrator', now);
    const repo = ctx.repo.with(trx);
    if ((await repo.countActiveAdministrators()) > 0) {
      throw new DomainError('gone', 'An administrator has already been set up.');
    }
    await assertEmailFree(repo, input.email, user.id);
    await repo.updateUser(user.id, {
      email: input.email.trim(),
      display_name: input.displayName.trim(),
      password_hash: passwordHash,
      status: 'active',
    });
    await repo.setRoles(user.id, ['administrator']);
    await writeAudit(trx, {
      actor: { type: 'user', id: user.id },
      action: 'user.first-administrator-set-up',
      recordType: 'user',
      recordId: user.id,
    });
    await endReplacedSession(ctx, trx, replacing, now);
    return startSession(ctx, trx, user, 'mfa-setup', now);
  });
}
