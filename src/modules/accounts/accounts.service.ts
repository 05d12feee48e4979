import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EncryptionKey } from '../../config.ts';
import { SYSTEM_ACTOR, writeAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { enqueueMail } from '../../platform/mail/outbox.ts';
import { invitationMail, passwordResetMail } from './accounts.mail.ts';
import {
  type SessionWithUser,
  AccountsRepository,
  type LinkPurpose,
  type UserListRow,
  type UserWithRoles,
} from './accounts.repository.ts';
import {
  ROLE_NAMES,
  auditActor,
  can,
  encodeCursor,
  formatSecretForTyping,
  isAuthorityRole,
  isRole,
  isStaffRole,
  linkState,
  newPasswordProblem,
  requiresTwoFactor,
  rolesForAccount,
  type Actor,
  type LinkState,
  type Role,
  type UserCursor,
} from './domain.ts';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './passwords.ts';
import { TotpSecretBox, encryptTotpSecrets, type SecretsEncrypted } from './totp-secrets.ts';
import { newTotpSecret, totpQrSvg, totpStepOf, totpUri } from './two-factor.ts';

export interface AccountsSettings {
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  lockoutMinutes: number;
  secret: string;
  /** Where links in emails point, without a trailing slash. */
  baseUrl: string;
  invitationTtlHours: number;
  passwordResetTtlMinutes: number;
  /** Keys for two-factor secrets at rest, the newest first (TOTP_ENCRYPTION_KEYS). */
  totpKeys: readonly EncryptionKey[];
  /**
   * How long a signed-in session, once read, is trusted without reading it again (0: every request
   * reads it). Any change to users, roles or sessions made through this process forgets them all at
   * once; a change made by another process is seen within this time.
   */
  sessionCacheMs?: number;
}

type Stage = 'mfa' | 'mfa-setup' | 'active';

export interface ResolvedSession {
  sessionId: string;
  stage: Stage;
  actor: Actor;
  user: { id: string; displayName: string; authorityId: string | null; authorityName: string | null };
}

export interface NewUser {
  email: string;
  displayName: string;
  roles: readonly Role[];
  authorityId: string | null;
  password?: string;
}

export interface Invitation {
  email: string;
  displayName: string;
  roles: readonly string[];
  authorityId: string | null;
}

export interface TwoFactorSetUp {
  secret: string;
  secretForTyping: string;
  qrSvg: string;
}

/** A started session: the cookie value, the stage sign-in is at, and which face is home. */
export interface StartedSession {
  token: string;
  stage: Stage;
  face: 'staff' | 'portal';
}

const faceOf = (user: { authority_id: string | null }): 'staff' | 'portal' =>
  user.authority_id === null ? 'staff' : 'portal';

export interface UserPage {
  users: (UserListRow & { roleNames: string[] })[];
  next: string | null;
  previous: string | null;
}

const WRONG_DETAILS = 'Enter a correct email address and password';
const WRONG_CODE = 'Enter the 6-digit code shown in your authenticator app';
const TOUCH_EVERY_MS = 60_000;
const PAGE_SIZE = 50;
/** At most this many reset emails per account within one link lifetime. */
const MAX_RESETS_PER_WINDOW = 3;
const FIRST_ADMIN_EMAIL = 'first-administrator@set-up.invalid';

/** What a check of a password or code under the sign-in limits came to. */
type CheckOutcome = 'ok' | 'wrong' | 'locked';

export class AccountsService {
  private readonly repo: AccountsRepository;
  private readonly totpBox: TotpSecretBox;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly settings: AccountsSettings,
  ) {
    this.repo = new AccountsRepository(db, () => this.forgetSessions());
    this.totpBox = new TotpSecretBox(settings.totpKeys);
  }

  /**
   * Housekeeping (hourly, on the workers): deletes sessions and links a day after they ended, and an
   * address's count of sign-in attempts once its window has closed, so none is kept longer than it
   * serves sign-in.
   */
  sweep(): Promise<{ sessions: number; links: number; addresses: number }> {
    const now = this.clock.now().getTime();
    return this.repo.sweep(new Date(now - 24 * 3_600_000), new Date(now - this.settings.lockoutMinutes * 60_000));
  }

  /**
   * Encrypts two-factor secrets still stored in plain text, and re-encrypts those under an older
   * key with the newest. Run at start-up; does nothing when every secret is already current.
   */
  encryptTotpSecrets(): Promise<SecretsEncrypted> {
    return encryptTotpSecrets(this.db, this.totpBox);
  }

  /** Turns two-factor on with a known secret (demo data, tests): stored encrypted, as set-up would. */
  async turnOnTwoFactor(userId: string, secret: string): Promise<void> {
    await this.repo.updateUser(userId, {
      totp_secret: this.totpBox.seal(userId, secret),
      totp_enabled_at: this.clock.now(),
      totp_last_step: null,
    });
  }

  /** Checks a role set fits the account: staff roles without an authority, authority roles with one. */
  static validateRoles(roles: readonly string[], authorityId: string | null): Role[] {
    if (roles.length === 0) throw invalid([{ field: 'roles', message: 'Select at least one role' }]);
    const unknown = roles.filter((r) => !isRole(r));
    if (unknown.length > 0) throw invalid([{ field: 'roles', message: `Unknown role: ${unknown.join(', ')}` }]);
    const valid = roles as Role[];
    if (authorityId === null && valid.some(isAuthorityRole)) {
      throw invalid([{ field: 'roles', message: 'Authority roles need an authority' }]);
    }
    if (authorityId !== null && valid.some(isStaffRole)) {
      throw invalid([{ field: 'roles', message: 'Ombudsman staff roles cannot belong to an authority' }]);
    }
    return valid;
  }

  /** Creates an account directly (demo data, command line). Invitations go through invite(). */
  async createUser(input: NewUser, by: AuditActor = SYSTEM_ACTOR): Promise<string> {
    const roles = AccountsService.validateRoles(input.roles, input.authorityId);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      await this.assertEmailFree(repo, input.email);
      const user = await repo.insertUser(
        {
          email: input.email.trim(),
          display_name: input.displayName.trim(),
          authority_id: input.authorityId,
          password_hash: passwordHash,
          status: passwordHash ? 'active' : 'invited',
        },
        roles,
      );
      await writeAudit(trx, {
        actor: by,
        action: 'user.created',
        recordType: 'user',
        recordId: user.id,
        authorityId: input.authorityId,
      });
      return user.id;
    });
  }

  private async assertEmailFree(repo: AccountsRepository, email: string, exceptUserId?: string): Promise<void> {
    const existing = await repo.findUserByEmail(email.trim());
    if (existing && existing.id !== exceptUserId) {
      throw conflict('An account with that email address already exists', [
        { field: 'email', message: 'An account with that email address already exists' },
      ]);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sign-in, throttling and two-factor authentication

  private ipHash(ip: string): string {
    return crypto.createHmac('sha256', this.settings.secret).update(`ip:${ip}`).digest('hex');
  }

  /**
   * Reserves one sign-in attempt for a client address, atomically: false (nothing reserved) once
   * the address has used its attempts within the window. Reserved before the password or code is
   * checked, so concurrent attempts cannot all be checked; a success gives its attempt back.
   */
  private reserveAddressAttempt(ipHash: string, now: Date): Promise<boolean> {
    const windowStart = new Date(now.getTime() - this.settings.lockoutMinutes * 60_000);
    return this.repo.reserveAddressAttempt(ipHash, now, windowStart, this.settings.maxFailuresPerIp);
  }

  private releaseAddressAttempt(ipHash: string): Promise<void> {
    return this.repo.releaseAddressAttempt(ipHash);
  }

  /**
   * Reserves one attempt against an account in one statement: counts it and, when it reaches the
   * limit, locks the account. Null (nothing reserved, nothing to check) while the account is locked.
   * Once a lock has run out, counting starts again. A failure keeps its attempt and never unlocks.
   */
  private reserveAccountAttempt(userId: string, now: Date): Promise<{ locks: boolean } | null> {
    const lockEnd = new Date(now.getTime() + this.settings.lockoutMinutes * 60_000);
    return this.repo.reserveAccountAttempt(userId, now, this.settings.maxFailuresPerAccount, lockEnd);
  }

  /**
   * Checks something only the user knows (a password or a code) within the limits per address and
   * per account: the attempt is reserved first and the check runs only when it was. A success
   * clears the account's count; a failure is audited. `locked` when refused without a check, or
   * when this failure locked the account.
   */
  private async limitedCheck(
    user: UserWithRoles | undefined,
    ip: string,
    now: Date,
    check: () => Promise<boolean>,
  ): Promise<CheckOutcome> {
    const ipHash = this.ipHash(ip);
    if (!(await this.reserveAddressAttempt(ipHash, now))) return 'locked';
    let reserved: { locks: boolean } | null = null;
    if (user) {
      reserved = await this.reserveAccountAttempt(user.id, now);
      if (!reserved) {
        await this.releaseAddressAttempt(ipHash);
        return 'locked';
      }
    }
    const ok = await check();
    if (ok && user) {
      await this.repo.updateUser(user.id, { failed_signins: 0, locked_until: null });
      await this.releaseAddressAttempt(ipHash);
      return 'ok';
    }
    if (!user || !reserved) return 'wrong';
    await writeAudit(this.db, {
      actor: { type: 'user', id: user.id },
      action: reserved.locks ? 'user.locked-out' : 'user.signin-failed',
      recordType: 'user',
      recordId: user.id,
    });
    return reserved.locks ? 'locked' : 'wrong';
  }

  /**
   * First step of sign-in. Throttled per account (lockout after repeated failures) and per client
   * address. Returns a new session token and the stage it is at (two-factor still to do, or active).
   * `replacing` is the session the browser had until now: it ends when the new one starts.
   */
  async signIn(email: string, password: string, ip: string, replacing: string | null = null): Promise<StartedSession> {
    const now = this.clock.now();
    const user = await this.repo.findUserByEmail(email.trim());
    const outcome = await this.limitedCheck(
      user,
      ip,
      now,
      async () => (await verifyPassword(user?.password_hash ?? null, password)) && user?.status === 'active',
    );
    if (outcome === 'locked') throw this.lockedOut();
    if (outcome === 'wrong' || !user) throw invalid([{ field: 'email', message: WRONG_DETAILS }], WRONG_DETAILS);

    const stage: Stage = user.totp_enabled_at
      ? 'mfa'
      : requiresTwoFactor(user.roles.filter(isRole))
        ? 'mfa-setup'
        : 'active';
    return this.db.transaction().execute(async (trx) => {
      await this.endReplacedSession(trx, replacing, now);
      return this.startSession(trx, user, stage, now);
    });
  }

  /** Ends the session a browser had before signing in again (any stage, anyone's). */
  private async endReplacedSession(trx: Tx, sessionId: string | null, now: Date): Promise<void> {
    if (!sessionId) return;
    const ended = await this.repo.with(trx).revokeLiveSession(sessionId, now);
    if (!ended) return;
    await writeAudit(trx, {
      actor: { type: 'user', id: ended.user_id },
      action: 'session.replaced',
      recordType: 'session',
      recordId: sessionId,
    });
  }

  /** Creates a session row at a stage and returns its cookie value. Call inside a transaction. */
  private async startSession(
    trx: Tx,
    user: { id: string; authority_id: string | null },
    stage: Stage,
    now: Date,
  ): Promise<StartedSession> {
    const userId = user.id;
    const repo = this.repo.with(trx);
    const token = newSecret();
    if (stage === 'active') await repo.updateUser(userId, { last_signed_in_at: now });
    const sessionId = await repo.insertSession({
      token_hash: hashSecret(token),
      user_id: userId,
      stage,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + this.settings.sessionAbsoluteHours * 3_600_000),
    });
    await writeAudit(trx, {
      actor: { type: 'user', id: userId },
      action: stage === 'active' ? 'session.started' : 'session.password-verified',
      recordType: 'session',
      recordId: sessionId,
    });
    return { token, stage, face: faceOf(user) };
  }

  private lockedOut(field = 'email'): DomainError {
    const message = `You have entered the wrong details too many times. Wait ${this.settings.lockoutMinutes} minutes and try again, or reset your password.`;
    return new DomainError('rate-limited', message, [{ field, message }]);
  }

  /** A session part-way through sign-in, at the stage a page expects. */
  private async pendingSession(sessionId: string, stage: 'mfa' | 'mfa-setup') {
    const session = await this.repo.findSessionById(sessionId);
    if (!session || session.revoked_at || session.stage !== stage) {
      throw new DomainError('unauthenticated', 'Sign in again');
    }
    const user = await this.repo.findUserById(session.user_id);
    if (!user || user.status !== 'active') throw new DomainError('unauthenticated', 'Sign in again');
    return { session, user };
  }

  /** Finishes sign-in: a fresh cookie value for the now active session (the old one stops working). */
  private async activateSession(
    trx: Tx,
    sessionId: string,
    user: { id: string; authority_id: string | null },
    now: Date,
  ): Promise<StartedSession> {
    const userId = user.id;
    const repo = this.repo.with(trx);
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
  private async beginTwoFactor(user: UserWithRoles): Promise<TwoFactorSetUp> {
    if (user.totp_enabled_at) throw conflict('Two-factor authentication is already turned on');
    let secret = user.totp_secret === null ? null : this.totpBox.open(user.id, user.totp_secret);
    if (!secret) {
      secret = newTotpSecret();
      const sealed = this.totpBox.seal(user.id, secret);
      await this.db.transaction().execute(async (trx) => {
        await this.repo.with(trx).updateUser(user.id, { totp_secret: sealed, totp_last_step: null });
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
  async twoFactorSetUpAtSignIn(sessionId: string): Promise<TwoFactorSetUp> {
    const { user } = await this.pendingSession(sessionId, 'mfa-setup');
    return this.beginTwoFactor(user);
  }

  /** Confirms the first code from the new authenticator; the session becomes active. Returns the new cookie value. */
  async confirmTwoFactorAtSignIn(sessionId: string, code: string, ip: string): Promise<StartedSession> {
    const now = this.clock.now();
    const { user } = await this.pendingSession(sessionId, 'mfa-setup');
    await this.checkCode(user, code, ip, now, sessionId);
    return this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).updateUser(user.id, { totp_enabled_at: now });
      await writeAudit(trx, {
        actor: { type: 'user', id: user.id },
        action: 'user.two-factor-enabled',
        recordType: 'user',
        recordId: user.id,
      });
      return this.activateSession(trx, sessionId, user, now);
    });
  }

  /** Second step of sign-in for users with two-factor turned on. Returns the new cookie value. */
  async verifyTwoFactorAtSignIn(sessionId: string, code: string, ip: string): Promise<StartedSession> {
    const now = this.clock.now();
    const { user } = await this.pendingSession(sessionId, 'mfa');
    await this.checkCode(user, code, ip, now, sessionId);
    return this.db.transaction().execute((trx) => this.activateSession(trx, sessionId, user, now));
  }

  /**
   * Checks a code against the user's secret (pending or enabled), within the sign-in limits. Each
   * code is accepted once: its step is recorded by a conditional update, so the same code sent
   * again, from any browser and even at the same moment, is refused. A wrong code counts as a
   * failed sign-in; when it locks the account, the half-finished session ends too.
   */
  private async checkCode(user: UserWithRoles, code: string, ip: string, now: Date, sessionId: string) {
    if (!/^\s*\d{6}\s*$/.test(code)) {
      throw invalid([{ field: 'code', message: 'Enter the 6-digit code from your authenticator app' }]);
    }
    const outcome = await this.limitedCheck(user, ip, now, async () => {
      const secret = user.totp_secret === null ? null : this.totpBox.open(user.id, user.totp_secret);
      if (secret === null) return false;
      const step = await totpStepOf(secret, code, now, user.totp_last_step);
      return step !== null && (await this.repo.claimTotpStep(user.id, step));
    });
    if (outcome === 'ok') return;
    if (outcome === 'locked') {
      await this.repo.revokeSession(sessionId, now);
      throw this.lockedOut();
    }
    throw invalid([{ field: 'code', message: WRONG_CODE }], WRONG_CODE);
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions

  /** Resolves a session cookie to its actor, enforcing the idle and absolute timeouts. */
  private readonly sessionCache = new Map<string, { at: number; found: SessionWithUser }>();

  /** Forgets every cached session: the next request of each reads its session again. */
  forgetSessions(): void {
    this.sessionCache.clear();
  }

  private async findSession(tokenHash: string, now: number): Promise<SessionWithUser | undefined> {
    const ttl = this.settings.sessionCacheMs ?? 0;
    const cached = ttl > 0 ? this.sessionCache.get(tokenHash) : undefined;
    if (cached && now - cached.at < ttl) return cached.found;
    const found = await this.repo.findSessionWithUser(tokenHash);
    // Only fully signed-in sessions of active accounts are kept; the cache is bounded.
    if (ttl > 0 && found?.session_stage === 'active' && found.status === 'active') {
      if (this.sessionCache.size >= 10_000) this.sessionCache.clear();
      this.sessionCache.set(tokenHash, { at: now, found });
    } else this.sessionCache.delete(tokenHash);
    return found;
  }

  /** Resolves a session cookie to its actor, enforcing the idle and absolute timeouts. */
  async resolveSession(token: string): Promise<ResolvedSession | null> {
    const tokenHash = hashSecret(token);
    const found = await this.findSession(tokenHash, this.clock.now().getTime());
    if (!found) return null;
    const { session_id: sessionId, session_stage: stage, session_last_seen_at: lastSeen, ...user } = found;
    const now = this.clock.now();
    const idleLimit = lastSeen.getTime() + this.settings.sessionIdleMinutes * 60_000;
    if (found.session_expires_at <= now || idleLimit <= now.getTime()) {
      await this.repo.revokeSession(sessionId, now);
      return null;
    }
    if (user.status !== 'active') return null;
    if (now.getTime() - lastSeen.getTime() > TOUCH_EVERY_MS) {
      await this.repo.touchSession(sessionId, now);
      found.session_last_seen_at = now;
    }
    return {
      sessionId,
      stage,
      actor: toActor(user),
      user: {
        id: user.id,
        displayName: user.display_name,
        authorityId: user.authority_id,
        authorityName: user.authority_name,
      },
    };
  }

  async signOut(sessionId: string, actorUserId: string | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).revokeSession(sessionId, this.clock.now());
      await writeAudit(trx, {
        actor: { type: 'user', id: actorUserId },
        action: 'session.ended',
        recordType: 'session',
        recordId: sessionId,
      });
    });
  }

  /** Ends every session of the actor, this one included. Returns how many ended. */
  async signOutEverywhere(actor: Actor): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const n = await this.repo.with(trx).revokeAllSessions(actor.id, this.clock.now());
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'session.revoked-all',
        recordType: 'user',
        recordId: actor.id,
        authorityId: actor.authorityId,
        requestId: actor.requestId ?? null,
      });
      return n;
    });
  }

  findUserById(id: string): Promise<UserWithRoles | undefined> {
    return this.repo.findUserById(id);
  }

  // ---------------------------------------------------------------------------------------------
  // Your account

  async account(actor: Actor) {
    const user = await this.repo.findUserById(actor.id);
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
  async changePassword(actor: Actor, sessionId: string, current: string, next: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const user = await this.repo.findUserById(actor.id);
    if (!user) throw notFound('Your account');
    const outcome = await this.limitedCheck(user, ip, now, () => verifyPassword(user.password_hash, current));
    if (outcome === 'locked') throw this.lockedOut('currentPassword');
    if (outcome === 'wrong') {
      throw invalid([{ field: 'currentPassword', message: 'Your current password is not correct' }]);
    }
    const problem = newPasswordProblem(next, user.email);
    if (problem) throw invalid([{ field: 'password', message: problem }]);
    const passwordHash = await hashPassword(next);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
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
  async twoFactorSetUpForAccount(actor: Actor): Promise<TwoFactorSetUp> {
    const user = await this.repo.findUserById(actor.id);
    if (!user) throw notFound('Your account');
    return this.beginTwoFactor(user);
  }

  async confirmTwoFactorForAccount(actor: Actor, sessionId: string, code: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const user = await this.repo.findUserById(actor.id);
    if (!user) throw notFound('Your account');
    if (user.totp_enabled_at) throw conflict('Two-factor authentication is already turned on');
    await this.checkCode(user, code, ip, now, sessionId);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).updateUser(user.id, { totp_enabled_at: now });
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
  async disableTwoFactor(actor: Actor, password: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const user = await this.repo.findUserById(actor.id);
    if (!user) throw notFound('Your account');
    if (requiresTwoFactor(user.roles.filter(isRole))) {
      throw forbidden('Ombudsman staff must use two-factor authentication');
    }
    if (!user.totp_enabled_at) throw conflict('Two-factor authentication is already turned off');
    const outcome = await this.limitedCheck(user, ip, now, () => verifyPassword(user.password_hash, password));
    if (outcome === 'locked') throw this.lockedOut('password');
    if (outcome === 'wrong') throw invalid([{ field: 'password', message: 'Your password is not correct' }]);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).updateUser(user.id, { totp_secret: null, totp_enabled_at: null, totp_last_step: null });
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

  // ---------------------------------------------------------------------------------------------
  // One-time links: invitations, password resets, the first administrator

  private link(path: string, token: string): string {
    return `${this.settings.baseUrl}/${path}/${token}`;
  }

  private async issueLink(trx: Tx, userId: string, purpose: LinkPurpose, ttlMs: number, now: Date) {
    const token = newSecret();
    const tokenHash = hashSecret(token);
    await this.repo.with(trx).insertOneTimeToken({
      token_hash: tokenHash,
      user_id: userId,
      purpose,
      expires_at: new Date(now.getTime() + ttlMs),
      created_at: now,
    });
    return { token, tokenId: tokenHash.slice(0, 32) };
  }

  /** What opening a link would find: valid (with the account's email), used, expired or unknown. */
  async checkLink(token: string, purpose: LinkPurpose): Promise<{ state: LinkState; email: string | null }> {
    const row = await this.repo.findOneTimeToken(hashSecret(token), purpose);
    let state = linkState(row, this.clock.now());
    const user = row ? await this.repo.findUserById(row.user_id) : undefined;
    const expectedStatus = purpose === 'password-reset' ? 'active' : 'invited';
    if (state === 'valid' && user?.status !== expectedStatus) state = 'used';
    const showEmail = state === 'valid' && purpose !== 'first-administrator';
    return { state, email: showEmail && user ? user.email : null };
  }

  /** Takes a link for use inside a transaction, or throws a `gone` error saying why it cannot be. */
  private async takeLink(trx: Tx, token: string, purpose: LinkPurpose, now: Date): Promise<UserWithRoles> {
    const repo = this.repo.with(trx);
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

  private async authorisedAdmin(actor: Actor): Promise<void> {
    if (!can(actor, 'users:manage')) throw forbidden();
  }

  /** Invites a new user by email. Returns the new user's id. */
  async invite(actor: Actor, input: Invitation): Promise<string> {
    await this.authorisedAdmin(actor);
    if (input.authorityId === null && input.roles.some((r) => isRole(r) && isAuthorityRole(r))) {
      throw invalid([{ field: 'authorityId', message: 'Select the authority this person works for' }]);
    }
    const roles = AccountsService.validateRoles(input.roles, input.authorityId);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      if (input.authorityId && !(await repo.findAuthority(input.authorityId))) {
        throw invalid([{ field: 'authorityId', message: 'Select an authority from the list' }]);
      }
      await this.assertEmailFree(repo, input.email);
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
      await this.sendInvitation(trx, user.id, user.email, user.display_name, now);
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

  private async sendInvitation(trx: Tx, userId: string, email: string, displayName: string, now: Date) {
    const ttlHours = this.settings.invitationTtlHours;
    await this.repo.with(trx).useAllOneTimeTokens(userId, ['invitation'], now);
    const { token, tokenId } = await this.issueLink(trx, userId, 'invitation', ttlHours * 3_600_000, now);
    await enqueueMail(
      trx,
      invitationMail({ to: email, displayName, link: this.link('invitation', token), ttlHours, tokenId }),
    );
  }

  /** Sends a fresh invitation to someone who has not yet accepted; earlier links stop working. */
  async resendInvitation(actor: Actor, userId: string): Promise<void> {
    await this.authorisedAdmin(actor);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const user = await this.repo.with(trx).findUserById(userId);
      if (!user) throw notFound('The user');
      if (user.status !== 'invited') throw conflict('Only people who have not yet accepted can be invited again');
      await this.sendInvitation(trx, user.id, user.email, user.display_name, now);
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

  /** The invitee chooses a password; the account becomes active and they are signed in (two-factor next, for staff). */
  async acceptInvitation(token: string, password: string, replacing: string | null = null): Promise<StartedSession> {
    const now = this.clock.now();
    const checked = await this.checkLink(token, 'invitation');
    if (checked.state === 'valid' && checked.email) {
      const problem = newPasswordProblem(password, checked.email);
      if (problem) throw invalid([{ field: 'password', message: problem }]);
    }
    const passwordHash = await hashPassword(password);
    return this.db.transaction().execute(async (trx) => {
      const user = await this.takeLink(trx, token, 'invitation', now);
      await this.repo.with(trx).updateUser(user.id, { password_hash: passwordHash, status: 'active' });
      await writeAudit(trx, {
        actor: { type: 'user', id: user.id },
        action: 'user.invitation-accepted',
        recordType: 'user',
        recordId: user.id,
        authorityId: user.authority_id,
      });
      const stage = requiresTwoFactor(user.roles.filter(isRole)) ? 'mfa-setup' : 'active';
      await this.endReplacedSession(trx, replacing, now);
      return this.startSession(trx, user, stage, now);
    });
  }

  /**
   * Emails a reset link when the address belongs to an active account. Says nothing either way, so
   * the page cannot reveal which addresses have accounts.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const now = this.clock.now();
    const ttlMinutes = this.settings.passwordResetTtlMinutes;
    const user = await this.repo.findUserByEmail(email.trim());
    if (!user || user.status !== 'active') return;
    const since = new Date(now.getTime() - ttlMinutes * 60_000);
    if ((await this.repo.countRecentTokens(user.id, 'password-reset', since)) >= MAX_RESETS_PER_WINDOW) return;
    await this.db.transaction().execute(async (trx) => {
      const { token, tokenId } = await this.issueLink(trx, user.id, 'password-reset', ttlMinutes * 60_000, now);
      await enqueueMail(
        trx,
        passwordResetMail({
          to: user.email,
          displayName: user.display_name,
          link: this.link('password-reset', token),
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
  async resetPassword(token: string, password: string): Promise<void> {
    const now = this.clock.now();
    const checked = await this.checkLink(token, 'password-reset');
    if (checked.state === 'valid' && checked.email) {
      const problem = newPasswordProblem(password, checked.email);
      if (problem) throw invalid([{ field: 'password', message: problem }]);
    }
    const passwordHash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      const user = await this.takeLink(trx, token, 'password-reset', now);
      const repo = this.repo.with(trx);
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
  async firstAdministratorLink(): Promise<string | null> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
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
      const { token } = await this.issueLink(
        trx,
        placeholder.id,
        'first-administrator',
        this.settings.invitationTtlHours * 3_600_000,
        now,
      );
      await writeAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: 'user.first-administrator-link-issued',
        recordType: 'user',
        recordId: placeholder.id,
      });
      return this.link('set-up', token);
    });
  }

  /** The first administrator claims the placeholder with their own details, then sets up two-factor. */
  async completeFirstAdministrator(
    token: string,
    input: { email: string; displayName: string; password: string },
    replacing: string | null = null,
  ): Promise<StartedSession> {
    const now = this.clock.now();
    const problem = newPasswordProblem(input.password, input.email);
    if (problem) throw invalid([{ field: 'password', message: problem }]);
    const passwordHash = await hashPassword(input.password);
    return this.db.transaction().execute(async (trx) => {
      const user = await this.takeLink(trx, token, 'first-administrator', now);
      const repo = this.repo.with(trx);
      if ((await repo.countActiveAdministrators()) > 0) {
        throw new DomainError('gone', 'An administrator has already been set up.');
      }
      await this.assertEmailFree(repo, input.email, user.id);
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
      await this.endReplacedSession(trx, replacing, now);
      return this.startSession(trx, user, 'mfa-setup', now);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Administration of users

  /** One page of users, 50 at a time, by name; filtered by role and by text in name or email. */
  async listUsers(
    actor: Actor,
    query: {
      role?: string | undefined;
      text?: string | undefined;
      after?: UserCursor | null;
      before?: UserCursor | null;
    },
  ): Promise<UserPage> {
    await this.authorisedAdmin(actor);
    const backwards = !query.after && !!query.before;
    const rows = await this.repo.listUsers({
      role: query.role,
      text: query.text?.trim() || undefined,
      after: backwards ? null : (query.after ?? null),
      before: backwards ? (query.before ?? null) : null,
      limit: PAGE_SIZE,
    });
    const more = rows.length > PAGE_SIZE;
    const page = rows.slice(0, PAGE_SIZE);
    if (backwards) page.reverse();
    const first = page[0];
    const last = page[page.length - 1];
    const cursorOf = (r: UserListRow) => encodeCursor({ name: r.sort_name, id: r.id });
    const hasNext = backwards ? true : more;
    const hasPrevious = backwards ? more : !!query.after;
    return {
      users: page.map((u) => ({ ...u, roleNames: u.roles.filter(isRole).map((r) => ROLE_NAMES[r]) })),
      next: hasNext && last ? cursorOf(last) : null,
      previous: hasPrevious && first ? cursorOf(first) : null,
    };
  }

  /** One user as an administrator sees them, with the roles their account can hold. */
  async userForAdmin(actor: Actor, userId: string) {
    await this.authorisedAdmin(actor);
    const user = await this.repo.findUserById(userId);
    if (!user) throw notFound('The user');
    const roles = user.roles.filter(isRole);
    return {
      id: user.id,
      email: user.email,
      displayName: user.display_name,
      status: user.status,
      authorityName: user.authority_name,
      roles,
      roleNames: roles.map((r) => ROLE_NAMES[r]),
      assignableRoles: rolesForAccount(user.authority_id).map((r) => ({ value: r, text: ROLE_NAMES[r] })),
      twoFactorEnabled: user.totp_enabled_at !== null,
      lockedUntil: user.locked_until && user.locked_until > this.clock.now() ? user.locked_until : null,
      lastSignedInAt: user.last_signed_in_at,
      isSelf: user.id === actor.id,
    };
  }

  /** An active account must not lose the last administrator. */
  private async assertAnotherAdministrator(repo: AccountsRepository, user: UserWithRoles): Promise<void> {
    if (user.status === 'active' && user.roles.includes('administrator')) {
      if ((await repo.countActiveAdministrators(user.id)) === 0) {
        throw conflict('Liaison must keep at least one active administrator', [
          { field: 'roles', message: 'Liaison must keep at least one active administrator' },
        ]);
      }
    }
  }

  async changeRoles(actor: Actor, userId: string, roles: readonly string[]): Promise<void> {
    await this.authorisedAdmin(actor);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const user = await repo.findUserById(userId);
      if (!user) throw notFound('The user');
      const valid = AccountsService.validateRoles(roles, user.authority_id);
      if (!valid.includes('administrator')) await this.assertAnotherAdministrator(repo, user);
      await repo.setRoles(user.id, valid);
      await repo.updateUser(user.id, {});
      // Someone who now needs two-factor but has not set it up must sign in again to do so.
      if (requiresTwoFactor(valid) && !user.totp_enabled_at) await repo.revokeAllSessions(user.id, now);
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'user.roles-changed',
        recordType: 'user',
        recordId: user.id,
        authorityId: user.authority_id,
        requestId: actor.requestId ?? null,
      });
    });
  }

  /** Deactivated users cannot sign in; their sessions and unused links end at once. */
  async deactivate(actor: Actor, userId: string): Promise<void> {
    await this.authorisedAdmin(actor);
    if (userId === actor.id) throw conflict('You cannot deactivate your own account');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const user = await repo.findUserById(userId);
      if (!user) throw notFound('The user');
      if (user.status === 'deactivated') return;
      await this.assertAnotherAdministrator(repo, user);
      await repo.updateUser(user.id, { status: 'deactivated' });
      await repo.revokeAllSessions(user.id, now);
      await repo.useAllOneTimeTokens(user.id, ['invitation', 'password-reset', 'first-administrator'], now);
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'user.deactivated',
        recordType: 'user',
        recordId: user.id,
        authorityId: user.authority_id,
        requestId: actor.requestId ?? null,
      });
    });
  }

  /** Lets a deactivated user back in: active if they had a password, otherwise invited again (resend the invitation). */
  async reactivate(actor: Actor, userId: string): Promise<void> {
    await this.authorisedAdmin(actor);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const user = await repo.findUserById(userId);
      if (!user) throw notFound('The user');
      if (user.status !== 'deactivated') return;
      await repo.updateUser(user.id, {
        status: user.password_hash ? 'active' : 'invited',
        failed_signins: 0,
        locked_until: null,
      });
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'user.reactivated',
        recordType: 'user',
        recordId: user.id,
        authorityId: user.authority_id,
        requestId: actor.requestId ?? null,
      });
    });
  }

  /** For a lost phone: clears the user's two-factor set-up and ends their sessions. */
  async resetTwoFactor(actor: Actor, userId: string): Promise<void> {
    await this.authorisedAdmin(actor);
    if (userId === actor.id) throw conflict('Ask another administrator to reset your two-factor authentication');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const user = await repo.findUserById(userId);
      if (!user) throw notFound('The user');
      await repo.updateUser(user.id, { totp_secret: null, totp_enabled_at: null, totp_last_step: null });
      await repo.revokeAllSessions(user.id, now);
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'user.two-factor-reset',
        recordType: 'user',
        recordId: user.id,
        authorityId: user.authority_id,
        requestId: actor.requestId ?? null,
      });
    });
  }
}

export function toActor(user: UserWithRoles): Actor {
  return { type: 'user', id: user.id, roles: user.roles.filter(isRole), authorityId: user.authority_id };
}
