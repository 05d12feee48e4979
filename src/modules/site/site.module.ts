import type { ModuleManifest } from '../manifest.ts';
import { siteRoutes } from './site.routes.ts';

/** The public site's own pages: the home page and what every site has. */
export const siteModule: ModuleManifest = { name: 'site', pages: () => siteRoutes() };
