import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { DomainError, conflict, invalid } from '../../platform/errors.ts';
import type { UserWithRoles } from './accounts.repository.ts';
import { faceOf, type AccountsContext, type Stage, type StartedSession, type TwoFactorSetUp } from './context.ts';
import { formatSecretForTyping, isRole, requiresTwoFactor } from './domain.ts';
import { hashSecret, newSecret, verifyPassword } from './passwords.ts';
import { newTotpSecret, totpQrSvg, totpStepOf, totpUri } from './two-factor.ts';
import { limitedCheck, lockedOut } from './sign-in-limits.ts';

// Signing in: the password, then two-factor authentication (set up at first sign-in for staff, or
// checked), and the session that starts.

const WRONG_DETAILS = 'Enter a correct email address and password';
const WRONG_CODE = 'Enter the 6-digit code shown in your authenticator app';

/**
 * First step of sign-in. Throttled per account (lockout after repeated failures) and per client
 * address. Returns a new session token and the stage it is at (two-factor still to do, or active).
 * `replacing` is the session the browser had until now: it ends when the new one starts.
 */
export async function signIn(
  ctx: AccountsContext,
  email: string,
  password: string,
  ip: string,
  replacing: string | null = null,
): Promise<StartedSession> {
  const now = ctx.clock.now();
  const user = await ctx.repo.findUserByEmail(email.trim());
  const outcome = await limitedCheck(
    ctx,
    user,
    ip,
    now,
    async () => (await verifyPassword(user?.password_hash ?? null, password)) && user?.status === 'active',
  );
  if (outcome === 'locked') throw lockedOut(ctx);
  if (outcome === 'wrong' || !user) throw invalid([{ field: 'email', message: WRONG_DETAILS }], WRONG_DETAILS);

  const stage: Stage = user.totp_enabled_at
    ? 'mfa'
    : requiresTwoFactor(user.roles.filter(isRole))
      ? 'mfa-setup'
      : 'active';
  return ctx.db.transaction().execute(async (trx) => {
    await endReplacedSession(ctx, trx, replacing, now);
    return startSession(ctx, trx, user, stage, now);
  });
}

/** Ends the session a browser had before signing in again (any stage, anyone's). */
export async function endReplacedSession(
  ctx: AccountsContext,
  trx: Tx,
  sessionId: string | null,
  now: Date,
): Promise<void> {
  if (!sessionId) return;
  const ended = await ctx.repo.with(trx).revokeLiveSession(sessionId, now);
  if (!ended) return;
  await writeAudit(trx, {
    actor: { type: 'user', id: ended.user_id },
    action: 'session.replaced',
    recordType: 'session',
    recordId: sessionId,
  });
}

/** Creates a session row at a stage and returns its cookie value. Call inside a transaction. */
export async function startSession(
  ctx: AccountsContext,
  trx: Tx,
  user: { id: string; authority_id: string | null },
  stage: Stage,
  now: Date,
): Promise<StartedSession> {
  const userId = user.id;
  const repo = ctx.repo.with(trx);
  const token = newSecret();
  if (stage === 'active') await repo.updateUser(userId, { last_signed_in_at: now });
  const sessionId = await repo.insertSession({
    token_hash: hashSecret(token),
    user_id: userId,
    stage,
    created_at: now,
    last_seen_at: now,
    expires_at: new Date(now.getTime() + ctx.settings.sessionAbsoluteHours * 3_600_000),
  });
  await writeAudit(trx, {
    actor: { type: 'user', id: userId },
    action: stage === 'active' ? 'session.started' : 'session.password-verified',
    recordType: 'session',
    recordId: sessionId,
  });
  return { token, stage, face: faceOf(user) };
}

/** A session part-way through sign-in, at the stage a page expects. */
async function pendingSession(ctx: AccountsContext, sessionId: string, stage: 'mfa' | 'mfa-setup') {
  const session = await ctx.repo.findSessionById(sessionId);
  if (!session || session.revoked_at || session.stage !== stage) {
    throw new DomainError('unauthenticated', 'Sign in again');
  }
  const user = await ctx.repo.findUserById(session.user_id);
  if (!user || user.status !== 'active') throw new DomainError('unauthenticated', 'Sign in again');
  return { session, user };
}

/** Finishes sign-in: a fresh cookie value for the now active session (the old one stops working). */
async function activateSession(
  ctx: AccountsContext,
  trx: Tx,
  sessionId: string,
  user: { id: string; authority_id: string | null },
  now: Date,
): Promise<StartedSession> {
  const userId = user.id;
  const repo = ctx.repo.with(trx);
  const token = newSecret();
  await repo.setSessionToken(sessionId, hashSecret(token), 'active');
  await repo.updateUser(userId, { last_signed_in_at: now });
  await writeAudit(trx, {
    actor: { type: 'user', id: userId },
    action: 'session.started',
    recordType: 'session',
    recordId: sessionId,
  });
  return { token, stage: 'active', face: faceOf(user) };
}

/** The secret being set up for a user, issuing one if none is pending. */
export async function beginTwoFactor(ctx: AccountsContext, user: UserWithRoles): Promise<TwoFactorSetUp> {
  if (user.totp_enabled_at) throw conflict('Two-factor authentication is already turned on');
  let secret = user.totp_secret === null ? null : ctx.totpBox.open(user.id, user.totp_secret);
  if (!secret) {
    secret = newTotpSecret();
    const sealed = ctx.totpBox.seal(user.id, secret);
    await ctx.db.transaction().execute(async (trx) => {
      await ctx.repo.with(trx).updateUser(user.id, { totp_secret: sealed, totp_last_step: null });
      await writeAudit(trx, {
        actor: { type: 'user', id: user.id },
        action: 'user.two-factor-secret-issued',
        recordType: 'user',
        recordId: user.id,
      });
    });
  }
  return {
    secret,
    secretForTyping: formatSecretForTyping(secret),
    qrSvg: await totpQrSvg(totpUri(secret, user.email)),
  };
}

/** Staff without two-factor set up see this after their password: the secret and its QR code. */
export async function twoFactorSetUpAtSignIn(ctx: AccountsContext, sessionId: string): Promise<TwoFactorSetUp> {
  const { user } = await pendingSession(ctx, sessionId, 'mfa-setup');
  return beginTwoFactor(ctx, user);
}

/** Confirms the first code from the new authenticator; the session becomes active. Returns the new cookie value. */
export async function confirmTwoFactorAtSignIn(
  ctx: AccountsContext,
  sessionId: string,
  code: string,
  ip: string,
): Promise<StartedSession> {
  const now = ctx.clock.now();
  const { user } = await pendingSession(ctx, sessionId, 'mfa-setup');
  await checkCode(ctx, user, code, ip, now, sessionId);
  return ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).updateUser(user.id, { totp_enabled_at: now });
    await writeAudit(trx, {
      actor: { type: 'user', id: user.id },
      action: 'user.two-factor-enabled',
      recordType: 'user',
      recordId: user.id,
    });
    return activateSession(ctx, trx, sessionId, user, now);
  });
}

/** Second step of sign-in for users with two-factor turned on. Returns the new cookie value. */
export async function verifyTwoFactorAtSignIn(
  ctx: AccountsContext,
  sessionId: string,
  code: string,
  ip: string,
): Promise<StartedSession> {
  const now = ctx.clock.now();
  const { user } = await pendingSession(ctx, sessionId, 'mfa');
  await checkCode(ctx, user, code, ip, now, sessionId);
  return ctx.db.transaction().execute((trx) => activateSession(ctx, trx, sessionId, user, now));
}

/**
 * Checks a code against the user's secret (pending or enabled), within the sign-in limits. Each
 * code is accepted once: its step is recorded by a conditional update, so the same code sent
 * again, from any browser and even at the same moment, is refused. A wrong code counts as a
 * failed sign-in; when it locks the account, the half-finished session ends too.
 */
export async function checkCode(
  ctx: AccountsContext,
  user: UserWithRoles,
  code: string,
  ip: string,
  now: Date,
  sessionId: string,
) {
  if (!/^\s*\d{6}\s*$/.test(code)) {
    throw invalid([{ field: 'code', message: 'Enter the 6-digit code from your authenticator app' }]);
  }
  const outcome = await limitedCheck(ctx, user, ip, now, async () => {
    const secret = user.totp_secret === null ? null : ctx.totpBox.open(user.id, user.totp_secret);
    if (secret === null) return false;
    const step = await totpStepOf(secret, code, now, user.totp_last_step);
    return step !== null && (await ctx.repo.claimTotpStep(user.id, step));
  });
  if (outcome === 'ok') return;
  if (outcome === 'locked') {
    await ctx.repo.revokeSession(sessionId, now);
    throw lockedOut(ctx);
  }
  throw invalid([{ field: 'code', message: WRONG_CODE }], WRONG_CODE);
}
