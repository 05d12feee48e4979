import type { Kysely } from 'kysely';
import type { AuditActor } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { LinkPurpose, UserWithRoles } from './accounts.repository.ts';
import {
  accountsContext,
  type AccountsContext,
  type AccountsSettings,
  type Invitation,
  type NewUser,
} from './context.ts';
import type { Actor, UserCursor } from './domain.ts';
import * as links from './links.ts';
import * as sessions from './sessions.ts';
import * as signIn from './sign-in.ts';
import { encryptTotpSecrets, type SecretsEncrypted } from './totp-secrets.ts';
import * as users from './users-admin.ts';
import * as yourAccount from './your-account.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export type {
  AccountsSettings,
  Invitation,
  NewUser,
  ResolvedSession,
  StartedSession,
  TwoFactorSetUp,
  UserPage,
} from './context.ts';
export { toActor } from './sessions.ts';

/**
 * Accounts: sign-in with its limits and two-factor authentication, sessions, your account, one-time
 * links (invitations, password resets, the first administrator) and the administration of users.
 * Each use case is in its own file; this class is their one door.
 */
export class AccountsService {
  private readonly ctx: AccountsContext;

  constructor(db: Kysely<Database>, clock: Clock, settings: AccountsSettings, mail: Outbox) {
    this.ctx = accountsContext(db, clock, settings, mail);
  }

  /**
   * Housekeeping (hourly, on the workers): deletes sessions and links a day after they ended, and an
   * address's count of sign-in attempts once its window has closed, so none is kept longer than it
   * serves sign-in.
   */
  sweep(): Promise<{ sessions: number; links: number; addresses: number }> {
    const now = this.ctx.clock.now().getTime();
    return this.ctx.repo.sweep(
      new Date(now - 24 * 3_600_000),
      new Date(now - this.ctx.settings.lockoutMinutes * 60_000),
    );
  }

  /**
   * Encrypts two-factor secrets still stored in plain text, and re-encrypts those under an older
   * key with the newest. Run at start-up; does nothing when every secret is already current.
   */
  encryptTotpSecrets(): Promise<SecretsEncrypted> {
    return encryptTotpSecrets(this.ctx.db, this.ctx.totpBox);
  }

  findUserById(id: string): Promise<UserWithRoles | undefined> {
    return this.ctx.repo.findUserById(id);
  }

  // Sign-in and two-factor authentication at sign-in.
  signIn = (email: string, password: string, ip: string, replacing: string | null = null) =>
    signIn.signIn(this.ctx, email, password, ip, replacing);
  twoFactorSetUpAtSignIn = (sessionId: string) => signIn.twoFactorSetUpAtSignIn(this.ctx, sessionId);
  confirmTwoFactorAtSignIn = (sessionId: string, code: string, ip: string) =>
    signIn.confirmTwoFactorAtSignIn(this.ctx, sessionId, code, ip);
  verifyTwoFactorAtSignIn = (sessionId: string, code: string, ip: string) =>
    signIn.verifyTwoFactorAtSignIn(this.ctx, sessionId, code, ip);

  // Sessions.
  forgetSessions = () => sessions.forgetSessions(this.ctx);
  resolveSession = (token: string) => sessions.resolveSession(this.ctx, token);
  signOut = (sessionId: string, actorUserId: string | null) => sessions.signOut(this.ctx, sessionId, actorUserId);
  signOutEverywhere = (actor: Actor) => sessions.signOutEverywhere(this.ctx, actor);

  // Your account.
  account = (actor: Actor) => yourAccount.account(this.ctx, actor);
  changePassword = (actor: Actor, sessionId: string, current: string, next: string, ip: string) =>
    yourAccount.changePassword(this.ctx, actor, sessionId, current, next, ip);
  twoFactorSetUpForAccount = (actor: Actor) => yourAccount.twoFactorSetUpForAccount(this.ctx, actor);
  confirmTwoFactorForAccount = (actor: Actor, sessionId: string, code: string, ip: string) =>
    yourAccount.confirmTwoFactorForAccount(this.ctx, actor, sessionId, code, ip);
  disableTwoFactor = (actor: Actor, password: string, ip: string) =>
    yourAccount.disableTwoFactor(this.ctx, actor, password, ip);

  // One-time links: invitations, password resets, the first administrator.
  checkLink = (token: string, purpose: LinkPurpose) => links.checkLink(this.ctx, token, purpose);
  invite = (actor: Actor, input: Invitation) => links.invite(this.ctx, actor, input);
  resendInvitation = (actor: Actor, userId: string) => links.resendInvitation(this.ctx, actor, userId);
  acceptInvitation = (token: string, password: string, replacing: string | null = null) =>
    links.acceptInvitation(this.ctx, token, password, replacing);
  requestPasswordReset = (email: string) => links.requestPasswordReset(this.ctx, email);
  resetPassword = (token: string, password: string) => links.resetPassword(this.ctx, token, password);
  firstAdministratorLink = () => links.firstAdministratorLink(this.ctx);
  completeFirstAdministrator = (
    token: string,
    input: { email: string; displayName: string; password: string },
    replacing: string | null = null,
  ) => links.completeFirstAdministrator(this.ctx, token, input, replacing);

  // Administration of users.
  /** Checks a role set fits the account: staff roles without an authority, authority roles with one. */
  static validateRoles = users.validateRoles;
  createUser = (input: NewUser, by?: AuditActor) => users.createUser(this.ctx, input, by);
  turnOnTwoFactor = (userId: string, secret: string) => users.turnOnTwoFactor(this.ctx, userId, secret);
  listUsers = (
    actor: Actor,
    query: {
      role?: string | undefined;
      text?: string | undefined;
      after?: UserCursor | null;
      before?: UserCursor | null;
    },
  ) => users.listUsers(this.ctx, actor, query);
  userForAdmin = (actor: Actor, userId: string) => users.userForAdmin(this.ctx, actor, userId);
  changeRoles = (actor: Actor, userId: string, roles: readonly string[]) =>
    users.changeRoles(this.ctx, actor, userId, roles);
  deactivate = (actor: Actor, userId: string) => users.deactivate(this.ctx, actor, userId);
  reactivate = (actor: Actor, userId: string) => users.reactivate(this.ctx, actor, userId);
  resetTwoFactor = (actor: Actor, userId: string) => users.resetTwoFactor(this.ctx, actor, userId);
}
