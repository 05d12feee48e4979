import type { ModuleManifest } from '../manifest.ts';
import { navigationRoutes } from './navigation.routes.ts';

/** The "More" page of each signed-in face. */
export const navigationModule: ModuleManifest = { name: 'navigation', pages: () => navigationRoutes() };
