import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { inPart, sweepInParts, type SweepPart } from '../../platform/db/sweep-parts.ts';
import { reminderItemsSql } from '../correspondence/bulk-reminders.sql.ts';
import type { RemedySweepThresholds } from './domain.ts';

/** The remedies' reminder and escalation sweep. */
export class RemedyRemindersRepository {
  constructor(private readonly db: DbOrTx) {}

  /**
   * Runs `work` on each part of the remedies in its own transaction, with a repository bound to it,
   * taking only the parts no other worker holds (sweepInParts). The handle must not be a transaction.
   */
  inParts<R>(
    options: { lockClass: number; parts: number },
    work: (repo: RemedyRemindersRepository, part: SweepPart) => Promise<R>,
  ): Promise<R[]> {
    return sweepInParts(this.db, options, (trx, part) => work(new RemedyRemindersRepository(trx), part));
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
}
