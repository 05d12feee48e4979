import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow } from '../../platform/db/schema.ts';

/**
 * The statements about delegation: the tasks link officers give their delegates, the delegates
 * themselves, and the authority's choice of how delegates' answers reach the ombudsman.
 */
export class DelegationQueries {
  constructor(protected readonly db: DbOrTx) {}

  delegations(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_delegations as d')
      .innerJoin('users as u', 'u.id', 'd.delegate_user_id')
      .selectAll('d')
      .select('u.display_name as delegate_name')
      .where('d.enquiry_id', '=', enquiryId)
      .orderBy('d.created_at')
      .execute();
  }

  /** The delegations a delegate holds on an enquiry (empty: they may not see it). */
  delegationsFor(enquiryId: string, userId: string) {
    return this.db
      .selectFrom('enquiry_delegations')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .where('delegate_user_id', '=', userId)
      .execute();
  }

  /** The delegations a delegate holds on an enquiry that are not yet done. */
  openDelegationsFor(enquiryId: string, userId: string) {
    return this.db
      .selectFrom('enquiry_delegations')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .where('delegate_user_id', '=', userId)
      .where('completed_at', 'is', null)
      .execute();
  }

  async insertDelegation(values: NewRow<'enquiry_delegations'>): Promise<string> {
    const row = await this.db
      .insertInto('enquiry_delegations')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async completeDelegation(id: string, now: Date, onTime: boolean): Promise<void> {
    await this.db
      .updateTable('enquiry_delegations')
      .set({ completed_at: now, completed_on_time: onTime })
      .where('id', '=', id)
      .execute();
  }

  findAuthorityUser(userId: string) {
    return this.db
      .selectFrom('users as u')
      .select(['u.id', 'u.authority_id', 'u.status', 'u.display_name', 'u.email'])
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('user_roles as r')
              .select('r.role')
              .whereRef('r.user_id', '=', 'u.id')
              .where('r.role', '=', 'delegate'),
          )
          .as('is_delegate'),
      )
      .where('u.id', '=', userId)
      .executeTakeFirst();
  }

  /**
   * Ends the tasks still open when the enquiry is answered or closed without them: they are no longer
   * open or overdue, and count neither for nor against the delegate.
   */
  async endOpenDelegations(enquiryId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('enquiry_delegations')
      .set({ ended_at: now })
      .where('enquiry_id', '=', enquiryId)
      .where('completed_at', 'is', null)
      .where('ended_at', 'is', null)
      .execute();
  }

  /** The authority's active delegates with their task figures (today's London date for "overdue"). */
  delegateFigures(authorityId: string, today: string) {
    return this.db
      .selectFrom('users as u')
      .innerJoin('user_roles as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'delegate'))
      .leftJoin('enquiry_delegations as d', (j) =>
        j.onRef('d.delegate_user_id', '=', 'u.id').on('d.authority_id', '=', authorityId),
      )
      .select([
        'u.id',
        'u.display_name',
        sql<number>`count(d.id) FILTER (WHERE d.completed_at IS NULL AND d.ended_at IS NULL)`.as('open'),
        sql<number>`count(d.id) FILTER (WHERE d.completed_at IS NULL AND d.ended_at IS NULL AND d.internal_due_on < ${today})`.as(
          'overdue',
        ),
        sql<number>`count(d.id) FILTER (WHERE d.completed_at IS NOT NULL)`.as('done'),
        sql<number>`count(d.id) FILTER (WHERE d.completed_on_time)`.as('done_on_time'),
      ])
      .where('u.authority_id', '=', authorityId)
      .where('u.status', '<>', 'deactivated')
      .groupBy(['u.id', 'u.display_name'])
      .orderBy('u.display_name')
      .execute();
  }

  delegates(authorityId: string) {
    return this.db
      .selectFrom('users as u')
      .innerJoin('user_roles as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'delegate'))
      .select(['u.id', 'u.display_name'])
      .where('u.authority_id', '=', authorityId)
      .where('u.status', '<>', 'deactivated')
      .orderBy('u.display_name')
      .execute();
  }

  async delegateSubmission(authorityId: string): Promise<'direct' | 'review'> {
    const row = await this.db
      .selectFrom('authority_enquiry_settings')
      .select('delegate_submission')
      .where('authority_id', '=', authorityId)
      .executeTakeFirst();
    return row?.delegate_submission ?? 'review';
  }

  async setDelegateSubmission(authorityId: string, mode: 'direct' | 'review', now: Date): Promise<void> {
    await this.db
      .insertInto('authority_enquiry_settings')
      .values({ authority_id: authorityId, delegate_submission: mode, updated_at: now })
      .onConflict((oc) => oc.column('authority_id').doUpdateSet({ delegate_submission: mode, updated_at: now }))
      .execute();
  }
}
