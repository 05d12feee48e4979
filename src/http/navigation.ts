import { can, type Actor, type Permission } from '../modules/accounts/domain.ts';

interface NavItem {
  text: string;
  href: string;
  permission: Permission;
  /** For items under "More": one line saying what the area is for. */
  description?: string;
}

/**
 * Header navigation by role: an item shows only to actors holding its permission. The primary row
 * holds the areas used every day and always fits on one line; the rest are listed on the face's
 * "More" page, which is the current item while one of them is open. Modules add their entries here
 * as they arrive.
 */
const STAFF_PRIMARY: NavItem[] = [
  { text: 'Home', href: '/staff', permission: 'staff:home' },
  { text: 'Complaints', href: '/staff/complaints', permission: 'complaints:read' },
  { text: 'Assessment', href: '/staff/assessment', permission: 'complaints:read' },
  { text: 'Enquiries', href: '/staff/enquiries', permission: 'enquiries:read' },
  { text: 'Remedies', href: '/staff/remedies', permission: 'remedies:read' },
  { text: 'Authorities', href: '/staff/authorities', permission: 'authorities:read' },
];

const STAFF_MORE: NavItem[] = [
  {
    text: 'Link officer changes',
    href: '/staff/link-officer-changes',
    permission: 'link-officers:manage',
    description: 'Changes of link officer that authorities have asked for, to approve or refuse.',
  },
  {
    text: 'Holding pen',
    href: '/staff/holding-pen',
    permission: 'holding-pen:triage',
    description: 'Emails that could not be filed to a case by themselves.',
  },
  {
    text: 'Users',
    href: '/staff/users',
    permission: 'users:manage',
    description: 'Staff and authority accounts: invite, change roles, deactivate.',
  },
  {
    text: 'API tokens',
    href: '/staff/tokens',
    permission: 'tokens:manage',
    description: 'Tokens for systems that use the JSON API.',
  },
  {
    text: 'Outbox',
    href: '/staff/outbox',
    permission: 'outbox:read',
    description: 'Every email Liaison has sent or is sending, with its delivery.',
  },
  {
    text: 'Audit log',
    href: '/staff/audit',
    permission: 'audit:read',
    description: 'Who did what and when, searchable by person, record and date.',
  },
];

const PORTAL_PRIMARY: NavItem[] = [
  { text: 'Home', href: '/portal', permission: 'portal:home' },
  { text: 'Complaints', href: '/portal/complaints', permission: 'portal:complaints' },
  { text: 'Enquiries', href: '/portal/enquiries', permission: 'enquiries:portal' },
  { text: 'Remedies', href: '/portal/remedies', permission: 'remedies:portal' },
  { text: 'Your authority', href: '/portal/authority', permission: 'portal:home' },
];

const PORTAL_MORE: NavItem[] = [
  {
    text: 'Public reports',
    href: '/portal/public-reports',
    permission: 'public-reports:portal',
    description: 'Reports the ombudsman is publishing about your authority, and the steps each needs.',
  },
  {
    text: 'Link officers',
    href: '/portal/link-officers',
    permission: 'portal:home',
    description: 'Your authority’s link officers and their delegates.',
  },
  {
    text: 'Correspondence',
    href: '/portal/correspondence',
    permission: 'portal:complaints',
    description: 'Every message between the ombudsman and your authority, across all cases.',
  },
  {
    text: 'Findings',
    href: '/portal/findings',
    permission: 'findings:portal',
    description: 'The ombudsman’s decisions about your authority, to download.',
  },
];

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

export function navigationFor(actor: Actor | null, url: string): Navigation {
  const path = url.split('?')[0] ?? '/';
  const face = path.startsWith('/staff') ? 'staff' : path.startsWith('/portal') ? 'portal' : 'public';
  const side = actor === null ? null : actor.authorityId === null ? 'staff' : 'portal';
  const primary = side === 'staff' ? STAFF_PRIMARY : side === 'portal' ? PORTAL_PRIMARY : [];
  const moreSource = side === 'staff' ? STAFF_MORE : side === 'portal' ? PORTAL_MORE : [];
  const items: NavigationLink[] = primary
    .filter((item) => can(actor, item.permission))
    .map((item) => ({ text: item.text, href: item.href, active: isAt(item.href, path) }));
  const more: MoreLink[] = moreSource
    .filter((item) => can(actor, item.permission))
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
