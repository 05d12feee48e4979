import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import type { LinkOfficer, OfficerDetails } from './domain.ts';

export type LinkOfficerRow = Row<'link_officers'>;
export type ChangeRequestRow = Row<'link_officer_change_requests'>;

export const toOfficer = (row: LinkOfficerRow): LinkOfficer => ({
  id: row.id,
  authorityId: row.authority_id,
  slot: row.slot,
  userId: row.user_id,
  failingSince: row.failing_since,
  bounceStatus: row.bounce_status,
  title: row.title,
  forename: row.forename,
  surname: row.surname,
  jobTitle: row.job_title,
  email: row.email,
  correspondenceEmail: row.correspondence_email,
  phone: row.phone,
});

export const detailColumns = (d: OfficerDetails) => ({
  title: d.title,
  forename: d.forename,
  surname: d.surname,
  job_title: d.jobTitle,
  email: d.email,
  correspondence_email: d.correspondenceEmail,
  phone: d.phone,
});

export interface CoverListRow {
  id: string;
  link_officer_id: string;
  starts_on: string;
  ends_on: string;
  cover_user_id: string | null;
  cover_officer_id: string | null;
  cover_email: string;
  cover_name: string;
}

/** Kysely queries for link officers, their absence cover and change requests. Returns plain rows. */
export class LinkOfficersRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): LinkOfficersRepository {
    return new LinkOfficersRepository(db);
  }

  // Authorities (the directory's table; only what this module needs) -------------------------------

  findAuthority(id: string) {
    return this.db.selectFrom('authorities').select(['id', 'name', 'active']).where('id', '=', id).executeTakeFirst();
  }

  /** Active authorities with no link officer, in name order. */
  authoritiesWithoutLinkOfficer(limit: number) {
    return this.db
      .selectFrom('authorities')
      .select(['id', 'name'])
      .where('active', '=', true)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('link_officers')
              .select('link_officers.id')
              .whereRef('link_officers.authority_id', '=', 'authorities.id'),
          ),
        ),
      )
      .orderBy('sort_name')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async countAuthoritiesWithoutLinkOfficer(): Promise<number> {
    const row = await this.db
      .selectFrom('authorities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('active', '=', true)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('link_officers')
              .select('link_officers.id')
              .whereRef('link_officers.authority_id', '=', 'authorities.id'),
          ),
        ),
      )
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** The authority's generic inbox and its chief executive's email, from the authority directory. */
  async authorityContacts(
    authorityId: string,
  ): Promise<{ genericInbox: string | null; chiefExecutiveEmail: string | null }> {
    const row = await sql<{ generic_inbox: string | null; chief_executive_email: string | null }>`
      SELECT a.generic_inbox,
             (SELECT s.email FROM senior_officers s
               WHERE s.authority_id = a.id AND s.role = 'chief-executive' LIMIT 1) AS chief_executive_email
      FROM authorities a WHERE a.id = ${authorityId}`.execute(this.db);
    const first = row.rows[0];
    return {
      genericInbox: first?.generic_inbox?.trim() ? first.generic_inbox.trim() : null,
      chiefExecutiveEmail: first?.chief_executive_email ?? null,
    };
  }

  // Link officers ----------------------------------------------------------------------------------

  listOfficers(authorityId: string) {
    return this.db
      .selectFrom('link_officers')
      .selectAll()
      .where('authority_id', '=', authorityId)
      .orderBy('slot')
      .execute();
  }

  findOfficer(id: string) {
    return this.db.selectFrom('link_officers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Locks an authority's link officer rows for the rest of the transaction. */
  async lockOfficers(authorityId: string): Promise<void> {
    await this.db
      .selectFrom('link_officers')
      .select('id')
      .where('authority_id', '=', authorityId)
      .forUpdate()
      .execute();
  }

  /**
   * Inserts into a place if it is free. The unique (authority_id, slot) constraint decides: a
   * concurrent insert into the same place waits, and then this one inserts nothing.
   */
  async insertIntoSlot(values: NewRow<'link_officers'>): Promise<LinkOfficerRow | undefined> {
    return this.db
      .insertInto('link_officers')
      .values(values)
      .onConflict((oc) => oc.columns(['authority_id', 'slot']).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /** Updates an officer's details; a changed address is no longer marked as failing. */
  async updateOfficer(id: string, details: OfficerDetails, userId: string | null, now: Date): Promise<void> {
    const sameAddresses = sql<boolean>`email = ${details.email} AND correspondence_email IS NOT DISTINCT FROM ${details.correspondenceEmail}`;
    await this.db
      .updateTable('link_officers')
      .set({
        ...detailColumns(details),
        user_id: userId,
        updated_at: now,
        failing_since: sql<Date | null>`CASE WHEN ${sameAddresses} THEN failing_since END`,
        bounce_status: sql<string | null>`CASE WHEN ${sameAddresses} THEN bounce_status END`,
      })
      .where('id', '=', id)
      .execute();
  }

  async deleteOfficer(id: string): Promise<void> {
    await this.db.deleteFrom('link_officers').where('id', '=', id).execute();
  }

  /** Current link officers' addresses for the Ombudsman Link newsletter (the view, not a copy). */
  newsletterRecipients() {
    return this.db
      .selectFrom('newsletter_role_subscribers')
      .select(['link_officer_id', 'authority_id', 'email', 'forename', 'surname'])
      .orderBy('authority_id')
      .execute();
  }

  // Portal accounts --------------------------------------------------------------------------------

  findUserByEmail(email: string) {
    return this.db
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'authority_id', 'status'])
      .where(sql`lower(email)`, '=', email.trim().toLowerCase())
      .executeTakeFirst();
  }

  findUser(id: string) {
    return this.db
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'authority_id', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The authority's accounts holding a role, in name order. */
  usersWithRole(authorityId: string, role: string) {
    return this.db
      .selectFrom('users')
      .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
      .select(['users.id', 'users.email', 'users.display_name', 'users.status'])
      .where('users.authority_id', '=', authorityId)
      .where('user_roles.role', '=', role)
      .where('users.status', '<>', 'deactivated')
      .orderBy(sql`lower(users.display_name)`)
      .orderBy('users.id')
      .execute();
  }

  async userHasRole(userId: string, role: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('user_roles')
      .select('role')
      .where('user_id', '=', userId)
      .where('role', '=', role)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A link to set a password, for a delegate's new account. */
  async insertInvitationToken(values: Omit<NewRow<'one_time_tokens'>, 'purpose'>): Promise<void> {
    await this.db
      .insertInto('one_time_tokens')
      .values({ ...values, purpose: 'invitation' })
      .execute();
  }

  // Absence cover ----------------------------------------------------------------------------------

  async insertCover(values: NewRow<'link_officer_covers'>): Promise<string> {
    const row = await this.db
      .insertInto('link_officer_covers')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async deleteCover(id: string, authorityId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('link_officer_covers')
      .where('id', '=', id)
      .where('authority_id', '=', authorityId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The authority's absence covers ending on or after a date, with the covering person's address. */
  covers(authorityId: string, endingOnOrAfter: string): Promise<CoverListRow[]> {
    return this.db
      .selectFrom('link_officer_covers as c')
      .leftJoin('users as u', 'u.id', 'c.cover_user_id')
      .leftJoin('link_officers as o', 'o.id', 'c.cover_officer_id')
      .select([
        'c.id',
        'c.link_officer_id',
        'c.starts_on',
        'c.ends_on',
        'c.cover_user_id',
        'c.cover_officer_id',
        sql<string>`coalesce(u.email, o.correspondence_email, o.email)`.as('cover_email'),
        sql<string>`coalesce(u.display_name, o.forename || ' ' || o.surname)`.as('cover_name'),
      ])
      .where('c.authority_id', '=', authorityId)
      .where('c.ends_on', '>=', endingOnOrAfter)
      .orderBy('c.starts_on')
      .orderBy('c.id')
      .execute();
  }

  // Change requests --------------------------------------------------------------------------------

  async insertChangeRequest(values: NewRow<'link_officer_change_requests'>): Promise<string> {
    const row = await this.db
      .insertInto('link_officer_change_requests')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  findChangeRequest(id: string) {
    return this.db.selectFrom('link_officer_change_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findChangeRequestByToken(tokenHash: string) {
    return this.db
      .selectFrom('link_officer_change_requests')
      .selectAll()
      .where('confirmation_token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Claims a request for a decision: only one decision wins. */
  lockChangeRequest(id: string) {
    return this.db
      .selectFrom('link_officer_change_requests')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async confirmChangeRequest(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable('link_officer_change_requests')
      .set({ status: 'pending', confirmed_at: now, confirmation_token_hash: null, confirmation_expires_at: null })
      .where('id', '=', id)
      .execute();
  }

  async deleteChangeRequest(id: string): Promise<void> {
    await this.db.deleteFrom('link_officer_change_requests').where('id', '=', id).execute();
  }

  /** Requests waiting for a decision by ombudsman staff, oldest first. */
  pendingChangeRequests() {
    return this.db
      .selectFrom('link_officer_change_requests as r')
      .innerJoin('authorities as a', 'a.id', 'r.authority_id')
      .selectAll('r')
      .select('a.name as authority_name')
      .where('r.status', '=', 'pending')
      .orderBy('r.created_at')
      .orderBy('r.id')
      .execute();
  }
}
