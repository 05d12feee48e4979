import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which database the database tests run on: the embedded PGlite (default) or a PostgreSQL server. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// TEST_TMP_DIR keeps the template of one test run apart from another's running beside it.
export const TMP = process.env.TEST_TMP_DIR ? path.resolve(process.env.TEST_TMP_DIR) : path.join(ROOT, 'tmp');
export const PGLITE_TEMPLATE = path.join(TMP, 'pglite-template.tar.gz');
export const PG_TEMPLATE_DB = 'liaison_test_template';

export function testDatabaseKind(): 'pglite' | 'postgres' {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}

/** The server URL with another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
