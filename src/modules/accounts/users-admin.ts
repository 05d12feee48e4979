import { SYSTEM_ACTOR, writeAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import type { AccountsRepository, UserListRow, UserWithRoles } from './accounts.repository.ts';
import { assertEmailFree, authorisedAdmin, type AccountsContext, type NewUser, type UserPage } from './context.ts';
import {
  ROLE_NAMES,
  auditActor,
  encodeCursor,
  isAuthorityRole,
  isRole,
  isStaffRole,
  requiresTwoFactor,
  rolesForAccount,
  type Actor,
  type Role,
  type UserCursor,
} from './domain.ts';
import { hashPassword } from './passwords.ts';

// Administration of users: creating accounts, the users page, roles, deactivation and resetting
// two-factor authentication.

const PAGE_SIZE = 50;

/** Checks a role set fits the account: staff roles without an authority, authority roles with one. */
export function validateRoles(roles: readonly string[], authorityId: string | null): Role[] {
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
export async function createUser(ctx: AccountsContext, input: NewUser, by: AuditActor = SYSTEM_ACTOR): Promise<string> {
  const roles = validateRoles(input.roles, input.authorityId);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    await assertEmailFree(repo, input.email);
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

/** Turns two-factor on with a known secret (demo data, tests): stored encrypted, as set-up would. */
export async function turnOnTwoFactor(ctx: AccountsContext, userId: string, secret: string): Promise<void> {
  await ctx.repo.updateUser(userId, {
    totp_secret: ctx.totpBox.seal(userId, secret),
    totp_enabled_at: ctx.clock.now(),
    totp_last_step: null,
  });
}

/** One page of users, 50 at a time, by name; filtered by role and by text in name or email. */
export async function listUsers(
  ctx: AccountsContext,
  actor: Actor,
  query: {
    role?: string | undefined;
    text?: string | undefined;
    after?: UserCursor | null;
    before?: UserCursor | null;
  },
): Promise<UserPage> {
  await authorisedAdmin(actor);
  const backwards = !query.after && !!query.before;
  const rows = await ctx.repo.listUsers({
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
export async function userForAdmin(ctx: AccountsContext, actor: Actor, userId: string) {
  await authorisedAdmin(actor);
  const user = await ctx.repo.findUserById(userId);
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
    lockedUntil: user.locked_until && user.locked_until > ctx.clock.now() ? user.locked_until : null,
    lastSignedInAt: user.last_signed_in_at,
    isSelf: user.id === actor.id,
  };
}

/** An active account must not lose the last administrator. */
async function assertAnotherAdministrator(repo: AccountsRepository, user: UserWithRoles): Promise<void> {
  if (user.status === 'active' && user.roles.includes('administrator')) {
    if ((await repo.countActiveAdministrators(user.id)) === 0) {
      throw conflict('Liaison must keep at least one active administrator', [
        { field: 'roles', message: 'Liaison must keep at least one active administrator' },
      ]);
    }
  }
}

export async function changeRoles(
  ctx: AccountsContext,
  actor: Actor,
  userId: string,
  roles: readonly string[],
): Promise<void> {
  await authorisedAdmin(actor);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const user = await repo.findUserById(userId);
    if (!user) throw notFound('The user');
    const valid = validateRoles(roles, user.authority_id);
    if (!valid.includes('administrator')) await assertAnotherAdministrator(repo, user);
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
export async function deactivate(ctx: AccountsContext, actor: Actor, userId: string): Promise<void> {
  await authorisedAdmin(actor);
  if (userId === actor.id) throw conflict('You cannot deactivate your own account');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const user = await repo.findUserById(userId);
    if (!user) throw notFound('The user');
    if (user.status === 'deactivated') return;
    await assertAnotherAdministrator(repo, user);
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
export async function reactivate(ctx: AccountsContext, actor: Actor, userId: string): Promise<void> {
  await authorisedAdmin(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
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
export async function resetTwoFactor(ctx: AccountsContext, actor: Actor, userId: string): Promise<void> {
  await authorisedAdmin(actor);
  if (userId === actor.id) throw conflict('Ask another administrator to reset your two-factor authentication');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
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
