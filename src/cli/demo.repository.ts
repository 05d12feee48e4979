import type { Insertable } from 'kysely';
import type { DbOrTx } from '../platform/db/database.ts';
import type { Database } from '../platform/db/schema.ts';

/** Kysely queries of the demo command: whether the database is empty, and the demo's councils. */
export class DemoRepository {
  constructor(private readonly db: DbOrTx) {}

  async countUsers(): Promise<number> {
    const users = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return users.n;
  }

  /** Whether an account with this email (whatever its case) exists. */
  async hasUserWithEmail(email: string): Promise<boolean> {
    const user = await this.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
      .executeTakeFirst();
    return user !== undefined;
  }

  /** Adds an authority; its id. */
  async insertAuthority(values: Insertable<Database['authorities']>): Promise<string> {
    const row = await this.db.insertInto('authorities').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }
}
