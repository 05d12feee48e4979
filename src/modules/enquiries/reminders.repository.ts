import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { inPart, sweepInParts, type SweepPart } from '../../platform/db/sweep-parts.ts';
import { reminderItemsSql } from '../correspondence/bulk-reminders.sql.ts';
import type { SweepThresholds } from './domain.ts';

/** The statements about deadlines that pass: the reminder and escalation sweep, and moving a deadline back for the demo. */
export class EnquiryRemindersRepository {
  constructor(private readonly db: DbOrTx) {}

  /**
   * Runs `work` on each part of the enquiries in its own transaction, with a repository bound to it,
   * taking only the parts no other worker holds (sweepInParts). The handle must not be a transaction.
   */
  inParts<R>(
    options: { lockClass: number; parts: number },
    work: (repo: EnquiryRemindersRepository, part: SweepPart) => Promise<R>,
  ): Promise<R[]> {
    return sweepInParts(this.db, options, (trx, part) => work(new EnquiryRemindersRepository(trx), part));
  }

  /**
   * Moves an enquiry's sending and first deadline back, as if it had been sent at `sent.at` (demo
   * data only: the deadline's history keeps its one row).
   */
  async backdate(
    enquiryId: string,
    sent: { at: Date; on: string },
    deadline: { dueOn: string; rule: string },
  ): Promise<void> {
    await this.db
      .updateTable('enquiries')
      .set({ sent_at: sent.at, sent_on: sent.on, due_on: deadline.dueOn, due_rule: deadline.rule })
      .where('id', '=', enquiryId)
      .execute();
    await this.db
      .updateTable('enquiry_due_dates')
      .set({ due_on: deadline.dueOn, rule: deadline.rule, set_at: sent.at })
      .where('enquiry_id', '=', enquiryId)
      .execute();
  }

  /**
   * Records every reminder and escalation due on this sweep and writes each as a correspondence item
   * on its case, in one statement: the insert into enquiry_reminders skips any (enquiry, kind, due
   * date) already there, and only rows it inserted get an item. A second worker sweeping at the same
   * moment waits on the unique key, then finds the rows and writes nothing. Items are addressed to
   * roles (the link officers; the chief executive for escalations, as a letter) and, like every item,
   * resolved to addresses and sent by the correspondence module's dispatch, which also makes their
   * HTML and letter PDF. The case's authority thread is made here if the case has none yet. The
   * audit records each reminder (`enquiry.reminder-<kind>`) once; its item is not audited again.
   * Only the enquiries in `part` (sweepInParts). Run it in a transaction: the caller checks that
   * every reminder got its item.
   */
  async sweep(
    t: SweepThresholds,
    now: Date,
    baseUrl: string,
    part: SweepPart,
  ): Promise<{ reminders: number; items: number }> {
    const result = await sql<{ reminders: number; items: number }>`
      WITH candidates AS (
        SELECT e.id, e.authority_id, e.due_on, k.kind
        FROM enquiries e
        CROSS JOIN LATERAL (VALUES
          (CASE WHEN e.due_on > ${t.today}::date AND e.due_working_days > ${t.reminderWorkingDays} THEN 'before-due' END),
          (CASE WHEN e.due_on = ${t.today}::date THEN 'due-today' END),
          (CASE WHEN e.due_on < ${t.today}::date THEN 'overdue' END),
          (CASE WHEN e.due_on < ${t.today}::date AND e.due_on <= ${t.escalateBy}::date THEN 'escalated-chief-executive' END)
        ) AS k(kind)
        WHERE e.status = 'open' AND e.due_on <= ${t.beforeDueBy}::date AND k.kind IS NOT NULL
          AND ${inPart(sql.ref('e.id'), part)}
      ),
      inserted AS (
        INSERT INTO enquiry_reminders (enquiry_id, authority_id, kind, due_on, sent_at)
        SELECT id, authority_id, kind, due_on, ${now} FROM candidates
        ON CONFLICT ON CONSTRAINT enquiry_reminders_once DO NOTHING
        RETURNING id, enquiry_id, authority_id, kind, due_on
      ),
      audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id)
        SELECT 'system', NULL, NULL, 'enquiry.reminder-' || kind, 'enquiry', enquiry_id, authority_id FROM inserted
        RETURNING 1
      ),
      letters AS (
        SELECT
          i.kind = 'escalated-chief-executive' AS escalation,
          c.id AS complaint_id,
          c.authority_id,
          CASE i.kind
            WHEN 'before-due' THEN 'Reminder: enquiry ' || e.number || ' on complaint ' || c.reference || ' is due soon'
            WHEN 'due-today' THEN 'Reminder: enquiry ' || e.number || ' on complaint ' || c.reference || ' is due today'
            WHEN 'overdue' THEN 'Overdue: enquiry ' || e.number || ' on complaint ' || c.reference
            ELSE 'Escalation: enquiry ' || e.number || ' on complaint ' || c.reference || ' is overdue'
          END AS subject,
          CASE i.kind
            WHEN 'escalated-chief-executive' THEN
              'The ' || a.name || ' response to the ombudsman''s enquiry ' || e.number || ' on complaint ' || c.reference ||
              ' was due on ' || to_char(i.due_on, 'FMDay FMDD FMMonth YYYY') || ' and has not arrived. ' ||
              'We have reminded the council''s link officers. Please make sure the response is sent without further delay: ' ||
              'the ombudsman may use its formal powers to require the information.'
            ELSE
              'Enquiry ' || e.number || ' on complaint ' || c.reference || ' for ' || a.name || ' is due on ' ||
              to_char(i.due_on, 'FMDay FMDD FMMonth YYYY') ||
              CASE WHEN i.kind = 'overdue' THEN ' and is now overdue.' ELSE '.' END ||
              E'\n\nRespond in the authority portal: ' || ${baseUrl} || '/portal/enquiries/' || e.id ||
              E'\nIf you need more time, ask for an extension there, with your reason.'
          END AS text_body
        FROM inserted i
        JOIN enquiries e ON e.id = i.enquiry_id
        JOIN complaints c ON c.id = e.complaint_id
        JOIN authorities a ON a.id = e.authority_id
      ),
      ${reminderItemsSql(now)}
      SELECT (SELECT count(*) FROM inserted)::int AS reminders, (SELECT count(*) FROM items)::int AS items,
             (SELECT count(*) FROM audited) AS audited
    `.execute(this.db);
    const row = result.rows[0];
    return { reminders: row?.reminders ?? 0, items: row?.items ?? 0 };
  }
}
