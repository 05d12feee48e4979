import { writeAudit } from '../../platform/audit/audit.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { AccountsContext, TwoFactorSetUp } from './context.ts';
import { ROLE_NAMES, auditActor, isRole, newPasswordProblem, requiresTwoFactor, type Actor } from './domain.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { limitedCheck, lockedOut } from './sign-in-limits.ts';
import { beginTwoFactor, checkCode } from './sign-in.ts';

// Your account: what it shows, changing your password, and turning two-factor authentication on or
// off.

export async function account(ctx: AccountsContext, actor: Actor) {
  const user = await ctx.repo.findUserById(actor.id);
  if (!user) throw notFound('Your account');
  const roles = user.roles.filter(isRole);
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    authorityName: user.authority_name,
    roleNames: roles.map((r) => ROLE_NAMES[r]),
    twoFactorEnabled: user.totp_enabled_at !== null,
    twoFactorEnabledAt: user.totp_enabled_at,
    twoFactorRequired: requiresTwoFactor(roles),
    lastSignedInAt: user.last_signed_in_at,
  };
}

/** Changes the actor's password; every other session of theirs ends. */
export async function changePassword(
  ctx: AccountsContext,
  actor: Actor,
  sessionId: string,
  current: string,
  next: string,
  ip: string,
): Promise<void> {
  const now = ctx.clock.now();
  const user = await ctx.repo.findUserById(actor.id);
  if (!user) throw notFound('Your account');
  const outcome = await limitedCheck(ctx, user, ip, now, () => verifyPassword(user.password_hash, current));
  if (outcome === 'locked') throw lockedOut(ctx, 'currentPassword');
  if (outcome === 'wrong') {
    throw invalid([{ field: 'currentPassword', message: 'Your current password is not correct' }]);
  }
  const problem = newPasswordProblem(next, user.email);
  if (problem) throw invalid([{ field: 'password', message: problem }]);
  const passwordHash = await hashPassword(next);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    await repo.updateUser(user.id, { password_hash: passwordHash, failed_signins: 0, locked_until: null });
    await repo.revokeOtherSessions(user.id, sessionId, now);
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'user.password-changed',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
      requestId: actor.requestId ?? null,
    });
  });
}

/** Authority users may turn two-factor on from their account page: the secret to set up. */
export async function twoFactorSetUpForAccount(ctx: AccountsContext, actor: Actor): Promise<TwoFactorSetUp> {
  const user = await ctx.repo.findUserById(actor.id);
  if (!user) throw notFound('Your account');
  return beginTwoFactor(ctx, user);
}

export async function confirmTwoFactorForAccount(
  ctx: AccountsContext,
  actor: Actor,
  sessionId: string,
  code: string,
  ip: string,
): Promise<void> {
  const now = ctx.clock.now();
  const user = await ctx.repo.findUserById(actor.id);
  if (!user) throw notFound('Your account');
  if (user.totp_enabled_at) throw conflict('Two-factor authentication is already turned on');
  await checkCode(ctx, user, code, ip, now, sessionId);
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).updateUser(user.id, { totp_enabled_at: now });
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'user.two-factor-enabled',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
      requestId: actor.requestId ?? null,
    });
  });
}

/** Authority users may turn two-factor off again, confirming with their password. Staff may not. */
export async function disableTwoFactor(
  ctx: AccountsContext,
  actor: Actor,
  password: string,
  ip: string,
): Promise<void> {
  const now = ctx.clock.now();
  const user = await ctx.repo.findUserById(actor.id);
  if (!user) throw notFound('Your account');
  if (requiresTwoFactor(user.roles.filter(isRole))) {
    throw forbidden('Ombudsman staff must use two-factor authentication');
  }
  if (!user.totp_enabled_at) throw conflict('Two-factor authentication is already turned off');
  const outcome = await limitedCheck(ctx, user, ip, now, () => verifyPassword(user.password_hash, password));
  if (outcome === 'locked') throw lockedOut(ctx, 'password');
  if (outcome === 'wrong') throw invalid([{ field: 'password', message: 'Your password is not correct' }]);
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).updateUser(user.id, { totp_secret: null, totp_enabled_at: null, totp_last_step: null });
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'user.two-factor-disabled',
      recordType: 'user',
      recordId: user.id,
      authorityId: user.authority_id,
      requestId: actor.requestId ?? null,
    });
  });
}
