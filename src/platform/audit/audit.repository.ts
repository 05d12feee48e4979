import type { Insertable } from 'kysely';
import type { DbOrTx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/** Kysely queries that append to the audit log (reading it is the audit module's). */
export class AuditTrailRepository {
  constructor(private readonly db: DbOrTx) {}

  async insert(row: Insertable<Database['audit_events']>): Promise<void> {
    await this.db.insertInto('audit_events').values(row).execute();
  }

  /** The roles a user holds, as stored. */
  async rolesOf(userId: string): Promise<string[]> {
    return (await this.db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute()).map(
      (r) => r.role,
    );
  }
}
