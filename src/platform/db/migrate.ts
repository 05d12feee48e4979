import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../paths.ts';
import type { Db } from './database.ts';

export const MIGRATIONS_DIR = path.join(ROOT_DIR, 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number.parseInt(file.slice(0, 4), 10),
      name: file.replace(/\.sql$/, ''),
      sql: fs.readFileSync(path.join(dir, file), 'utf8'),
    }));
}

const LOCK_KEY = 7_240_331; // any constant: serialises migrations across processes on one server

/** Applies every pending numbered migration, each in its own transaction. Returns the names applied. */
export async function migrate(db: Db, migrations = readMigrations()): Promise<string[]> {
  return db.withSession(async (session) => {
    const run = (text: string) => session.exec(text);
    if (db.kind === 'postgres') await run(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    try {
      await run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const applied = new Set(
        (await session.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await run(
          `BEGIN;\n${m.sql}\n;INSERT INTO schema_migrations (version, name) VALUES (${m.version}, '${m.name}');\nCOMMIT;`,
        );
        done.push(m.name);
      }
      return done;
    } finally {
      if (db.kind === 'postgres') await run(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    }
  });
}
