import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import type { ReminderThresholds } from './domain.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import type { PanelOptions } from '../home/scope.ts';

export type ReportRow = Row<'public_reports'>;
export type StepRow = Row<'public_report_steps'>;
export type AlertRow = Row<'public_report_alerts'>;
export type FurtherRow = Row<'public_report_further'>;

/** A step owed a reminder on this sweep, with what its letter needs. */
export interface DueReminder {
  reminderId: string;
  stepId: string;
  kind: 'before-due' | 'overdue' | 'escalated';
  stepKind: StepRow['kind'];
  dueOn: string;
  reportId: string;
  complaintId: string;
  reference: string;
  authorityId: string;
  authorityName: string;
}

/**
 * Kysely queries for public reports and what hangs from them: the case and the authority's senior
 * officers and portal users, the alerts, the statutory steps, further reports, the reminder sweep,
 * the portal's list and the home page's steps, and the demo's cases. Plain rows out.
 */
export class PublicReportsRepository {
  constructor(readonly db: DbOrTx) {}

  with(db: DbOrTx): PublicReportsRepository {
    return new PublicReportsRepository(db);
  }

  /** Runs `work` in one transaction, with a repository bound to it (and the transaction, for other modules' services). */
  transaction<T>(work: (repo: PublicReportsRepository, trx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new PublicReportsRepository(trx), trx));
  }

  /** The complaint, locked for the change that follows. */
  lockComplaint(complaintId: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'reference', 'authority_id', 'service_area', 'status'])
      .where('id', '=', complaintId)
      .forUpdate()
      .executeTakeFirst();
  }

  complaint(complaintId: string) {
    return this.db
      .selectFrom('complaints as c')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .select(['c.id', 'c.reference', 'c.authority_id', 'c.service_area', 'c.status', 'a.name as authority_name'])
      .where('c.id', '=', complaintId)
      .executeTakeFirst();
  }

  /** The demo's cases: complaints under investigation, the given authority's first, newest first. */
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

  seniorOfficers(authorityId: string) {
    return this.db
      .selectFrom('senior_officers')
      .select(['role', 'service_area', 'name', 'job_title', 'email'])
      .where('authority_id', '=', authorityId)
      .execute();
  }

  /** Active portal users of the authority with one of these addresses (lower-cased). */
  async portalUsersByEmail(authorityId: string, emails: string[]): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['id', sql<string>`lower(email)`.as('email')])
      .where('authority_id', '=', authorityId)
      .where('status', '<>', 'deactivated')
      .where(sql<string>`lower(email)`, 'in', emails)
      .execute();
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  insertReport(row: NewRow<'public_reports'>) {
    return this.db.insertInto('public_reports').values(row).returningAll().executeTakeFirstOrThrow();
  }

  updateReport(id: string, set: Partial<NewRow<'public_reports'>>) {
    return this.db.updateTable('public_reports').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  report(id: string) {
    return this.db.selectFrom('public_reports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockReport(id: string) {
    return this.db.selectFrom('public_reports').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** The case's report in progress (not yet closed by a letter of satisfaction). */
  openReport(complaintId: string) {
    return this.db
      .selectFrom('public_reports')
      .selectAll()
      .where('complaint_id', '=', complaintId)
      .where('status', '<>', 'satisfied')
      .executeTakeFirst();
  }

  /** The case's reports, newest first. */
  forComplaint(complaintId: string) {
    return this.db
      .selectFrom('public_reports')
      .selectAll()
      .where('complaint_id', '=', complaintId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** An authority's reports with their case reference, newest first, after a keyset position. */
  forAuthority(authorityId: string, limit: number, after: [string, string] | null) {
    let query = this.db
      .selectFrom('public_reports as r')
      .innerJoin('complaints as c', 'c.id', 'r.complaint_id')
      .select([
        'r.id',
        'r.status',
        'r.criteria',
        'r.draft_issued_on',
        'r.final_issued_on',
        'r.comment_due_on',
        'r.created_at',
        'c.reference',
        'c.id as complaint_id',
        sql<string>`to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as('created_key'),
        sql<string | null>`(SELECT min(s.due_on)::text FROM public_report_steps s
          WHERE s.report_id = r.id AND s.round = r.round AND s.completed_on IS NULL)`.as('next_due_on'),
      ])
      .where('r.authority_id', '=', authorityId);
    if (after) {
      query = query.where(
        sql<boolean>`(to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), r.id) < (${after[0]}, ${after[1]}::uuid)`,
      );
    }
    return query.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(limit).execute();
  }

  insertAlert(row: NewRow<'public_report_alerts'>) {
    return this.db.insertInto('public_report_alerts').values(row).returningAll().executeTakeFirstOrThrow();
  }

  alerts(reportId: string) {
    return this.db
      .selectFrom('public_report_alerts')
      .selectAll()
      .where('report_id', '=', reportId)
      .orderBy('round')
      .orderBy('created_at')
      .orderBy(sql`array_position(ARRAY['chief-executive','monitoring-officer','head-of-service']::text[], role)`)
      .execute();
  }

  markAlertsSeen(reportId: string, userId: string, at: Date) {
    return this.db
      .updateTable('public_report_alerts')
      .set({ seen_at: at })
      .where('report_id', '=', reportId)
      .where('portal_user_id', '=', userId)
      .where('seen_at', 'is', null)
      .execute();
  }

  insertSteps(rows: NewRow<'public_report_steps'>[]) {
    return this.db.insertInto('public_report_steps').values(rows).execute();
  }

  steps(reportId: string) {
    return this.db
      .selectFrom('public_report_steps as s')
      .leftJoin('documents as d', 'd.id', 's.evidence_document_id')
      .selectAll('s')
      .select(['d.filename as evidence_filename'])
      .where('s.report_id', '=', reportId)
      .orderBy('s.round')
      .orderBy('s.position')
      .execute();
  }

  lockStep(stepId: string) {
    return this.db
      .selectFrom('public_report_steps')
      .selectAll()
      .where('id', '=', stepId)
      .forUpdate()
      .executeTakeFirst();
  }

  updateStep(id: string, set: Partial<NewRow<'public_report_steps'>>) {
    return this.db.updateTable('public_report_steps').set(set).where('id', '=', id).execute();
  }

  insertFurther(row: NewRow<'public_report_further'>) {
    return this.db.insertInto('public_report_further').values(row).returningAll().executeTakeFirstOrThrow();
  }

  further(reportId: string) {
    return this.db
      .selectFrom('public_report_further')
      .selectAll()
      .where('report_id', '=', reportId)
      .orderBy('round')
      .execute();
  }

  reminders(reportId: string) {
    return this.db
      .selectFrom('public_report_reminders as m')
      .innerJoin('public_report_steps as s', 's.id', 'm.step_id')
      .select(['m.id', 'm.kind', 'm.due_on', 'm.sent_at', 's.kind as step_kind', 's.round'])
      .where('s.report_id', '=', reportId)
      .orderBy('m.sent_at')
      .execute();
  }

  /**
   * Records every reminder owed on this sweep, each once: open steps of reports still running, in
   * their current round, with the kinds the thresholds call for. The insert skips any (step, kind,
   * due date) already there, so a second sweep, or one running at the same moment on another worker
   * (which waits on the unique key), writes nothing more; only rows inserted here are returned.
   */
  async recordDueReminders(t: ReminderThresholds, now: Date): Promise<DueReminder[]> {
    const result = await sql<DueReminder>`
      WITH candidates AS (
        SELECT s.id AS step_id, s.authority_id, s.due_on, k.kind
        FROM public_report_steps s
        JOIN public_reports r ON r.id = s.report_id AND r.round = s.round AND r.status = 'final'
        CROSS JOIN LATERAL (VALUES
          (CASE WHEN s.due_on >= ${t.today}::date AND s.due_on <= ${t.remindBy}::date THEN 'before-due' END),
          (CASE WHEN s.due_on < ${t.today}::date THEN 'overdue' END),
          (CASE WHEN s.due_on < ${t.today}::date AND s.due_on <= ${t.escalateBy}::date THEN 'escalated' END)
        ) AS k(kind)
        WHERE s.completed_on IS NULL AND s.due_on <= ${t.remindBy}::date AND k.kind IS NOT NULL
      ),
      inserted AS (
        INSERT INTO public_report_reminders (step_id, authority_id, kind, due_on, sent_at)
        SELECT step_id, authority_id, kind, due_on, ${now} FROM candidates
        ON CONFLICT ON CONSTRAINT public_report_reminders_once DO NOTHING
        RETURNING id, step_id, kind, due_on
      )
      SELECT i.id AS "reminderId", i.step_id AS "stepId", i.kind, s.kind AS "stepKind", i.due_on::text AS "dueOn",
        r.id AS "reportId", c.id AS "complaintId", c.reference, a.id AS "authorityId", a.name AS "authorityName"
      FROM inserted i
      JOIN public_report_steps s ON s.id = i.step_id
      JOIN public_reports r ON r.id = s.report_id
      JOIN complaints c ON c.id = r.complaint_id
      JOIN authorities a ON a.id = r.authority_id
      ORDER BY i.due_on, i.step_id, i.kind`.execute(this.db);
    return result.rows;
  }

  /** Whether the case has a public report whose statutory work is not finished. */
  async hasOpenReport(complaintId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('public_reports')
      .select('id')
      .where('complaint_id', '=', complaintId)
      .where('status', '<>', 'satisfied')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The home page's statutory steps: an authority's steps not yet completed on its public reports,
   * soonest due first, with how many there are and how many are late. One statement.
   */
  async stepsPanel(authorityId: string, o: PanelOptions) {
    const result = await sql<{
      rows: { id: string; report_id: string; kind: StepRow['kind']; due_on: string; reference: string }[];
      total: number;
      late: number;
    }>`
      WITH open AS (
        SELECT s.id, s.report_id, s.kind, s.due_on, c.reference
        FROM public_report_steps s
        JOIN public_reports p ON p.id = s.report_id
        JOIN complaints c ON c.id = p.complaint_id
        WHERE s.completed_on IS NULL AND p.status = 'final' AND ${inScope({ authorityId }, 's.authority_id')}
          ${dueByFilter('s.due_on', o.dueBy)}
      )
      SELECT
        (SELECT coalesce(json_agg(t), '[]'::json) FROM (SELECT * FROM open ORDER BY due_on, id LIMIT ${sql.lit(o.limit)}) t) AS rows,
        (SELECT count(*) FROM open) AS total,
        (SELECT count(*) FROM open WHERE due_on < ${o.today}::date) AS late
    `.execute(this.db);
    const row = result.rows[0];
    return { rows: row?.rows ?? [], total: row?.total ?? 0, late: row?.late ?? 0 };
  }
}
