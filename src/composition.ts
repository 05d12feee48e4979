import type { Config } from './config.ts';
import { AccountsService } from './modules/accounts/accounts.service.ts';
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/database.ts';
import type { Logger } from './platform/logger.ts';

export interface Platform {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
}

/** Builds every service once, from repositories up. The one place dependencies are wired. */
export function createServices(platform: Platform) {
  const { config, db, clock } = platform;
  const accounts = new AccountsService(db.kysely, clock, {
    sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: config.SESSION_ABSOLUTE_HOURS,
    maxFailuresPerAccount: config.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: config.SIGNIN_MAX_FAILURES_PER_IP,
    lockoutMinutes: config.SIGNIN_LOCKOUT_MINUTES,
    secret: config.SESSION_SECRET,
  });
  return { platform, accounts };
}

export type Services = ReturnType<typeof createServices>;
