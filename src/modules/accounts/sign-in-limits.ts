import crypto from 'node:crypto';
import { writeAudit } from '../../platform/audit/audit.ts';
import { DomainError } from '../../platform/errors.ts';
import type { UserWithRoles } from './accounts.repository.ts';
import type { AccountsContext } from './context.ts';

// Limits on sign-in: attempts per client address and per account, reserved before a password or
// code is checked, and the lockout they lead to.

/** What a check of a password or code under the sign-in limits came to. */
type CheckOutcome = 'ok' | 'wrong' | 'locked';

function addressHash(ctx: AccountsContext, ip: string): string {
  return crypto.createHmac('sha256', ctx.settings.secret).update(`ip:${ip}`).digest('hex');
}

/**
 * Reserves one sign-in attempt for a client address, atomically: false (nothing reserved) once
 * the address has used its attempts within the window. Reserved before the password or code is
 * checked, so concurrent attempts cannot all be checked; a success gives its attempt back.
 */
function reserveAddressAttempt(ctx: AccountsContext, ipHash: string, now: Date): Promise<boolean> {
  const windowStart = new Date(now.getTime() - ctx.settings.lockoutMinutes * 60_000);
  return ctx.limits.reserveAddressAttempt(ipHash, now, windowStart, ctx.settings.maxFailuresPerIp);
}

function releaseAddressAttempt(ctx: AccountsContext, ipHash: string): Promise<void> {
  return ctx.limits.releaseAddressAttempt(ipHash);
}

/**
 * Reserves one attempt against an account in one statement: counts it and, when it reaches the
 * limit, locks the account. Null (nothing reserved, nothing to check) while the account is locked.
 * Once a lock has run out, counting starts again. A failure keeps its attempt and never unlocks.
 */
function reserveAccountAttempt(ctx: AccountsContext, userId: string, now: Date): Promise<{ locks: boolean } | null> {
  const lockEnd = new Date(now.getTime() + ctx.settings.lockoutMinutes * 60_000);
  return ctx.limits.reserveAccountAttempt(userId, now, ctx.settings.maxFailuresPerAccount, lockEnd);
}

/**
 * Checks something only the user knows (a password or a code) within the limits per address and
 * per account: the attempt is reserved first and the check runs only when it was. A success
 * clears the account's count; a failure is audited. `locked` when refused without a check, or
 * when this failure locked the account.
 */
export async function limitedCheck(
  ctx: AccountsContext,
  user: UserWithRoles | undefined,
  ip: string,
  now: Date,
  check: () => Promise<boolean>,
): Promise<CheckOutcome> {
  const ipHash = addressHash(ctx, ip);
  if (!(await reserveAddressAttempt(ctx, ipHash, now))) return 'locked';
  let reserved: { locks: boolean } | null = null;
  if (user) {
    reserved = await reserveAccountAttempt(ctx, user.id, now);
    if (!reserved) {
      await releaseAddressAttempt(ctx, ipHash);
      return 'locked';
    }
  }
  const ok = await check();
  if (ok && user) {
    await ctx.repo.updateUser(user.id, { failed_signins: 0, locked_until: null });
    await releaseAddressAttempt(ctx, ipHash);
    return 'ok';
  }
  if (!user || !reserved) return 'wrong';
  await writeAudit(ctx.db, {
    actor: { type: 'user', id: user.id },
    action: reserved.locks ? 'user.locked-out' : 'user.signin-failed',
    recordType: 'user',
    recordId: user.id,
  });
  return reserved.locks ? 'locked' : 'wrong';
}

export function lockedOut(ctx: AccountsContext, field = 'email'): DomainError {
  const message = `You have entered the wrong details too many times. Wait ${ctx.settings.lockoutMinutes} minutes and try again, or reset your password.`;
  return new DomainError('rate-limited', message, [{ field, message }]);
}
