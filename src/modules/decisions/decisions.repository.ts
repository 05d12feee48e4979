import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import type { FinalOutcome } from './domain.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import { toldToAuthorityOf } from '../complaints/complaints.sql.ts';
import type { HomeScope, PanelOptions } from '../home/scope.ts';

export type DraftRow = Row<'draft_decisions'>;
export type CommentRow = Row<'draft_comments'> & { entered_by_name: string | null };
export type DisclosureRow = Row<'draft_disclosures'> & { recorded_by_name: string | null };
export type FinalRow = Row<'final_decisions'>;
export type ReviewRow = Row<'decision_reviews'>;

/** Queries for draft decisions, comments, disclosures, final decisions and reviews. */
export class DecisionsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Whether the authority has been told of the case (the complaints module's rule). */
  caseTold(complaintId: string): Promise<boolean> {
    return toldToAuthorityOf(this.db, complaintId);
  }

  static in(db: DbOrTx): DecisionsRepository {
    return new DecisionsRepository(db);
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

  /** An authority's findings of fault decided in a period, oldest first, with the latest draft's remedies. */
  findings(authorityId: string, from: string, to: string, outcomes: readonly FinalOutcome[]) {
    return this.db
      .selectFrom('final_decisions as f')
      .innerJoin('complaints as c', 'c.id', 'f.complaint_id')
      .leftJoin('decision_reviews as r', (j) =>
        j.onRef('r.final_decision_id', '=', 'f.id').on('r.result', '=', 'decision-changed'),
      )
      .leftJoin('draft_decisions as d', 'd.id', 'f.draft_id')
      .select([
        'f.id',
        'f.complaint_id',
        'c.reference',
        'c.service_area',
        'f.form',
        'f.decided_on',
        'f.statement',
        'd.remedies',
        sql<FinalOutcome>`coalesce(r.new_outcome, f.outcome)`.as('outcome'),
      ])
      .where('f.authority_id', '=', authorityId)
      .where('f.decided_on', '>=', from)
      .where('f.decided_on', '<=', to)
      .where(sql<FinalOutcome>`coalesce(r.new_outcome, f.outcome)`, 'in', [...outcomes])
      .orderBy('f.decided_on')
      .orderBy('c.reference')
      .execute();
  }

  /**
   * The home page's drafts waiting for the authority's comments: current drafts of cases with no final
   * decision yet and no comment from the authority on the draft, soonest comment deadline first, with
   * how many there are and how many are past the deadline. One statement.
   */
  async awaitingComment(scope: HomeScope, o: PanelOptions) {
    const result = await sql<{
      rows: {
        id: string;
        complaint_id: string;
        version: number;
        form: DraftRow['form'];
        due_on: string;
        reference: string;
        authority_name: string;
      }[];
      total: number;
      late: number;
    }>`
      WITH open AS (
        SELECT d.id, d.complaint_id, d.version, d.form, d.comment_due_on AS due_on, c.reference, d.authority_id
        FROM draft_decisions d
        JOIN complaints c ON c.id = d.complaint_id
        WHERE d.superseded_at IS NULL AND c.status <> 'closed' AND ${inScope(scope, 'd.authority_id')}
          AND NOT EXISTS (SELECT 1 FROM final_decisions f WHERE f.complaint_id = d.complaint_id)
          AND NOT EXISTS (SELECT 1 FROM draft_comments k WHERE k.draft_id = d.id AND k.party = 'authority')
          ${dueByFilter('d.comment_due_on', o.dueBy)}
      )
      SELECT
        (SELECT coalesce(json_agg(t ORDER BY t.due_on, t.id), '[]'::json) FROM (SELECT o.*, a.name AS authority_name FROM (SELECT * FROM open ORDER BY due_on, id LIMIT ${sql.lit(o.limit)}) o JOIN authorities a ON a.id = o.authority_id) t) AS rows,
        (SELECT count(*) FROM open) AS total,
        (SELECT count(*) FROM open WHERE due_on < ${o.today}::date) AS late
    `.execute(this.db);
    const row = result.rows[0];
    return { rows: row?.rows ?? [], total: row?.total ?? 0, late: row?.late ?? 0 };
  }

  /** Reviews of final decisions asked for and not yet decided, oldest first, with how many. One statement. */
  async pendingReviews(limit: number) {
    const result = await sql<{
      rows: { id: string; complaint_id: string; requested_on: string; reference: string; authority_name: string }[];
      total: number;
    }>`
      WITH open AS (
        SELECT r.id, r.complaint_id, r.requested_on, c.reference, a.name AS authority_name
        FROM decision_reviews r
        JOIN complaints c ON c.id = r.complaint_id
        JOIN authorities a ON a.id = r.authority_id
        WHERE r.result IS NULL
      )
      SELECT
        (SELECT coalesce(json_agg(t), '[]'::json) FROM (SELECT * FROM open ORDER BY requested_on, id LIMIT ${sql.lit(limit)}) t) AS rows,
        (SELECT count(*) FROM open) AS total
    `.execute(this.db);
    const row = result.rows[0];
    return { rows: row?.rows ?? [], total: row?.total ?? 0 };
  }
}
