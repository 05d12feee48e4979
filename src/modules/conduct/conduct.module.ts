import type { ModuleManifest } from '../manifest.ts';

/** See docs/architecture.md, "Adding a module". */
export const conductModule: ModuleManifest = {
  name: 'conduct',
};
