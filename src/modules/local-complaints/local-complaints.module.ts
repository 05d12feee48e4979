import type { ModuleManifest } from '../manifest.ts';

/** See docs/architecture.md, "Adding a module". */
export const localComplaintsModule: ModuleManifest = {
  name: 'local-complaints',
};
