import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import type { HomeScope, PanelOptions } from '../home/scope.ts';
import type { ComplianceCounts } from './domain.ts';
import { remediesWithCase, type RemedyRow, type RemedyWithCase } from './remedies.repository.ts';

/**
 * The reads across many remedies: an authority's list, the staff work lists, the compliance counts
 * and the home page's panels.
 */
export class RemedyListsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** An authority's agreed remedies, not yet complied with first, by due date. */
  forAuthority(authorityId: string, limit: number): Promise<RemedyWithCase[]> {
    return remediesWithCase(this.db)
      .where('r.authority_id', '=', authorityId)
      .where('r.status', 'in', ['agreed', 'complied', 'not-satisfied'])
      .orderBy(sql`(r.status = 'agreed')`, 'desc')
      .orderBy('r.due_on')
      .orderBy('r.id')
      .limit(limit)
      .execute();
  }

  /** Staff work lists: remedies escalated to a casework manager, late ones, and evidence waiting for review. */
  escalated(limit: number) {
    return remediesWithCase(this.db)
      .where('r.status', '=', 'agreed')
      .where('r.escalated_at', 'is not', null)
      .orderBy('r.escalated_at')
      .orderBy('r.id')
      .limit(limit)
      .execute();
  }

  late(today: string, limit: number) {
    return remediesWithCase(this.db)
      .where('r.status', '=', 'agreed')
      .where('r.due_on', '<', today)
      .orderBy('r.due_on')
      .orderBy('r.id')
      .limit(limit)
      .execute();
  }

  awaitingReview(limit: number) {
    return this.db
      .selectFrom('remedy_evidence as e')
      .innerJoin('remedies as r', 'r.id', 'e.remedy_id')
      .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
      .innerJoin('authorities as a', 'a.id', 'e.authority_id')
      .select([
        'e.id as evidence_id',
        'e.submitted_at',
        'e.late',
        'r.id',
        'r.type',
        'r.description',
        'r.due_on',
        'r.complaint_id',
        'c.reference',
        'a.name as authority_name',
      ])
      .where('e.status', '=', 'submitted')
      .orderBy('e.submitted_at')
      .orderBy('e.id')
      .limit(limit)
      .execute();
  }

  /**
   * An authority's remedies falling due in [from, to], or complied with in it: how many, how many
   * complied with, how many on time. Two index range scans, one per branch.
   */
  async counts(authorityId: string, from: string, to: string): Promise<ComplianceCounts> {
    const result = await sql<{ counted: number; complied: number; on_time: number }>`
      SELECT count(*)::int AS counted,
             count(*) FILTER (WHERE status = 'complied')::int AS complied,
             count(*) FILTER (WHERE status = 'complied' AND complied_on_time)::int AS on_time
      FROM (
        SELECT status, complied_on_time FROM remedies
        WHERE authority_id = ${authorityId} AND status IN ('agreed', 'complied', 'not-satisfied')
          AND due_on BETWEEN ${from}::date AND ${to}::date
        UNION ALL
        SELECT status, complied_on_time FROM remedies
        WHERE authority_id = ${authorityId} AND status = 'complied'
          AND complied_on BETWEEN ${from}::date AND ${to}::date
          AND NOT (due_on BETWEEN ${from}::date AND ${to}::date)
      ) s
    `.execute(this.db);
    const row = result.rows[0];
    return { counted: row?.counted ?? 0, complied: row?.complied ?? 0, onTime: row?.on_time ?? 0 };
  }

  /**
   * The home page's remedies: agreed and not yet complied with, soonest due first, whether evidence is
   * waiting for the ombudsman's check, how many there are and how many are late. One statement.
   */
  async homePanel(scope: HomeScope, o: PanelOptions) {
    const result = await sql<{
      rows: {
        id: string;
        complaint_id: string;
        type: RemedyRow['type'];
        description: string;
        due_on: string;
        reference: string;
        authority_name: string;
        evidence_waiting: boolean;
      }[];
      total: number;
      late: number;
    }>`
      WITH open AS (
        SELECT r.id, r.complaint_id, r.type, r.description, r.due_on, c.reference, r.authority_id
        FROM remedies r
        JOIN complaints c ON c.id = r.complaint_id
        WHERE r.status = 'agreed' AND ${inScope(scope, 'r.authority_id')}
          ${dueByFilter('r.due_on', o.dueBy)}
      )
      SELECT
        (SELECT coalesce(json_agg(t ORDER BY t.due_on, t.id), '[]'::json) FROM (SELECT o.*, a.name AS authority_name,
               EXISTS (SELECT 1 FROM remedy_evidence v WHERE v.remedy_id = o.id AND v.status = 'submitted') AS evidence_waiting FROM (SELECT * FROM open ORDER BY due_on, id LIMIT ${sql.lit(o.limit)}) o JOIN authorities a ON a.id = o.authority_id) t) AS rows,
        (SELECT count(*) FROM open) AS total,
        (SELECT count(*) FROM open WHERE due_on < ${o.today}::date) AS late
    `.execute(this.db);
    const row = result.rows[0];
    return { rows: row?.rows ?? [], total: row?.total ?? 0, late: row?.late ?? 0 };
  }

  /** How many pieces of evidence are waiting for review (the list's own query is bounded). */
  async countAwaitingReview(): Promise<number> {
    const row = await this.db
      .selectFrom('remedy_evidence')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'submitted')
      .executeTakeFirstOrThrow();
    return row.n;
  }
}
