import type { Services } from '../services.ts';
import { MODULES } from '../modules/index.ts';
import type { ModuleManifest } from '../modules/manifest.ts';
import type { PageRoute } from './routes.ts';

/** Every module's page routes, from the module list. */
export function pageModules(services: Services, modules: readonly ModuleManifest[] = MODULES): PageRoute[][] {
  return modules.flatMap((m) => (m.pages ? [m.pages(services)] : []));
}
