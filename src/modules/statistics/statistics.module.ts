import type { ModuleManifest } from '../manifest.ts';

/** See docs/architecture.md, "Adding a module". */
export const statisticsModule: ModuleManifest = {
  name: 'statistics',
};
