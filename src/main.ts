import { ConfigError, loadConfig, type Config } from './config.ts';
import { createServices, type Services } from './composition.ts';
import { buildApp } from './http/app.ts';
import { systemClock } from './platform/clock.ts';
import { DataFolderLockedError, lockDataFolder, openConfiguredDatabase, type Db } from './platform/db/database.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { startMailGateway, type MailGateway } from './platform/mail/inbound.ts';

export interface Running {
  config: Config;
  db: Db;
  services: Services;
  url: string;
  /** Where the inbound mail gateway listens, when this process runs the mail-in role. */
  mailIn: { host: string; port: number; domain: string } | null;
  stop(): Promise<void>;
}

/** Opens the database (locking the embedded one's folder), migrates, and starts the roles asked for. */
export async function start(config: Config, logger: Logger): Promise<Running> {
  const unlock = config.database.kind === 'pglite' ? lockDataFolder(config.dataDir) : () => undefined;
  let db: Db;
  try {
    db = await openConfiguredDatabase(config);
  } catch (error) {
    unlock();
    throw error;
  }
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const services = createServices({ config, db, clock: systemClock, logger });
  const roles = new Set(config.ROLES);
  // Only the web role serves HTTP; the others (worker, mail-in) stay lean without the application.
  const app = roles.has('web') ? await buildApp({ config, services, logger }) : null;
  let url = '';
  let mailIn: MailGateway | null = null;
  try {
    // Every role enqueues jobs; only the worker handles them.
    await services.jobs.start({ work: roles.has('worker') });
    if (roles.has('mail-in')) {
      mailIn = await startMailGateway({
        host: config.MAIL_IN_HOST,
        port: config.MAIL_IN_PORT,
        domain: config.MAIL_DOMAIN,
        db: db.kysely,
        rawMail: services.rawMail,
        clock: systemClock,
        logger: logger.child({ role: 'mail-in' }),
        onStored: (id, parsed) => services.correspondence.fileInbound(id, parsed),
      });
    }
    if (app) {
      await app.listen({ port: config.PORT, host: config.HOST });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      url = config.BASE_URL.includes(`:${config.PORT}`)
        ? config.BASE_URL.replace(`:${config.PORT}`, `:${port}`)
        : config.BASE_URL;
    }
  } catch (error) {
    await mailIn?.close();
    await app?.close();
    await services.jobs.stop().catch(() => undefined);
    await db.close();
    unlock();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  return {
    config,
    db,
    services,
    url,
    mailIn: mailIn ? { host: mailIn.host, port: mailIn.port, domain: config.MAIL_DOMAIN } : null,
    stop: () =>
      (stopping ??= (async () => {
        // Stop taking new work first, let work in progress finish, then close the database.
        await Promise.all([
          app?.close(), // stops accepting, finishes in-flight requests
          mailIn?.close(), // refuses new connections, lets messages being received finish
        ]);
        await services.jobs.stop(); // waits for jobs in progress
        services.mailSender.close();
        await db.close();
        unlock();
      })()),
  };
}

async function runFromCommandLine(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let running: Running;
  try {
    running = await start(config, logger);
  } catch (error) {
    if (error instanceof DataFolderLockedError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(75);
    }
    throw error;
  }
  logger.info({ url: running.url, roles: config.ROLES, database: config.database.kind }, 'Liaison started');
  if (running.url) process.stdout.write(`Liaison is running at ${running.url}\n`);
  if (running.url) {
    // First run: nobody can sign in yet, so print a one-time link to set up the first administrator.
    const link = await running.services.accounts.firstAdministratorLink();
    if (link) process.stdout.write(`No administrator exists yet. Set one up with this one-time link:\n  ${link}\n`);
  }
  if (running.mailIn) {
    const { host, port, domain } = running.mailIn;
    process.stdout.write(`Liaison accepts mail for *@${domain} by SMTP on ${host}:${port}\n`);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runFromCommandLine();
}
