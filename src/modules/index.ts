import type { ModuleManifest } from './manifest.ts';

/**
 * Every module, in the order their services are built (a module may use the services of those
 * above it). A new capability is one folder under src/modules with its `<name>.module.ts`, and one
 * line here.
 */
export const MODULES: readonly ModuleManifest[] = [];
