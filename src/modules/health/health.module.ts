import type { ModuleManifest } from '../manifest.ts';
import { healthRoutes } from './health.routes.ts';

/** Liveness and readiness for the load balancer and the operators. */
export const healthModule: ModuleManifest = { name: 'health', pages: healthRoutes };
