import { loadConfig, type Config } from '../../config.ts';
import type { Services } from '../../services.ts';
import { totpCode } from '../../modules/accounts/two-factor.ts';
import { describeWeb, start, type Running } from '../../main.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { createLogger } from '../../platform/logger.ts';
import type { Command } from '../command.ts';
import { demoSignInTable, loadDemoData } from '../demo-data.ts';
import { DemoRepository } from '../demo.repository.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  demoAccountHasTwoFactor,
  demoTotpSecret,
  findDemoAccount,
} from '../demo-fixtures.ts';

/** The demo keeps its own data folder, apart from `npm start`'s, and logs only warnings. */
export function demoConfig(env: Record<string, string | undefined> = process.env): Config {
  const defaults: Record<string, string> = { DATA_DIR: '.data/demo', LOG_LEVEL: 'warn' };
  const merged: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(defaults)) if (!merged[key]) merged[key] = value;
  return loadConfig(merged);
}

type DemoState = 'loaded' | 'present' | 'other-data';

/** Loads the demo data when the (migrated) database has no accounts yet. */
async function prepareDemoDatabase(db: Db, services: Services): Promise<DemoState> {
  const demo = new DemoRepository(db.kysely);
  if ((await demo.countUsers()) > 0) {
    return (await demo.hasUserWithEmail(DEMO_ACCOUNTS[0]?.email ?? '')) ? 'present' : 'other-data';
  }
  await loadDemoData({ db, services, clock: systemClock });
  return 'loaded';
}

function printWelcome(config: Config, running: Running, state: DemoState): void {
  const url = running.url;
  console.log(`\nLiaison demo is running at ${describeWeb(running)}`);
  if (running.mailIn) {
    const { host, port, domain } = running.mailIn;
    console.log(`It accepts mail for *@${domain} by SMTP on ${host}:${port}.`);
  }
  console.log(`${state === 'loaded' ? 'Demo data loaded into the ' : 'Data: '}${describeDatabase(config)}.`);
  if (state === 'other-data') {
    console.log('This database already had accounts, so no demo data was loaded.\nPress Ctrl+C to stop.');
    return;
  }
  console.log(`\nSign in at ${url}/sign-in with any of these accounts. Password for all: ${DEMO_PASSWORD}\n`);
  console.log(demoSignInTable());
  console.log('\nStaff accounts use two-factor authentication. Add the secret to an authenticator app,');
  console.log('or get the current code with: npm run cli -- demo:code <email>');
  console.log('\nPress Ctrl+C to stop.');
}

const describeDatabase = (config: Config) =>
  config.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';

export const demoCommand: Command = {
  summary: 'Start Liaison with demo councils and one account per role (loaded on the first run)',
  usage: 'npm run demo',
  run: async () => {
    const config = demoConfig();
    const logger = createLogger(config.LOG_LEVEL);
    let state: DemoState = 'present';
    // Ports and the data folder are checked before the data is loaded; the command line reports either.
    const running = await start(config, logger, {
      prepare: async (db, services) => {
        state = await prepareDemoDatabase(db, services);
      },
    });
    printWelcome(config, running, state);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ signal }, 'shutting down');
    await running.stop();
    return 0;
  },
};

export const demoCodeCommand: Command = {
  summary: 'Print the current two-factor code of a demo staff account',
  usage: 'npm run cli -- demo:code <email>',
  run: async (args) => {
    const email = args[0];
    const account = email ? findDemoAccount(email) : undefined;
    if (!email || !account) {
      console.error(email ? `${email} is not a demo account.` : 'Give the email address of a demo account.');
      console.error(`Usage: ${demoCodeCommand.usage}`);
      return 64;
    }
    if (!demoAccountHasTwoFactor(account)) {
      console.error(`${account.email} signs in with its password only: no code is needed.`);
      return 65;
    }
    const now = new Date();
    console.log(await totpCode(demoTotpSecret(account.email), now));
    const left = 30 - (Math.floor(now.getTime() / 1000) % 30);
    console.error(`(valid for another ${left} seconds)`);
    return 0;
  },
};
