/**
 * Applies the migrations, then loads the demo data (councils, one account per role) into the
 * cluster's database when it has no accounts yet, for the fault drill and for trying the cluster out.
 *
 *   DATABASE_URL=postgres://… node --import tsx scripts/drill/demo.ts
 */
import { loadDemoData } from '../../src/cli/demo-data.ts';
import { loadConfig } from '../../src/config.ts';
import { createServices } from '../../src/composition.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { openConfiguredDatabase } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createLogger } from '../../src/platform/logger.ts';

const config = loadConfig();
const logger = createLogger('warn');
const db = await openConfiguredDatabase(config);
try {
  const applied = await migrate(db);
  if (applied.length > 0) process.stdout.write(`Migrations applied: ${applied.length}.\n`);
  const users = await db.kysely
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (users.n === 0) {
    const services = createServices({ config, db, clock: systemClock, logger });
    await loadDemoData({ db, services, clock: systemClock });
    services.mailSender.close();
    process.stdout.write('Demo data loaded.\n');
  }
} finally {
  await db.close();
}
