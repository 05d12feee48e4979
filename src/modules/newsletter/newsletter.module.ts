import type { ModuleManifest } from '../manifest.ts';

/** See docs/architecture.md, "Adding a module". */
export const newsletterModule: ModuleManifest = {
  name: 'newsletter',
};
