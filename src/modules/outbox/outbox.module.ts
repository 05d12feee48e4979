import type { ModuleManifest } from '../manifest.ts';
import { outboxRoutes } from './outbox.routes.ts';
import { OutboxService } from './outbox.service.ts';

declare module '../../services.ts' {
  interface Services {
    outbox: OutboxService;
  }
}

/** The outbox page: every email sent or being sent, with its delivery. */
export const outboxModule: ModuleManifest = {
  name: 'outbox',
  services: ({ platform: { db, clock }, services }) => ({ outbox: new OutboxService(db.kysely, clock, services.mail) }),
  pages: outboxRoutes,
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 50,
      text: 'Outbox',
      href: '/staff/outbox',
      permission: 'outbox:read',
      description: 'Every email Liaison has sent or is sending, with its delivery.',
    },
  ],
};
