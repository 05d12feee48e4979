/**
 * API tokens: bearer secrets an administrator makes for another system. Each token acts in exactly
 * one role; a token for an authority role belongs to exactly one authority, a staff token to none.
 * Pure rules, no I/O.
 */
import type { FieldError } from '../../platform/errors.ts';
import { ROLE_NAMES, isAuthorityRole, isRole } from '../accounts/domain.ts';

/** Tokens start with this, so a leaked one is easy to recognise (and to scan for). */
export const TOKEN_PREFIX = 'liaison_';

export const TOKEN_NAME_MAX = 100;

/** How long a token's "last used" time may lag, so a busy client does not write on every request. */
export const LAST_USED_PRECISION_MS = 60_000;

export interface TokenRequest {
  name: string;
  role: string;
  authorityId: string | null;
}

/** What is wrong with a token request, field by field; empty when it can be made. */
export function tokenRequestProblems(request: TokenRequest): FieldError[] {
  const problems: FieldError[] = [];
  const name = request.name.trim();
  if (name === '') problems.push({ field: 'name', message: 'Enter a name for the token' });
  else if (name.length > TOKEN_NAME_MAX)
    problems.push({ field: 'name', message: `Name must be ${TOKEN_NAME_MAX} characters or fewer` });
  if (!isRole(request.role)) {
    problems.push({ field: 'role', message: 'Select the role the token acts in' });
    return problems;
  }
  if (isAuthorityRole(request.role) && request.authorityId === null) {
    problems.push({ field: 'authority', message: `Select the authority for a ${ROLE_NAMES[request.role]} token` });
  }
  if (!isAuthorityRole(request.role) && request.authorityId !== null) {
    problems.push({
      field: 'authority',
      message: `Select ‘No authority’ for a ${ROLE_NAMES[request.role]} token: ombudsman staff roles do not belong to an authority`,
    });
  }
  return problems;
}

export type TokenStatus = 'active' | 'revoked';

export const tokenStatus = (token: { revoked_at: Date | null }): TokenStatus =>
  token.revoked_at === null ? 'active' : 'revoked';

/** Whether a token's last-used time is stale enough to record a new use. */
export const shouldRecordUse = (lastUsedAt: Date | null, now: Date): boolean =>
  lastUsedAt === null || now.getTime() - lastUsedAt.getTime() >= LAST_USED_PRECISION_MS;

export const roleName = (role: string): string => (isRole(role) ? ROLE_NAMES[role] : role);
