import { sql, type Insertable } from 'kysely';
import type { DbOrTx } from '../db/database.ts';
import type { Database, Row } from '../db/schema.ts';

/**
 * Advisory locks (two-key form; the class numbers follow the migrations' and sweeps'). A store holds
 * the shared lock of its file's content until its transaction ends, and a file is deleted only under
 * the exclusive one, taken without waiting: so no file is deleted between a store finding it already
 * on disk and its row committing. The budget's lock makes unfiled uploads check and add to it one at a time.
 */
const FILE_LOCK_CLASS = 7_240_334;
const UNFILED_BUDGET_LOCK = { class: 7_240_335, id: 0 };

/** A file's lock key: the first 32 bits of its SHA-256 (two contents sharing it only wait on each other). */
const fileLockId = (storageKey: string) => Number.parseInt(storageKey.slice(-64, -56), 16) | 0;

/** Kysely queries for document storage: the `documents` rows and the locks that guard their files. */
export class FilesRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Takes the shared lock of a file's content, held until the transaction ends. */
  async lockFileShared(storageKey: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock_shared(${FILE_LOCK_CLASS}::int, ${fileLockId(storageKey)}::int)`.execute(
      this.db,
    );
  }

  /** Takes the exclusive lock of a file's content without waiting; false when a store holds it. */
  async tryLockFile(storageKey: string): Promise<boolean> {
    const { rows } = await sql<{ claimed: boolean }>`
            SELECT pg_try_advisory_xact_lock(${FILE_LOCK_CLASS}::int, ${fileLockId(storageKey)}::int) AS claimed`.execute(
      this.db,
    );
    return rows[0]?.claimed ?? false;
  }

  /** Takes the lock of the budget for unfiled uploads, held until the transaction ends. */
  async lockUnfiledBudget(): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(${UNFILED_BUDGET_LOCK.class}::int, ${UNFILED_BUDGET_LOCK.id}::int)`.execute(
      this.db,
    );
  }

  /** The bytes held by documents no case holds that no one signed in uploaded. */
  async unfiledBytesHeld(): Promise<number> {
    const { held } = await this.db
      .selectFrom('documents')
      .select(sql<number>`coalesce(sum(size), 0)::int8`.as('held'))
      .where('complaint_id', 'is', null)
      .where('uploaded_by', 'is', null)
      .executeTakeFirstOrThrow();
    return held;
  }

  async insertDocument(values: Insertable<Database['documents']>): Promise<Row<'documents'>> {
    return this.db.insertInto('documents').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** Those of the storage keys that some row still names. */
  async storageKeysNamed(keys: readonly string[]): Promise<Set<string>> {
    const named = await this.db
      .selectFrom('documents')
      .select('storage_key')
      .distinct()
      .where('storage_key', 'in', keys)
      .execute();
    return new Set(named.map((r) => r.storage_key));
  }
}
