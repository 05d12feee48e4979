import type { Services } from '../../services.ts';
import type { PageRoute } from '../../http/routes.ts';
import { accountRoutes } from './accounts.account.routes.ts';
import { signInRoutes } from './accounts.sign-in.routes.ts';
import { usersRoutes } from './accounts.users.routes.ts';

/** Signing in, the person's own account, and administrators' pages for everyone's accounts. */
export function accountsRoutes(services: Services): PageRoute[] {
  return [...signInRoutes(services), ...accountRoutes(services), ...usersRoutes(services)];
}
