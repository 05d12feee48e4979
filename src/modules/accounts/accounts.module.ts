import type { ModuleManifest } from '../manifest.ts';
import { accountsApi } from './accounts.api.ts';
import { accountsJobs } from './accounts.jobs.ts';
import { accountsRoutes } from './accounts.routes.ts';
import { AccountsService } from './accounts.service.ts';
import { UserDirectoryService } from './user-directory.service.ts';

declare module '../../services.ts' {
  interface Services {
    accounts: AccountsService;
    userDirectory: UserDirectoryService;
  }
}

/** Accounts: sign-in, two-factor, sessions, invitations and the users page. */
export const accountsModule: ModuleManifest = {
  name: 'accounts',
  services: ({ platform: { db, clock }, config, services }) => ({
    accounts: new AccountsService(
      db.kysely,
      clock,
      {
        sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
        sessionAbsoluteHours: config.SESSION_ABSOLUTE_HOURS,
        maxFailuresPerAccount: config.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerIp: config.SIGNIN_MAX_FAILURES_PER_IP,
        lockoutMinutes: config.SIGNIN_LOCKOUT_MINUTES,
        secret: config.SESSION_SECRET,
        baseUrl: config.BASE_URL,
        invitationTtlHours: config.INVITATION_TTL_HOURS,
        passwordResetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
        totpKeys: config.TOTP_ENCRYPTION_KEYS,
        sessionCacheMs: config.SESSION_CACHE_MS,
      },
      services.mail,
    ),
    userDirectory: new UserDirectoryService(db.kysely),
  }),
  jobs: (jobs, services) => jobs.register(...accountsJobs(services.accounts)),
  pages: accountsRoutes,
  api: accountsApi,
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 30,
      text: 'Users',
      href: '/staff/users',
      permission: 'users:manage',
      description: 'Staff and authority accounts: invite, change roles, deactivate.',
    },
  ],
};
