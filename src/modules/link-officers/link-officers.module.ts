import type { ModuleManifest } from '../manifest.ts';
import { linkOfficersApi } from './link-officers.api.ts';
import { linkOfficersDemoLoader } from './link-officers.demo.ts';
import { linkOfficersRoutes } from './link-officers.routes.ts';
import { LinkOfficersService } from './link-officers.service.ts';

declare module '../../services.ts' {
  interface Services {
    linkOfficers: LinkOfficersService;
  }
}

/** Link officers: at most two per authority, their delegates, and changes of link officer. */
export const linkOfficersModule: ModuleManifest = {
  name: 'link-officers',
  services: ({ platform: { db, clock }, config, services }) => ({
    linkOfficers: new LinkOfficersService(db.kysely, clock, services.accounts, services.rawMail, services.mail, {
      baseUrl: config.BASE_URL,
      confirmationTtlDays: 14,
      invitationTtlHours: config.INVITATION_TTL_HOURS,
    }),
  }),
  pages: linkOfficersRoutes,
  api: linkOfficersApi,
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 10,
      text: 'Link officer changes',
      href: '/staff/link-officer-changes',
      permission: 'link-officers:manage',
      description: 'Changes of link officer that authorities have asked for, to approve or refuse.',
    },
    {
      face: 'portal',
      row: 'more',
      order: 20,
      text: 'Link officers',
      href: '/portal/link-officers',
      permission: 'portal:home',
      description: 'Your authority’s link officers and their delegates.',
    },
  ],
  demo: [linkOfficersDemoLoader],
};
