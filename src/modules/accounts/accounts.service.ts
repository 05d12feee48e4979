import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR, writeAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, invalid } from '../../platform/errors.ts';
import { AccountsRepository, type UserWithRoles } from './accounts.repository.ts';
import { isAuthorityRole, isRole, isStaffRole, requiresTwoFactor, type Actor, type Role } from './domain.ts';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './passwords.ts';

export interface AccountsSettings {
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  lockoutMinutes: number;
  secret: string;
}

export interface ResolvedSession {
  sessionId: string;
  stage: 'mfa' | 'mfa-setup' | 'active';
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

const WRONG_DETAILS = 'Enter a correct email address and password';
const TOUCH_EVERY_MS = 60_000;

export class AccountsService {
  private readonly repo: AccountsRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly settings: AccountsSettings,
  ) {
    this.repo = new AccountsRepository(db);
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
      if (await repo.findUserByEmail(input.email)) {
        throw conflict('An account with that email address already exists', [
          { field: 'email', message: 'An account with that email address already exists' },
        ]);
      }
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

  private ipHash(ip: string): string {
    return crypto.createHmac('sha256', this.settings.secret).update(`ip:${ip}`).digest('hex');
  }

  /**
   * First step of sign-in. Throttled per account (lockout after repeated failures) and per client
   * address. Returns a new session token and the stage it is at (two-factor still to do, or active).
   */
  async signIn(
    email: string,
    password: string,
    ip: string,
  ): Promise<{ token: string; stage: ResolvedSession['stage'] }> {
    const now = this.clock.now();
    const ipHash = this.ipHash(ip);
    const windowStart = new Date(now.getTime() - this.settings.lockoutMinutes * 60_000);
    const ipFailures = await this.db
      .selectFrom('signin_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ip_hash', '=', ipHash)
      .where('failed_at', '>', windowStart)
      .executeTakeFirstOrThrow();
    if (ipFailures.n >= this.settings.maxFailuresPerIp) throw this.lockedOut();

    const user = await this.repo.findUserByEmail(email.trim());
    if (user?.locked_until && user.locked_until > now) throw this.lockedOut();

    const ok = await verifyPassword(user?.password_hash ?? null, password);
    if (!ok || !user || user.status !== 'active') {
      const lockedNow = await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('signin_failures').values({ ip_hash: ipHash, failed_at: now }).execute();
        if (user) {
          const failures = user.failed_signins + 1;
          const lock = failures >= this.settings.maxFailuresPerAccount;
          await this.repo.with(trx).updateUser(user.id, {
            failed_signins: lock ? 0 : failures,
            locked_until: lock ? new Date(now.getTime() + this.settings.lockoutMinutes * 60_000) : null,
          });
          await writeAudit(trx, {
            actor: { type: 'user', id: user.id },
            action: lock ? 'user.locked-out' : 'user.signin-failed',
            recordType: 'user',
            recordId: user.id,
          });
          return lock;
        }
        return false;
      });
      // Committed above: the failure counts even though this request now fails.
      if (lockedNow) throw this.lockedOut();
      throw invalid([{ field: 'email', message: WRONG_DETAILS }], WRONG_DETAILS);
    }

    const roles = user.roles.filter(isRole);
    const stage: ResolvedSession['stage'] = user.totp_enabled_at
      ? 'mfa'
      : requiresTwoFactor(roles)
        ? 'mfa-setup'
        : 'active';
    const token = newSecret();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      await repo.updateUser(user.id, {
        failed_signins: 0,
        locked_until: null,
        ...(stage === 'active' ? { last_signed_in_at: now } : {}),
      });
      const sessionId = await repo.insertSession({
        token_hash: hashSecret(token),
        user_id: user.id,
        stage,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + this.settings.sessionAbsoluteHours * 3_600_000),
      });
      await writeAudit(trx, {
        actor: { type: 'user', id: user.id },
        action: stage === 'active' ? 'session.started' : 'session.password-verified',
        recordType: 'session',
        recordId: sessionId,
      });
    });
    return { token, stage };
  }

  private lockedOut(): DomainError {
    const message = `You have entered the wrong details too many times. Wait ${this.settings.lockoutMinutes} minutes and try again, or reset your password.`;
    return new DomainError('rate-limited', message, [{ field: 'email', message }]);
  }

  /** Resolves a session cookie to its actor, enforcing the idle and absolute timeouts. */
  async resolveSession(token: string): Promise<ResolvedSession | null> {
    const session = await this.repo.findSessionByTokenHash(hashSecret(token));
    if (!session) return null;
    const now = this.clock.now();
    const idleLimit = session.last_seen_at.getTime() + this.settings.sessionIdleMinutes * 60_000;
    if (session.expires_at <= now || idleLimit <= now.getTime()) {
      await this.repo.revokeSession(session.id, now);
      return null;
    }
    const user = await this.repo.findUserById(session.user_id);
    if (!user || user.status !== 'active') return null;
    if (now.getTime() - session.last_seen_at.getTime() > TOUCH_EVERY_MS) await this.repo.touchSession(session.id, now);
    return {
      sessionId: session.id,
      stage: session.stage,
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

  findUserById(id: string): Promise<UserWithRoles | undefined> {
    return this.repo.findUserById(id);
  }
}

export function toActor(user: UserWithRoles): Actor {
  return { type: 'user', id: user.id, roles: user.roles.filter(isRole), authorityId: user.authority_id };
}
