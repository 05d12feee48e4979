import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import { toldToAuthorityOf } from '../complaints/complaints.sql.ts';

export type DraftRow = Row<'draft_decisions'>;
export type CommentRow = Row<'draft_comments'> & { entered_by_name: string | null };
export type DisclosureRow = Row<'draft_disclosures'> & { recorded_by_name: string | null };
export type FinalRow = Row<'final_decisions'>;
export type ReviewRow = Row<'decision_reviews'>;

/**
 * Queries for draft decisions, comments, disclosures, final decisions and reviews, and the cases
 * they hang from. The reads across many cases (findings, the home pages' panels) are in
 * `lists.repository.ts`.
 */
export class DecisionsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): DecisionsRepository {
    return new DecisionsRepository(db);
  }

  /** Runs `work` in one transaction, with a repository bound to it (and the transaction, for other modules' services). */
  transaction<T>(work: (repo: DecisionsRepository, trx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new DecisionsRepository(trx), trx));
  }

  /** Whether the authority has been told of the case (the complaints module's rule). */
  caseTold(complaintId: string): Promise<boolean> {
    return toldToAuthorityOf(this.db, complaintId);
  }

  lockComplaint(id: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'reference', 'authority_id', 'status', 'investigator_id', 'summary'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  complaint(id: string) {
    return this.db
      .selectFrom('complaints')
      .innerJoin('authorities', 'authorities.id', 'complaints.authority_id')
      .select([
        'complaints.id',
        'complaints.reference',
        'complaints.authority_id',
        'complaints.status',
        'complaints.outcome',
        'complaints.investigator_id',
        'complaints.service_area',
        'authorities.name as authority_name',
      ])
      .where('complaints.id', '=', id)
      .executeTakeFirst();
  }

  /** Cases under investigation for the demo's decisions, the given authority's first, newest first. */
  complaintsUnderInvestigation(firstAuthorityId: string, limit: number) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'authority_id', 'summary', 'service_area'])
      .where('status', '=', 'investigation')
      .orderBy(sql`authority_id = ${firstAuthorityId}`, 'desc')
      .orderBy('received_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  drafts(complaintId: string): Promise<(DraftRow & { issued_by_name: string | null })[]> {
    return this.db
      .selectFrom('draft_decisions')
      .leftJoin('users', 'users.id', 'draft_decisions.issued_by')
      .selectAll('draft_decisions')
      .select('users.display_name as issued_by_name')
      .where('draft_decisions.complaint_id', '=', complaintId)
      .orderBy('draft_decisions.version')
      .execute();
  }

  latestDraft(complaintId: string) {
    return this.db
      .selectFrom('draft_decisions')
      .selectAll()
      .where('complaint_id', '=', complaintId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  draft(id: string) {
    return this.db.selectFrom('draft_decisions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  draftByTokenHash(hash: string) {
    return this.db
      .selectFrom('draft_decisions')
      .selectAll()
      .where('complainant_token_hash', '=', hash)
      .executeTakeFirst();
  }

  async insertDraft(row: NewRow<'draft_decisions'>): Promise<string> {
    const r = await this.db.insertInto('draft_decisions').values(row).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async supersede(complaintId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('draft_decisions')
      .set({ superseded_at: at })
      .where('complaint_id', '=', complaintId)
      .where('superseded_at', 'is', null)
      .execute();
  }

  caseDocuments(complaintId: string, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('documents')
      .select(['id', 'filename', 'do_not_disclose'])
      .where('complaint_id', '=', complaintId)
      .where('id', 'in', [...ids])
      .execute();
  }

  async insertEvidence(rows: NewRow<'draft_decision_evidence'>[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('draft_decision_evidence').values(rows).execute();
  }

  evidence(draftIds: readonly string[]) {
    if (draftIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('draft_decision_evidence')
      .innerJoin('documents', 'documents.id', 'draft_decision_evidence.document_id')
      .select([
        'draft_decision_evidence.draft_id',
        'documents.id',
        'documents.filename',
        'documents.do_not_disclose',
        'draft_decision_evidence.position',
      ])
      .where('draft_decision_evidence.draft_id', 'in', [...draftIds])
      .orderBy('draft_decision_evidence.position')
      .execute();
  }

  async insertComment(row: NewRow<'draft_comments'>): Promise<string> {
    const r = await this.db.insertInto('draft_comments').values(row).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  comments(complaintId: string): Promise<CommentRow[]> {
    return this.db
      .selectFrom('draft_comments')
      .leftJoin('users', 'users.id', 'draft_comments.entered_by')
      .selectAll('draft_comments')
      .select('users.display_name as entered_by_name')
      .where('draft_comments.complaint_id', '=', complaintId)
      .orderBy('draft_comments.received_at')
      .execute();
  }

  async insertDisclosure(row: NewRow<'draft_disclosures'>): Promise<string> {
    const r = await this.db.insertInto('draft_disclosures').values(row).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  disclosures(complaintId: string): Promise<DisclosureRow[]> {
    return this.db
      .selectFrom('draft_disclosures')
      .leftJoin('users', 'users.id', 'draft_disclosures.recorded_by')
      .selectAll('draft_disclosures')
      .select('users.display_name as recorded_by_name')
      .where('draft_disclosures.complaint_id', '=', complaintId)
      .orderBy('draft_disclosures.recorded_at')
      .execute();
  }

  final(complaintId: string): Promise<(FinalRow & { decided_by_name: string | null }) | undefined> {
    return this.db
      .selectFrom('final_decisions')
      .leftJoin('users', 'users.id', 'final_decisions.decided_by')
      .selectAll('final_decisions')
      .select('users.display_name as decided_by_name')
      .where('final_decisions.complaint_id', '=', complaintId)
      .executeTakeFirst();
  }

  finalByTokenHash(hash: string) {
    return this.db
      .selectFrom('final_decisions')
      .selectAll()
      .where('complainant_token_hash', '=', hash)
      .executeTakeFirst();
  }

  async insertFinal(row: NewRow<'final_decisions'>): Promise<string> {
    const r = await this.db.insertInto('final_decisions').values(row).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  review(finalDecisionId: string): Promise<(ReviewRow & { decided_by_name: string | null }) | undefined> {
    return this.db
      .selectFrom('decision_reviews')
      .leftJoin('users', 'users.id', 'decision_reviews.decided_by')
      .selectAll('decision_reviews')
      .select('users.display_name as decided_by_name')
      .where('decision_reviews.final_decision_id', '=', finalDecisionId)
      .executeTakeFirst();
  }

  reviewById(id: string) {
    return this.db.selectFrom('decision_reviews').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Records a casework manager's decision on a review. */
  async decideReview(
    id: string,
    decision: Pick<
      RowUpdate<'decision_reviews'>,
      'result' | 'new_outcome' | 'result_reason' | 'decided_by' | 'decided_at'
    >,
  ): Promise<void> {
    await this.db.updateTable('decision_reviews').set(decision).where('id', '=', id).execute();
  }

  /** Inserts a review request; undefined when the decision already has one. */
  async insertReview(row: NewRow<'decision_reviews'>): Promise<string | undefined> {
    const r = await this.db
      .insertInto('decision_reviews')
      .values(row)
      .onConflict((oc) => oc.column('final_decision_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return r?.id;
  }

  /** Everyone who acted on a case: investigator, draft issuers, the decider, and status changes. */
  async involvedPeople(complaintId: string): Promise<string[]> {
    const rows = await sql<{ id: string | null }>`
      SELECT investigator_id AS id FROM complaints WHERE id = ${complaintId}
      UNION SELECT issued_by FROM draft_decisions WHERE complaint_id = ${complaintId}
      UNION SELECT decided_by FROM final_decisions WHERE complaint_id = ${complaintId}
      UNION SELECT changed_by FROM complaint_status_history WHERE complaint_id = ${complaintId}
    `.execute(this.db);
    return rows.rows.map((r) => r.id).filter((id): id is string => id !== null);
  }
}
