import crypto from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PGLITE_PARSERS, openDatabase, pgliteDb, type Db } from '../../src/platform/db/database.ts';
import { PGLITE_TEMPLATE, PG_TEMPLATE_DB, testDatabaseKind, withDatabase } from './db-target.ts';

/**
 * The URL of a test database on the PostgreSQL server, for a test that opens connections of its own
 * to it; null on PGlite, which runs in the process.
 */
export async function serverUrlOf(db: Db): Promise<string | null> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || db.kind !== 'postgres') return null;
  const name = (await db.query<{ name: string }>('SELECT current_database() AS name')).rows[0]?.name ?? '';
  return withDatabase(server, name);
}

/**
 * A fresh, migrated database for one test file: a copy of the template made by global-db.ts, on
 * PGlite or on the PostgreSQL server named by TEST_DATABASE_URL. Real database, never a fake.
 */
export async function createTestDb(): Promise<Db> {
  if (testDatabaseKind() === 'pglite') {
    const dump = fs.readFileSync(PGLITE_TEMPLATE);
    const client = new PGlite({ loadDataDir: new Blob([dump]), parsers: PGLITE_PARSERS });
    await client.waitReady;
    return pgliteDb(client);
  }
  const url = process.env.TEST_DATABASE_URL ?? '';
  const name = `liaison_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ kind: 'postgres', url: withDatabase(url, name), poolSize: 5 });
  return {
    ...db,
    close: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Every row of every table as text, for tests that prove a value appears nowhere. */
export async function dumpAllTables(db: Db): Promise<string> {
  const tables = await db.query<{ table_schema: string; table_name: string }>(
    `SELECT table_schema, table_name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const parts: string[] = [];
  for (const t of tables.rows) {
    const rows = await db.query(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`);
    parts.push(`${t.table_schema}.${t.table_name}: ${JSON.stringify(rows.rows)}`);
  }
  return parts.join('\n');
}
