import net from 'node:net';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createServices, type Services } from './composition.ts';
import { buildApp } from './http/app.ts';
import { systemClock } from './platform/clock.ts';
import { DataFolderLockedError, lockDataFolder, openConfiguredDatabase, type Db } from './platform/db/database.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { inboundMailFiler } from './modules/inbound-mail.ts';
import { startMailGateway, type MailGateway } from './platform/mail/inbound.ts';

/** Exit code when something outside this process holds what it needs (a port, the data folder). */
export const EXIT_IN_USE = 75;

export interface Running {
  config: Config;
  db: Db;
  services: Services;
  url: string;
  /** Where the web server listens, when this process runs the web role. */
  web: { host: string; port: number } | null;
  /** Where the inbound mail gateway listens, when this process runs the mail-in role. */
  mailIn: { host: string; port: number; domain: string } | null;
  stop(): Promise<void>;
}

/** A port this process is to listen on is taken by another program, or not this user's to take. */
export class PortUnavailableError extends Error {
  constructor(variable: PortVariable, port: number, code: 'EADDRINUSE' | 'EACCES') {
    super(
      code === 'EADDRINUSE'
        ? `Port ${port} is already in use: set ${variable} to a free port (0 picks one).`
        : `Port ${port} needs privileges this user lacks: set ${variable} to a port above 1023 (0 picks one).`,
    );
    this.name = 'PortUnavailableError';
  }
}

type PortVariable = 'PORT' | 'MAIL_IN_PORT';
interface Listener {
  variable: PortVariable;
  host: string;
  port: number;
}

/** Where the web and mail-in roles listen, each with the setting that names its port. */
const listeners = (config: Config) => ({
  web: { variable: 'PORT', host: config.HOST, port: config.PORT } satisfies Listener,
  mailIn: { variable: 'MAIL_IN_PORT', host: config.MAIL_IN_HOST, port: config.MAIL_IN_PORT } satisfies Listener,
});

/** The listening error as a PortUnavailableError naming the setting to change, or as it was. */
function portError(listener: Listener, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES'
    ? new PortUnavailableError(listener.variable, listener.port, code)
    : error;
}

/**
 * Makes sure every port this process is to listen on can be taken, before anything is loaded:
 * takes them all at once (so PORT and MAIL_IN_PORT naming one port is caught too), then lets them
 * go. Another program may still take one before the roles listen; that failure names the setting
 * in the same words.
 */
export async function checkPortsFree(config: Config): Promise<void> {
  const taken: net.Server[] = [];
  try {
    const { web, mailIn } = listeners(config);
    const roles = new Set(config.ROLES);
    for (const listener of [...(roles.has('web') ? [web] : []), ...(roles.has('mail-in') ? [mailIn] : [])]) {
      if (listener.port === 0) continue; // the system picks a free one
      const server = net.createServer();
      taken.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: listener.port, host: listener.host, exclusive: true }, resolve);
      }).catch((error: unknown) => {
        throw portError(listener, error);
      });
    }
  } finally {
    await Promise.all(
      taken.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }
}

export interface StartOptions {
  /**
   * Runs after the migrations and before any role starts, holding the database alone (the demo
   * loads its data here).
   */
  prepare?: (db: Db, services: Services) => Promise<void>;
}

/**
 * Locks the embedded database's folder, checks the ports are free, opens the database, migrates,
 * and starts the roles asked for.
 */
export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<Running> {
  const unlock = config.database.kind === 'pglite' ? lockDataFolder(config.dataDir) : () => undefined;
  let db: Db;
  try {
    await checkPortsFree(config);
    db = await openConfiguredDatabase(config);
  } catch (error) {
    unlock();
    throw error;
  }
  let services: Services;
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    services = createServices({ config, db, clock: systemClock, logger });
    // Two-factor secrets still in plain text, or under an older key, are encrypted under the newest.
    const secrets = await services.accounts.encryptTotpSecrets();
    if (secrets.unreadable > 0) logger.warn(secrets, 'two-factor secrets under a key no longer configured');
    else if (secrets.encrypted + secrets.reencrypted > 0) logger.info(secrets, 'two-factor secrets encrypted');
    await options.prepare?.(db, services);
  } catch (error) {
    await db.close();
    unlock();
    throw error;
  }
  const roles = new Set(config.ROLES);
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  let url = '';
  let web: Running['web'] = null;
  let mailIn: MailGateway | null = null;
  const { web: webListener, mailIn: mailListener } = listeners(config);
  try {
    // Only the web role serves HTTP; the others (worker, mail-in) stay lean without the application.
    if (roles.has('web')) app = await buildApp({ config, services, logger });
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
        // Each module takes the mail meant for it (its manifest's `inboundMail`).
        onStored: inboundMailFiler(services),
      }).catch((error: unknown) => {
        throw portError(mailListener, error);
      });
    }
    if (app) {
      await app.listen({ port: config.PORT, host: config.HOST }).catch((error: unknown) => {
        throw portError(webListener, error);
      });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      web = { host: config.HOST, port };
      url = config.BASE_URL.includes(`:${config.PORT}`)
        ? config.BASE_URL.replace(`:${config.PORT}`, `:${port}`)
        : config.BASE_URL;
    }
  } catch (error) {
    await mailIn?.close();
    await app?.close();
    await services.jobs.stop().catch(() => undefined);
    services.mailSender.close();
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
    web,
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

/**
 * The web address, with where the server listens when the address does not show it (a BASE_URL
 * naming a proxy in front, say).
 */
export function describeWeb(running: Pick<Running, 'url' | 'web'>): string {
  if (!running.web) return running.url;
  const { host, port } = running.web;
  return running.url.endsWith(`:${port}`) ? running.url : `${running.url} (listening on ${host}:${port})`;
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
    if (error instanceof DataFolderLockedError || error instanceof PortUnavailableError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_IN_USE);
    }
    throw error;
  }
  logger.info({ url: running.url, roles: config.ROLES, database: config.database.kind }, 'Liaison started');
  if (running.web) process.stdout.write(`Liaison is running at ${describeWeb(running)}\n`);
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
