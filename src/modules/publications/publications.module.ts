import type { ModuleManifest } from '../manifest.ts';
import { publicationsApi } from './publications.api.ts';
import { publicationsDemoLoader } from './publications.demo.ts';
import { publicationEditorRoutes } from './publications.editor.ts';
import { publicationRoutes } from './publications.routes.ts';
import { PublicationsService } from './publications.service.ts';

declare module '../../services.ts' {
  interface Services {
    publications: PublicationsService;
  }
}

/**
 * Publications: focus reports, guidance notes and the rest, from draft to the public library, its
 * feed and sitemap; and the public pages whose text the relationship lead keeps.
 */
export const publicationsModule: ModuleManifest = {
  name: 'publications',
  services: ({ platform: { db, clock }, config, services }) => ({
    publications: new PublicationsService(db.kysely, clock, services.files, { baseUrl: config.BASE_URL }),
  }),
  pages: (services) => [...publicationRoutes(services), ...publicationEditorRoutes(services)],
  api: publicationsApi,
  navigation: [
    { face: 'public', row: 'primary', order: 20, text: 'Publications', href: '/publications' },
    { face: 'public', row: 'primary', order: 30, text: 'Link officers', href: '/link-officers' },
    {
      face: 'staff',
      row: 'more',
      order: 60,
      text: 'Publications',
      href: '/staff/publications',
      permission: 'publications:edit',
      description: 'Focus reports, guidance notes and the other publications: drafts, publishing and corrections.',
    },
    {
      face: 'staff',
      row: 'more',
      order: 61,
      text: 'Information for link officers',
      href: '/staff/pages/link-officers',
      permission: 'publications:edit',
      description: 'The text of the public page for link officers.',
    },
  ],
  demo: [publicationsDemoLoader],
};
