import type { ModuleManifest } from '../manifest.ts';
import { peopleRoutes } from './people.routes.ts';
import { PeopleService } from './people.service.ts';

declare module '../../services.ts' {
  interface Services {
    people: PeopleService;
  }
}

/**
 * People across cases: the parties of complaints (kept by the complaints module) that staff have
 * found to be the same person, so that a contact restriction follows the person and not one case.
 */
export const peopleModule: ModuleManifest = {
  name: 'people',
  services: ({ platform: { db, clock } }) => ({ people: new PeopleService(db.kysely, clock) }),
  pages: peopleRoutes,
};
