import { writeAudit } from '../../platform/audit/audit.ts';
import type { SessionWithUser, UserWithRoles } from './accounts.repository.ts';
import type { AccountsContext, ResolvedSession } from './context.ts';
import { auditActor, isRole, type Actor } from './domain.ts';
import { hashSecret } from './passwords.ts';

// Signed-in sessions: resolving a cookie to its actor (kept for a bounded time), and signing out.

const TOUCH_EVERY_MS = 60_000;

/** Forgets every cached session: the next request of each reads its session again. */
export function forgetSessions(ctx: AccountsContext): void {
  ctx.sessionCache.clear();
}

async function findSession(ctx: AccountsContext, tokenHash: string): Promise<SessionWithUser | undefined> {
  const cached = ctx.sessionCache.get(tokenHash);
  if (cached) return cached;
  const found = await ctx.repo.findSessionWithUser(tokenHash);
  // Only fully signed-in sessions of active accounts are kept.
  if (found?.session_stage === 'active' && found.status === 'active') ctx.sessionCache.set(tokenHash, found);
  else ctx.sessionCache.delete(tokenHash);
  return found;
}

/** Resolves a session cookie to its actor, enforcing the idle and absolute timeouts. */
export async function resolveSession(ctx: AccountsContext, token: string): Promise<ResolvedSession | null> {
  const tokenHash = hashSecret(token);
  const found = await findSession(ctx, tokenHash);
  if (!found) return null;
  const { session_id: sessionId, session_stage: stage, session_last_seen_at: lastSeen, ...user } = found;
  const now = ctx.clock.now();
  const idleLimit = lastSeen.getTime() + ctx.settings.sessionIdleMinutes * 60_000;
  if (found.session_expires_at <= now || idleLimit <= now.getTime()) {
    await ctx.repo.revokeSession(sessionId, now);
    return null;
  }
  if (user.status !== 'active') return null;
  if (now.getTime() - lastSeen.getTime() > TOUCH_EVERY_MS) {
    await ctx.repo.touchSession(sessionId, now);
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

export async function signOut(ctx: AccountsContext, sessionId: string, actorUserId: string | null): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).revokeSession(sessionId, ctx.clock.now());
    await writeAudit(trx, {
      actor: { type: 'user', id: actorUserId },
      action: 'session.ended',
      recordType: 'session',
      recordId: sessionId,
    });
  });
}

/** Ends every session of the actor, this one included. Returns how many ended. */
export async function signOutEverywhere(ctx: AccountsContext, actor: Actor): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const n = await ctx.repo.with(trx).revokeAllSessions(actor.id, ctx.clock.now());
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

export function toActor(user: UserWithRoles): Actor {
  return { type: 'user', id: user.id, roles: user.roles.filter(isRole), authorityId: user.authority_id };
}
