import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { createRedactor } from '../../platform/mail/redact.ts';
import { containsAny, redact } from './domain.ts';

/**
 * The queries of a link officer's erasure outside their own record: their portal account, where
 * enquiries were delivered to them, change requests naming them, and copies of their details in the
 * outbox and in job payloads.
 */
export class LinkOfficerErasureRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Where enquiries and notices went to these addresses (lower case) at the authority: the address goes, the fact stays. */
  async eraseEnquiryRecipients(authorityId: string, addresses: readonly string[]): Promise<void> {
    await this.db
      .updateTable('enquiry_recipients')
      .set({ email: '[erased]' })
      .where('authority_id', '=', authorityId)
      .where(sql<string>`lower(email)`, 'in', addresses)
      .execute();
  }

  /** The authority's change requests: whom each would appoint and who asked. */
  changeRequestAddresses(authorityId: string) {
    return this.db
      .selectFrom('link_officer_change_requests')
      .select(['id', 'email', 'requester_email'])
      .where('authority_id', '=', authorityId)
      .execute();
  }

  /** Removes who asked for a change request: their name, address and account. */
  async eraseChangeRequester(id: string): Promise<void> {
    await this.db
      .updateTable('link_officer_change_requests')
      .set({ requester_name: '[erased]', requester_email: '[erased]', requester_user_id: null })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Deletes a portal account with its roles, sessions and links. When another record still points
   * at the account (and so refuses the delete), the account is emptied of personal data instead and
   * can never sign in again.
   */
  async eraseUser(userId: string, now: Date): Promise<void> {
    await sql`SAVEPOINT erase_user`.execute(this.db);
    try {
      await this.db.deleteFrom('users').where('id', '=', userId).execute();
      await sql`RELEASE SAVEPOINT erase_user`.execute(this.db);
    } catch {
      await sql`ROLLBACK TO SAVEPOINT erase_user`.execute(this.db);
      await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await this.db.deleteFrom('one_time_tokens').where('user_id', '=', userId).execute();
      await this.db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
      await this.db
        .updateTable('users')
        .set({
          email: `erased-${userId}@erased.invalid`,
          display_name: '[erased]',
          password_hash: null,
          totp_secret: null,
          totp_enabled_at: null,
          status: 'deactivated',
          updated_at: now,
        })
        .where('id', '=', userId)
        .execute();
    }
  }

  /**
   * Scrubs a person from every outgoing message that mentions them: the recipient, subject, text,
   * HTML and headers. `identifying` finds the messages; `all` is what is blanked out in them.
   */
  async scrubOutbox(identifying: readonly string[], all: readonly string[]): Promise<number> {
    if (identifying.length === 0) return 0;
    const rows = await this.db
      .selectFrom('outbox_messages')
      .select(['id', 'to_address', 'subject', 'text_body', 'html_body', sql<string>`headers::text`.as('headers_text')])
      .where((eb) =>
        eb.or(
          identifying.map((needle) =>
            eb(
              sql`position(${needle.toLowerCase()} in lower(to_address || ' ' || subject || ' ' || text_body || ' ' || coalesce(html_body, '') || ' ' || headers::text))`,
              '>',
              0,
            ),
          ),
        ),
      )
      .execute();
    // HTML bodies escape what they quote (O&#39;Brien, &#64;): the redactor reads the markup as a browser would.
    const redactor = createRedactor({ identifying, all, marker: '[erased]' });
    for (const row of rows) {
      await this.db
        .updateTable('outbox_messages')
        .set({
          to_address: containsAny(row.to_address, identifying) ? '[erased]' : redact(row.to_address, all),
          subject: redact(row.subject, all),
          text_body: redact(row.text_body, all),
          html_body: row.html_body === null ? null : redactor.html(row.html_body),
          headers: redact(row.headers_text, all.map(jsonEscaped)),
        })
        .where('id', '=', row.id)
        .execute();
    }
    return rows.length;
  }

  /** Scrubs a person from job payloads (the queue's data, output and schedules). */
  async scrubJobs(identifying: readonly string[], all: readonly string[]): Promise<number> {
    if (identifying.length === 0) return 0;
    const targets = await sql<{ table_name: string; column_name: string }>`
      SELECT c.table_name, c.column_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'pgboss' AND c.data_type = 'jsonb' AND t.table_type = 'BASE TABLE'
        AND c.table_name IN ('job', 'archive', 'schedule')`.execute(this.db);
    let changed = 0;
    const escapedIdentifying = identifying.map((n) => jsonEscaped(n).toLowerCase());
    const escapedAll = all.map(jsonEscaped);
    for (const target of targets.rows) {
      const table = sql.table(`pgboss.${target.table_name}`);
      const column = sql.ref(target.column_name);
      const hasId = target.table_name !== 'schedule';
      const found = await sql<{ name: string; id: string | null; body: string }>`
        SELECT name, ${hasId ? sql`id::text` : sql`NULL`} AS id, ${column}::text AS body FROM ${table}
        WHERE ${column} IS NOT NULL AND (${sql.join(
          escapedIdentifying.map((n) => sql`position(${n} in lower(${column}::text)) > 0`),
          sql` OR `,
        )})`.execute(this.db);
      for (const row of found.rows) {
        await sql`UPDATE ${table} SET ${column} = ${redact(row.body, escapedAll)}::jsonb
          WHERE name = ${row.name} ${row.id === null ? sql`` : sql`AND id = ${row.id}::uuid`}`.execute(this.db);
        changed++;
      }
    }
    return changed;
  }
}

/** How a string appears inside JSON text. */
const jsonEscaped = (value: string): string => JSON.stringify(value).slice(1, -1);
