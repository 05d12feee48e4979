import { ROLE_NAMES, type Role } from './domain.ts';

/** Roles as radio or checkbox items: their value and name. */
export const roleItems = (roles: readonly Role[]) => roles.map((r) => ({ value: r, text: ROLE_NAMES[r] }));

/** Roles as select options, the one filtered by selected. */
export const roleOptions = (roles: readonly Role[], selected: string | undefined) =>
  roles.map((r) => ({ value: r, text: ROLE_NAMES[r], selected: selected === r }));

/**
 * The users page's links to the next and previous pages: the filter kept, the cursor added; null
 * where there is no such page.
 */
export function userPageLinks(
  filter: { role?: string | undefined; q?: string | undefined },
  cursors: { next: string | null; previous: string | null },
): { nextHref: string | null; previousHref: string | null } {
  const link = (key: 'after' | 'before', cursor: string | null) => {
    if (!cursor) return null;
    const search = new URLSearchParams();
    if (filter.role) search.set('role', filter.role);
    if (filter.q) search.set('q', filter.q);
    search.set(key, cursor);
    return `/staff/users?${search.toString()}`;
  };
  return { nextHref: link('after', cursors.next), previousHref: link('before', cursors.previous) };
}
