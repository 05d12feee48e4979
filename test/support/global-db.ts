import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PGLITE_PARSERS, openDatabase, pgliteDb } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { PGLITE_TEMPLATE, PG_TEMPLATE_DB, TMP, testDatabaseKind, withDatabase } from './db-target.ts';

/**
 * Vitest global setup: migrate once into a template, so every test file starts from a copy in about
 * a second: a PGlite data-folder dump, or a PostgreSQL template database.
 */
export default async function setup(): Promise<void> {
  fs.mkdirSync(TMP, { recursive: true });
  if (testDatabaseKind() === 'pglite') {
    const client = new PGlite({ parsers: PGLITE_PARSERS });
    const db = pgliteDb(client);
    await migrate(db);
    const dump = await client.dumpDataDir('gzip');
    fs.writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
    await db.close();
    return;
  }
  const url = process.env.TEST_DATABASE_URL ?? '';
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${PG_TEMPLATE_DB}`);
  const db = await openDatabase({ kind: 'postgres', url: withDatabase(url, PG_TEMPLATE_DB), poolSize: 2 });
  await migrate(db);
  await db.close();
  // Drop copies left by earlier runs.
  const old = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'liaison\\_t\\_%'",
  );
  for (const row of old.rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname}`);
  await admin.end();
}
