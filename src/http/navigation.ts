import { can, type Actor } from '../modules/accounts/domain.ts';
import type { NavEntry } from '../modules/manifest.ts';

export interface NavigationLink {
  text: string;
  href: string;
  active: boolean;
}

export interface MoreLink extends NavigationLink {
  description: string;
}

export interface Navigation {
  face: 'public' | 'staff' | 'portal';
  serviceName: string;
  serviceUrl: string;
  /** The header's one row. */
  items: NavigationLink[];
  /** The areas under "More", for the "More" page (empty when the actor has none). */
  more: MoreLink[];
}

const MORE_URL = { staff: '/staff/more', portal: '/portal/more' } as const;

const isAt = (href: string, path: string): boolean =>
  href === path || (href !== '/staff' && href !== '/portal' && path.startsWith(`${href}/`));

/**
 * Header navigation by role, from the entries modules contribute (their manifests' `navigation`): an
 * item shows only to actors holding its permission. The primary row holds the areas used every day
 * and always fits on one line; the rest are listed on the face's "More" page, which is the current
 * item while one of them is open. The public face's entries show to everyone.
 */
export function navigationFrom(entries: readonly NavEntry[]): (actor: Actor | null, url: string) => Navigation {
  const row = (face: NavEntry['face'], which: NavEntry['row']) =>
    entries.filter((e) => e.face === face && e.row === which).sort((a, b) => a.order - b.order);
  const rows = {
    staff: { primary: row('staff', 'primary'), more: row('staff', 'more') },
    portal: { primary: row('portal', 'primary'), more: row('portal', 'more') },
    public: { primary: row('public', 'primary'), more: [] },
  };
  return (actor, url) => navigationOf(rows, actor, url);
}

type Rows = Record<NavEntry['face'], { primary: NavEntry[]; more: NavEntry[] }>;

const shows = (actor: Actor | null, entry: NavEntry): boolean =>
  entry.permission === undefined || can(actor, entry.permission);

function navigationOf(rows: Rows, actor: Actor | null, url: string): Navigation {
  const path = url.split('?')[0] ?? '/';
  const face = path.startsWith('/staff') ? 'staff' : path.startsWith('/portal') ? 'portal' : 'public';
  const side = actor === null ? null : actor.authorityId === null ? 'staff' : 'portal';
  const primary = side === null ? rows.public.primary : rows[side].primary;
  const moreSource = side === null ? [] : rows[side].more;
  const items: NavigationLink[] = primary
    .filter((item) => shows(actor, item))
    .map((item) => ({ text: item.text, href: item.href, active: isAt(item.href, path) }));
  const more: MoreLink[] = moreSource
    .filter((item) => shows(actor, item))
    .map((item) => ({
      text: item.text,
      href: item.href,
      active: isAt(item.href, path),
      description: item.description ?? '',
    }));
  if (side !== null && more.length > 0) {
    const moreUrl = MORE_URL[side];
    items.push({ text: 'More', href: moreUrl, active: path === moreUrl || more.some((item) => item.active) });
  }
  items.push(
    actor === null
      ? { text: 'Sign in', href: '/sign-in', active: path === '/sign-in' }
      : { text: 'Your account', href: '/account', active: path === '/account' },
  );
  const names = {
    public: 'Liaison',
    staff: 'Liaison for ombudsman staff',
    portal: 'Liaison authority portal',
  } as const;
  const homes = { public: '/', staff: '/staff', portal: '/portal' } as const;
  return { face, serviceName: names[face], serviceUrl: homes[face], items, more };
}
