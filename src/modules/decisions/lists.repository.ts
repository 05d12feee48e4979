import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import type { HomeScope, PanelOptions } from '../home/scope.ts';
import type { DraftRow } from './decisions.repository.ts';
import type { FinalOutcome } from './domain.ts';

/**
 * The reads across many cases' decisions: an authority's findings of fault, and the home pages'
 * panels of drafts waiting for comments and reviews waiting for a decision.
 */
export class DecisionListsRepository {
  constructor(private readonly db: DbOrTx) {}

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
