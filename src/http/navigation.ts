import { can, type Actor, type Permission } from '../modules/accounts/domain.ts';

interface NavItem {
  text: string;
  href: string;
  permission: Permission;
}

/**
 * Header navigation by role: an item shows only to actors holding its permission. Modules add their
 * entries here as they arrive.
 */
const STAFF_NAV: NavItem[] = [
  { text: 'Home', href: '/staff', permission: 'staff:home' },
  { text: 'Complaints', href: '/staff/complaints', permission: 'complaints:read' },
  { text: 'Assessment', href: '/staff/assessment', permission: 'complaints:read' },
  { text: 'Enquiries', href: '/staff/enquiries', permission: 'enquiries:read' },
  { text: 'Remedies', href: '/staff/remedies', permission: 'remedies:read' },
  { text: 'Authorities', href: '/staff/authorities', permission: 'authorities:read' },
  { text: 'Link officer changes', href: '/staff/link-officer-changes', permission: 'link-officers:manage' },
  { text: 'Users', href: '/staff/users', permission: 'users:manage' },
  { text: 'API tokens', href: '/staff/tokens', permission: 'tokens:manage' },
  { text: 'Holding pen', href: '/staff/holding-pen', permission: 'holding-pen:triage' },
  { text: 'Outbox', href: '/staff/outbox', permission: 'outbox:read' },
  { text: 'Audit log', href: '/staff/audit', permission: 'audit:read' },
];

const PORTAL_NAV: NavItem[] = [
  { text: 'Home', href: '/portal', permission: 'portal:home' },
  { text: 'Your authority', href: '/portal/authority', permission: 'portal:home' },
  { text: 'Complaints', href: '/portal/complaints', permission: 'portal:complaints' },
  { text: 'Enquiries', href: '/portal/enquiries', permission: 'enquiries:portal' },
  { text: 'Remedies', href: '/portal/remedies', permission: 'remedies:portal' },
  { text: 'Public reports', href: '/portal/public-reports', permission: 'public-reports:portal' },
  { text: 'Link officers', href: '/portal/link-officers', permission: 'portal:home' },
  { text: 'Correspondence', href: '/portal/correspondence', permission: 'portal:complaints' },
  { text: 'Findings', href: '/portal/findings', permission: 'findings:portal' },
];

export interface NavigationLink {
  text: string;
  href: string;
  active: boolean;
}

export interface Navigation {
  face: 'public' | 'staff' | 'portal';
  serviceName: string;
  serviceUrl: string;
  items: NavigationLink[];
}

export function navigationFor(actor: Actor | null, url: string): Navigation {
  const path = url.split('?')[0] ?? '/';
  const face = path.startsWith('/staff') ? 'staff' : path.startsWith('/portal') ? 'portal' : 'public';
  const source = actor === null ? [] : actor.authorityId === null ? STAFF_NAV : PORTAL_NAV;
  const items = source
    .filter((item) => can(actor, item.permission))
    .map((item) => ({
      text: item.text,
      href: item.href,
      active:
        item.href === path || (item.href !== '/staff' && item.href !== '/portal' && path.startsWith(`${item.href}/`)),
    }));
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
  return { face, serviceName: names[face], serviceUrl: homes[face], items };
}
