import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database, NewRow, Row } from '../../platform/db/schema.ts';
import { inPart, type SweepPart } from '../../platform/db/sweep-parts.ts';
import { reminderItemsSql } from '../correspondence/bulk-reminders.sql.ts';
import type { ComplianceCounts, RemedySweepThresholds } from './domain.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import { toldToAuthorityOf } from '../complaints/complaints.sql.ts';
import type { HomeScope, PanelOptions } from '../home/scope.ts';

export type RemedyRow = Row<'remedies'>;
export type EvidenceRow = Row<'remedy_evidence'> & {
  document_filename: string | null;
  submitted_by_name: string | null;
  reviewed_by_name: string | null;
};
export type ActionRow = Row<'remedy_actions'> & { taken_by_name: string | null; linked_reference: string | null };
export type RemedyWithCase = RemedyRow & { reference: string; authority_name: string; complaint_status: string };

/** Kysely queries for remedies, their evidence, the managers' actions and the reminder sweep. */
export class RemediesRepository {
  constructor(private readonly db: Kysely<Database> | DbOrTx) {}

  /** Whether the authority has been told of the case (the complaints module's rule). */
  caseTold(complaintId: string): Promise<boolean> {
    return toldToAuthorityOf(this.db, complaintId);
  }

  with(db: DbOrTx): RemediesRepository {
    return new RemediesRepository(db);
  }

  private withCase() {
    return this.db
      .selectFrom('remedies as r')
      .innerJoin('complaints as c', 'c.id', 'r.complaint_id')
      .innerJoin('authorities as a', 'a.id', 'r.authority_id')
      .selectAll('r')
      .select(['c.reference', 'a.name as authority_name', 'c.status as complaint_status']);
  }

  find(id: string): Promise<RemedyWithCase | undefined> {
    return this.withCase().where('r.id', '=', id).executeTakeFirst();
  }

  lock(id: string): Promise<RemedyRow | undefined> {
    return this.db.selectFrom('remedies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** A case's remedies, latest draft first, in their order. */
  forComplaint(complaintId: string): Promise<RemedyRow[]> {
    return this.db
      .selectFrom('remedies')
      .selectAll()
      .where('complaint_id', '=', complaintId)
      .orderBy('draft_version', 'desc')
      .orderBy('position')
      .execute();
  }

  async insert(rows: NewRow<'remedies'>[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const out = await this.db.insertInto('remedies').values(rows).returning('id').execute();
    return out.map((r) => r.id);
  }

  /** Proposals of earlier drafts of a case are replaced by a new draft's. */
  async supersedeProposals(complaintId: string, exceptDraftId: string | null): Promise<void> {
    let q = this.db
      .updateTable('remedies')
      .set({ status: 'superseded' })
      .where('complaint_id', '=', complaintId)
      .where('status', '=', 'proposed');
    if (exceptDraftId !== null) q = q.where('draft_id', '<>', exceptDraftId);
    await q.execute();
  }

  proposalsOf(draftId: string): Promise<RemedyRow[]> {
    return this.db
      .selectFrom('remedies')
      .selectAll()
      .where('draft_id', '=', draftId)
      .where('status', '=', 'proposed')
      .orderBy('position')
      .forUpdate()
      .execute();
  }

  async countOutstanding(complaintId: string): Promise<number> {
    const row = await this.db
      .selectFrom('remedies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('complaint_id', '=', complaintId)
      .where('status', '=', 'agreed')
      .executeTakeFirstOrThrow();
    return row.n;
  }

  evidence(remedyIds: readonly string[]): Promise<EvidenceRow[]> {
    if (remedyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('remedy_evidence as e')
      .leftJoin('documents as d', 'd.id', 'e.document_id')
      .leftJoin('users as s', 's.id', 'e.submitted_by')
      .leftJoin('users as v', 'v.id', 'e.reviewed_by')
      .selectAll('e')
      .select([
        'd.filename as document_filename',
        's.display_name as submitted_by_name',
        'v.display_name as reviewed_by_name',
      ])
      .where('e.remedy_id', 'in', remedyIds)
      .orderBy('e.submitted_at')
      .orderBy('e.id')
      .execute();
  }

  lockEvidence(id: string) {
    return this.db.selectFrom('remedy_evidence').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async waitingEvidence(remedyId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('remedy_evidence')
      .select('id')
      .where('remedy_id', '=', remedyId)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    return row !== undefined;
  }

  actions(remedyIds: readonly string[]): Promise<ActionRow[]> {
    if (remedyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('remedy_actions as x')
      .leftJoin('users as u', 'u.id', 'x.taken_by')
      .leftJoin('complaints as l', 'l.id', 'x.linked_complaint_id')
      .selectAll('x')
      .select(['u.display_name as taken_by_name', 'l.reference as linked_reference'])
      .where('x.remedy_id', 'in', remedyIds)
      .orderBy('x.taken_at')
      .orderBy('x.id')
      .execute();
  }

  /** An authority's agreed remedies, not yet complied with first, by due date. */
  forAuthority(authorityId: string, limit: number): Promise<RemedyWithCase[]> {
    return this.withCase()
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
    return this.withCase()
      .where('r.status', '=', 'agreed')
      .where('r.escalated_at', 'is not', null)
      .orderBy('r.escalated_at')
      .orderBy('r.id')
      .limit(limit)
      .execute();
  }

  late(today: string, limit: number) {
    return this.withCase()
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
   * Records every reminder and escalation due on this sweep and writes each reminder as a
   * correspondence item to the case's link officers, in one statement: the insert into
   * remedy_reminders skips any (remedy, kind, due date) already there, and only rows it inserted get
   * an item. A second worker sweeping at the same moment waits on the unique key, then finds the rows
   * and writes nothing. An escalation marks the remedy escalated (a casework manager's work list)
   * and writes no mail. The audit records each once (`remedy.reminder-<kind>`). The case's authority
   * thread is made here if the case has none yet. Run it in a transaction.
   */
  async sweep(
    t: RemedySweepThresholds,
    now: Date,
    baseUrl: string,
    part: SweepPart,
  ): Promise<{ reminders: number; items: number; escalated: number }> {
    const result = await sql<{ reminders: number; items: number; escalated: number }>`
      WITH candidates AS (
        SELECT r.id, r.authority_id, r.due_on, k.kind
        FROM remedies r
        CROSS JOIN LATERAL (VALUES
          (CASE WHEN r.due_on > ${t.today}::date THEN 'before-due' END),
          (CASE WHEN r.due_on < ${t.today}::date THEN 'overdue' END),
          (CASE WHEN r.due_on < ${t.today}::date AND r.due_on <= ${t.escalateBy}::date THEN 'escalated-manager' END)
        ) AS k(kind)
        WHERE r.status = 'agreed' AND r.due_on <= ${t.beforeDueBy}::date AND k.kind IS NOT NULL
          AND ${inPart(sql.ref('r.id'), part)}
      ),
      inserted AS (
        INSERT INTO remedy_reminders (remedy_id, authority_id, kind, due_on, sent_at)
        SELECT id, authority_id, kind, due_on, ${now} FROM candidates
        ON CONFLICT ON CONSTRAINT remedy_reminders_once DO NOTHING
        RETURNING remedy_id, authority_id, kind, due_on
      ),
      audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id)
        SELECT 'system', NULL, NULL, 'remedy.reminder-' || kind, 'remedy', remedy_id, authority_id FROM inserted
        RETURNING 1
      ),
      escalations AS (
        UPDATE remedies SET escalated_at = ${now}
        WHERE id IN (SELECT remedy_id FROM inserted WHERE kind = 'escalated-manager') AND escalated_at IS NULL
        RETURNING 1
      ),
      letters AS (
        SELECT
          c.id AS complaint_id,
          c.authority_id,
          CASE i.kind
            WHEN 'before-due' THEN 'Reminder: a remedy on complaint ' || c.reference || ' is due soon'
            ELSE 'Overdue: a remedy on complaint ' || c.reference
          END AS subject,
          'The ombudsman''s recommendation on complaint ' || c.reference || ' for ' || a.name || ' (' ||
            CASE r.type WHEN 'apology' THEN 'an apology' WHEN 'financial' THEN 'a financial payment'
              WHEN 'other-action' THEN 'an action' ELSE 'a service improvement' END ||
            ': ' || r.description || ') is due on ' || to_char(i.due_on, 'FMDay FMDD FMMonth YYYY') ||
            CASE WHEN i.kind = 'overdue'
              THEN '. We have not yet accepted evidence that it has been done, so it is now late.'
              ELSE '.' END ||
            E'\n\nSend the evidence of compliance in the authority portal: ' || ${baseUrl} || '/portal/remedies/' || r.id ||
            E'\nIf it cannot be done by then, tell us why as soon as possible.' AS text_body,
          false AS escalation
        FROM inserted i
        JOIN remedies r ON r.id = i.remedy_id
        JOIN complaints c ON c.id = r.complaint_id
        JOIN authorities a ON a.id = r.authority_id
        WHERE i.kind <> 'escalated-manager'
      ),
      ${reminderItemsSql(now)}
      SELECT (SELECT count(*) FROM inserted WHERE kind <> 'escalated-manager')::int AS reminders,
             (SELECT count(*) FROM items)::int AS items,
             (SELECT count(*) FROM escalations)::int AS escalated,
             (SELECT count(*) FROM audited) AS audited
    `.execute(this.db);
    const row = result.rows[0];
    return { reminders: row?.reminders ?? 0, items: row?.items ?? 0, escalated: row?.escalated ?? 0 };
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
