import { ConfigError, loadConfig, type Config } from './config.ts';
import { createServices } from './composition.ts';
import { buildApp } from './http/app.ts';
import { systemClock } from './platform/clock.ts';
import { DataFolderLockedError, lockDataFolder, openConfiguredDatabase, type Db } from './platform/db/database.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger, type Logger } from './platform/logger.ts';

export interface Running {
  config: Config;
  db: Db;
  url: string;
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
  const app = await buildApp({ config, services, logger });
  let url = '';
  if (config.ROLES.includes('web')) {
    await app.listen({ port: config.PORT, host: config.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    url = config.BASE_URL.includes(`:${config.PORT}`)
      ? config.BASE_URL.replace(`:${config.PORT}`, `:${port}`)
      : config.BASE_URL;
  }

  let stopping: Promise<void> | null = null;
  return {
    config,
    db,
    url,
    stop: () =>
      (stopping ??= (async () => {
        await app.close(); // stops accepting, finishes in-flight requests
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
  process.stdout.write(`Liaison is running at ${running.url}\n`);
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
