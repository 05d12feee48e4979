/**
 * Whose work a home panel reads: an authority's (only cases it has been told of, the rule every
 * authority-facing read applies) or an investigator's own cases. The modules' panel queries take it.
 */
export type HomeScope = { authorityId: string } | { investigatorId: string };

/** What a panel query returns: at most `limit` rows, soonest due first, and how many there are in all. */
export interface PanelOptions {
  today: string;
  /** Only what is due by this date (the weekly email); null for everything open. */
  dueBy: string | null;
  limit: number;
}

/**
 * Whether an actor may read a panel in this scope: an authority's user only their own authority's,
 * staff only an investigator's cases (their own, or anyone's with `complaints:read`). A null actor
 * is the system (the weekly email).
 */
export function mayReadScope(
  actor: { authorityId: string | null; id: string; roles: readonly string[] } | null,
  scope: HomeScope,
): boolean {
  if (actor === null) return true;
  if ('authorityId' in scope) return actor.authorityId === scope.authorityId;
  return actor.authorityId === null && actor.roles.length > 0;
}
