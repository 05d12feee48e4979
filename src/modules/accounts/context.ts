import type { Kysely } from 'kysely';
import type { EncryptionKey } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { conflict, forbidden } from '../../platform/errors.ts';
import { AccountsRepository, type SessionWithUser, type UserListRow } from './accounts.repository.ts';
import { SignInLimitsRepository } from './sign-in-limits.repository.ts';
import { can, type Actor, type Role } from './domain.ts';
import { TotpSecretBox } from './totp-secrets.ts';
import { ExpiringCache } from '../../platform/expiring-cache.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

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

export type Stage = 'mfa' | 'mfa-setup' | 'active';

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

export const faceOf = (user: { authority_id: string | null }): 'staff' | 'portal' =>
  user.authority_id === null ? 'staff' : 'portal';

export interface UserPage {
  users: (UserListRow & { roleNames: string[] })[];
  next: string | null;
  previous: string | null;
}

/** What every accounts use case works with: the repository, the clock, the settings, the two-factor key ring and the sessions kept. */
export interface AccountsContext {
  db: Kysely<Database>;
  repo: AccountsRepository;
  limits: SignInLimitsRepository;
  clock: Clock;
  settings: AccountsSettings;
  totpBox: TotpSecretBox;
  /** Signed-in sessions read within `settings.sessionCacheMs`, by token hash. */
  sessionCache: ExpiringCache<SessionWithUser>;
  /** Where invitations and password resets are written, to be sent. */
  mail: Outbox;
}

export function accountsContext(
  db: Kysely<Database>,
  clock: Clock,
  settings: AccountsSettings,
  mail: Outbox,
): AccountsContext {
  const sessionCache = new ExpiringCache<SessionWithUser>(clock, settings.sessionCacheMs ?? 0, 10_000);
  return {
    db,
    // Any write to users, roles or sessions forgets the sessions kept.
    repo: new AccountsRepository(db, () => sessionCache.clear()),
    limits: new SignInLimitsRepository(db),
    clock,
    settings,
    totpBox: new TotpSecretBox(settings.totpKeys),
    sessionCache,
    mail,
  };
}

export async function assertEmailFree(repo: AccountsRepository, email: string, exceptUserId?: string): Promise<void> {
  const existing = await repo.findUserByEmail(email.trim());
  if (existing && existing.id !== exceptUserId) {
    throw conflict('An account with that email address already exists', [
      { field: 'email', message: 'An account with that email address already exists' },
    ]);
  }
}

export async function authorisedAdmin(actor: Actor): Promise<void> {
  if (!can(actor, 'users:manage')) throw forbidden();
}
