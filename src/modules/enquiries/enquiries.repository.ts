import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { sql, type ExpressionBuilder } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database, NewRow, Row } from '../../platform/db/schema.ts';
import { reusableQuery } from '../../platform/db/reusable.ts';
import { inPart, type SweepPart } from '../../platform/db/sweep-parts.ts';
import { reminderItemsSql } from '../correspondence/bulk-reminders.sql.ts';
import { afterKeyset } from '../../platform/pagination.ts';
import type { SweepThresholds } from './domain.ts';
import { toldToAuthoritySql } from '../complaints/complaints.sql.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import type { HomeScope } from '../home/scope.ts';

export type EnquiryRow = Row<'enquiries'>;

export type QuestionRow = Row<'enquiry_questions'>;

/** Kysely queries for enquiries; plain rows out. */
/** A delegate sees only the enquiries with a delegation to them: the one rule for the inbox and its count. */
const delegatedTo = (delegateUserId: string) => (eb: ExpressionBuilder<Database & { e: Database['enquiries'] }, 'e'>) =>
  eb.exists(
    eb
      .selectFrom('enquiry_delegations as d')
      .select('d.id')
      .whereRef('d.enquiry_id', '=', 'e.id')
      .where('d.delegate_user_id', '=', delegateUserId),
  );

/**
 * The portal inbox in one statement: a page of open enquiries with their questions counted, how
 * many are open, and the latest reminders. Compiled once per shape (see inboxPage).
 */
const INBOX_PAGE = reusableQuery<{ authorityId: string; delegateUserId: string; afterDue: string; afterId: string }>()((
  db,
  slot,
  shape,
) => {
  const [delegate, after, limit, notices] = shape.split(' ');
  let items = db
    .selectFrom('enquiries as e')
    .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
    // Both counts in one pass over the enquiry's questions.
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('enquiry_questions as q')
          .select([
            sql<number>`count(*)`.as('questions'),
            sql<number>`count(*) FILTER (WHERE q.answer_state = 'ready')`.as('ready'),
          ])
          .whereRef('q.enquiry_id', '=', 'e.id')
          .as('qc'),
      (join) => join.onTrue(),
    )
    .select([
      'e.id',
      'e.number',
      'e.kind',
      'e.sent_at',
      'e.due_on',
      'c.reference as complaint_reference',
      'qc.questions',
      'qc.ready',
    ])
    .where('e.authority_id', '=', slot('authorityId'))
    .where('e.status', '=', 'open');
  let count = db
    .selectFrom('enquiries as e')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('e.authority_id', '=', slot('authorityId'))
    .where('e.status', '=', 'open');
  if (delegate === 'delegate') {
    items = items.where(delegatedTo(slot('delegateUserId')));
    count = count.where(delegatedTo(slot('delegateUserId')));
  }
  if (after === 'after') {
    items = items.where(
      afterKeyset(
        [sql.ref('e.due_on'), sql.ref('e.id')],
        [sql`${slot('afterDue')}::date`, sql`${slot('afterId')}::uuid`],
        'asc',
      ),
    );
  }
  const latest = db
    .selectFrom('enquiry_reminders as r')
    .innerJoin('enquiries as e', 'e.id', 'r.enquiry_id')
    .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
    .select(['r.kind', 'r.due_on', 'r.sent_at', 'e.id as enquiry_id', 'e.number', 'c.reference'])
    .where('r.authority_id', '=', slot('authorityId'))
    .where('e.status', '=', 'open')
    .orderBy('r.sent_at', 'desc')
    .orderBy('r.id')
    .limit(Number(notices));
  return db.selectNoFrom([
    jsonArrayFrom(items.orderBy('e.due_on').orderBy('e.id').limit(Number(limit))).as('rows'),
    count.as('total'),
    jsonArrayFrom(latest).as('notices'),
  ]);
});

export class EnquiriesRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): EnquiriesRepository {
    return new EnquiriesRepository(db);
  }

  // Complaints (read here, owned by the complaints module) --------------------------------------

  findComplaint(id: string) {
    return this.db
      .selectFrom('complaints as c')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .select([
        'c.id',
        'c.reference',
        'c.authority_id',
        'c.status',
        'c.summary',
        'c.investigator_id',
        'a.name as authority_name',
      ])
      .where('c.id', '=', id)
      .executeTakeFirst();
  }

  lockComplaint(id: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'status'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async nextNumber(complaintId: string): Promise<number> {
    const row = await this.db
      .selectFrom('enquiries')
      .select(sql<number>`coalesce(max(number), 0) + 1`.as('n'))
      .where('complaint_id', '=', complaintId)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  // Enquiries ------------------------------------------------------------------------------------

  async insertEnquiry(values: NewRow<'enquiries'>): Promise<string> {
    const row = await this.db.insertInto('enquiries').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async insertQuestions(rows: NewRow<'enquiry_questions'>[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('enquiry_questions').values(rows).execute();
  }

  async insertRecipients(rows: NewRow<'enquiry_recipients'>[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('enquiry_recipients').values(rows).execute();
  }

  async insertDueDate(values: NewRow<'enquiry_due_dates'>): Promise<void> {
    await this.db.insertInto('enquiry_due_dates').values(values).execute();
  }

  findEnquiry(id: string) {
    return this.db
      .selectFrom('enquiries as e')
      .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
      .innerJoin('authorities as a', 'a.id', 'e.authority_id')
      .selectAll('e')
      .select(['c.reference as complaint_reference', 'a.name as authority_name'])
      .where('e.id', '=', id)
      .executeTakeFirst();
  }

  lockEnquiry(id: string) {
    return this.db.selectFrom('enquiries').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  questions(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_questions as q')
      .leftJoin('users as u', 'u.id', 'q.answered_by')
      .selectAll('q')
      .select('u.display_name as answered_by_name')
      .where('q.enquiry_id', '=', enquiryId)
      .orderBy('q.position')
      .execute();
  }

  answerDocuments(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_answer_documents as ad')
      .innerJoin('enquiry_questions as q', 'q.id', 'ad.question_id')
      .innerJoin('documents as d', 'd.id', 'ad.document_id')
      .select(['ad.question_id', 'ad.document_id', 'd.filename', 'd.size'])
      .where('q.enquiry_id', '=', enquiryId)
      .orderBy('d.uploaded_at')
      .execute();
  }

  findQuestion(id: string) {
    return this.db.selectFrom('enquiry_questions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  recipients(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_recipients')
      .select(['email', 'recipient_as'])
      .where('enquiry_id', '=', enquiryId)
      .orderBy('position')
      .execute();
  }

  dueDates(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_due_dates')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .orderBy('set_at')
      .orderBy(sql`reason = 'sent'`, 'desc')
      .orderBy('due_on')
      .execute();
  }

  extensionRequests(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_extension_requests')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
  }

  reminders(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_reminders')
      .select(['kind', 'due_on', 'sent_at'])
      .where('enquiry_id', '=', enquiryId)
      .orderBy('sent_at')
      .orderBy('kind')
      .execute();
  }

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

  forComplaint(complaintId: string) {
    return this.db
      .selectFrom('enquiries')
      .select([
        'id',
        'number',
        'kind',
        'status',
        'sent_at',
        'sent_by',
        'due_on',
        'responded_at',
        'responded_by',
        'responded_on_time',
      ])
      .where('complaint_id', '=', complaintId)
      .orderBy('number')
      .execute();
  }

  allocationNotice(complaintId: string) {
    return this.db
      .selectFrom('allocation_notices')
      .select(['id', 'sent_at', 'addressed_to_name'])
      .where('complaint_id', '=', complaintId)
      .executeTakeFirst();
  }

  /**
   * A page of the portal inbox in one statement (one round trip): the open enquiries of an authority,
   * soonest due first (for a delegate only those given to them), how many there are, and the latest
   * `notices` reminders sent about them (none when `notices` is 0).
   */
  async inboxPage(
    authorityId: string,
    delegateUserId: string | null,
    limit: number,
    after: readonly [string, string] | null,
    notices: number,
  ) {
    // The statement's text depends on these; the values go in as parameters.
    const shape = `${delegateUserId === null ? 'all' : 'delegate'} ${after ? 'after' : 'first'} ${limit} ${notices}`;
    const [row] = await INBOX_PAGE.execute(this.db, shape, {
      authorityId,
      delegateUserId: delegateUserId ?? '',
      afterDue: after?.[0] ?? '',
      afterId: after?.[1] ?? '',
    });
    if (!row) throw new Error('The inbox query returned no row');
    // JSON carries timestamps as text.
    return {
      rows: row.rows.map((r) => Object.assign(r, { sent_at: new Date(r.sent_at) })),
      total: row.total,
      notices: row.notices.map((n) => Object.assign(n, { sent_at: new Date(n.sent_at) })),
    };
  }

  /** Open enquiries past their due date, most overdue first, for the staff dashboard. */
  overdue(today: string, limit: number) {
    return this.db
      .selectFrom('enquiries as e')
      .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
      .innerJoin('authorities as a', 'a.id', 'e.authority_id')
      .select(['e.id', 'e.number', 'e.due_on', 'c.reference', 'a.name as authority_name'])
      .where('e.status', '=', 'open')
      .where('e.due_on', '<', today)
      .orderBy('e.due_on')
      .orderBy('e.id')
      .limit(limit)
      .execute();
  }

  async countOverdueForAuthority(authorityId: string, today: string): Promise<number> {
    const row = await this.db
      .selectFrom('enquiries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', '=', authorityId)
      .where('status', '=', 'open')
      .where('due_on', '<', today)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  async countOverdue(today: string): Promise<number> {
    const row = await this.db
      .selectFrom('enquiries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'open')
      .where('due_on', '<', today)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  // The home page and the weekly email ------------------------------------------------------------

  /**
   * The home page's enquiries: an authority's open enquiries on cases it has been told of, soonest due
   * first (at most `limit`, only those due by `dueBy` when given), how many there are, how many are
   * overdue and how many due by `soonBy`. One statement, over enquiries_authority_idx.
   */
  async homePanel(scope: HomeScope, o: { today: string; soonBy: string; dueBy: string | null; limit: number }) {
    const result = await sql<{
      rows: {
        id: string;
        number: number;
        kind: EnquiryRow['kind'];
        due_on: string;
        reference: string;
        authority_name: string;
      }[];
      total: number;
      overdue: number;
      soon: number;
    }>`
      WITH open AS (
        SELECT e.id, e.number, e.kind, e.due_on, c.reference, e.authority_id
        FROM enquiries e JOIN complaints c ON c.id = e.complaint_id
        WHERE e.status = 'open' AND ${inScope(scope, 'e.authority_id')}
          ${dueByFilter('e.due_on', o.dueBy)}
      )
      SELECT
        (SELECT coalesce(json_agg(t ORDER BY t.due_on, t.id), '[]'::json) FROM (SELECT o.*, a.name AS authority_name FROM (SELECT * FROM open ORDER BY due_on, id LIMIT ${sql.lit(o.limit)}) o JOIN authorities a ON a.id = o.authority_id) t) AS rows,
        (SELECT count(*) FROM open) AS total,
        (SELECT count(*) FROM open WHERE due_on < ${o.today}::date) AS overdue,
        (SELECT count(*) FROM open WHERE due_on >= ${o.today}::date AND due_on <= ${o.soonBy}::date) AS soon
    `.execute(this.db);
    const row = result.rows[0];
    if (!row) throw new Error('The home enquiries query returned no row');
    return { rows: row.rows, total: row.total, overdue: row.overdue, soon: row.soon };
  }

  /**
   * Delegated tasks still open at an authority (only one delegate's when given), soonest due first,
   * with how many there are and how many are past their internal due date. One statement.
   */
  async delegationPanel(
    authorityId: string,
    o: { today: string; dueBy: string | null; limit: number; delegateUserId: string | null },
  ) {
    const result = await sql<{
      rows: {
        id: string;
        enquiry_id: string;
        number: number;
        due_on: string;
        reference: string;
        delegate_name: string;
        question_position: number | null;
      }[];
      total: number;
      late: number;
    }>`
      WITH open AS (
        SELECT d.id, d.enquiry_id, e.number, d.internal_due_on AS due_on, c.reference, d.delegate_user_id, d.question_id
        FROM enquiry_delegations d
        JOIN enquiries e ON e.id = d.enquiry_id
        JOIN complaints c ON c.id = e.complaint_id
        WHERE d.authority_id = ${authorityId} AND d.completed_at IS NULL AND d.ended_at IS NULL
          AND e.status = 'open' AND c.authority_id = ${authorityId} AND ${toldToAuthoritySql('c')}
          ${o.delegateUserId === null ? sql`` : sql`AND d.delegate_user_id = ${o.delegateUserId}`}
          ${dueByFilter('d.internal_due_on', o.dueBy)}
      )
      SELECT
        (SELECT coalesce(json_agg(t ORDER BY t.due_on, t.id), '[]'::json)
         FROM (SELECT o.id, o.enquiry_id, o.number, o.due_on, o.reference, u.display_name AS delegate_name, q.position AS question_position
               FROM (SELECT * FROM open ORDER BY due_on, id LIMIT ${sql.lit(o.limit)}) o
               JOIN users u ON u.id = o.delegate_user_id
               LEFT JOIN enquiry_questions q ON q.id = o.question_id) t) AS rows,
        (SELECT count(*) FROM open) AS total,
        (SELECT count(*) FROM open WHERE due_on < ${o.today}::date) AS late
    `.execute(this.db);
    const row = result.rows[0];
    if (!row) throw new Error('The home delegation query returned no row');
    return { rows: row.rows, total: row.total, late: row.late };
  }

  /**
   * An authority's enquiry responses that fell due from `from` to `today` (cases it has been told of):
   * how many, and how many were answered by their deadline. One still open and due today is not yet
   * counted (there is still time); one the ombudsman closed without a response is not counted.
   */
  async onTimeFigures(authorityId: string, from: string, today: string): Promise<{ due: number; onTime: number }> {
    const result = await sql<{ due: number; on_time: number }>`
      SELECT count(*) AS due, count(*) FILTER (WHERE e.responded_on_time) AS on_time
      FROM enquiries e JOIN complaints c ON c.id = e.complaint_id
      WHERE e.authority_id = ${authorityId}
        AND e.due_on >= ${from}::date AND e.due_on <= ${today}::date
        AND NOT (e.status = 'open' AND e.due_on = ${today}::date)
        AND NOT (e.status = 'closed' AND e.responded_at IS NULL)
        AND c.authority_id = ${authorityId} AND ${toldToAuthoritySql('c')}
    `.execute(this.db);
    const row = result.rows[0];
    return { due: row?.due ?? 0, onTime: row?.on_time ?? 0 };
  }

  /** Extension requests waiting for a decision, oldest first, with how many there are. One statement. */
  async pendingExtensions(limit: number) {
    const result = await sql<{
      rows: {
        id: string;
        enquiry_id: string;
        number: number;
        requested_at: string;
        reference: string;
        authority_name: string;
      }[];
      total: number;
    }>`
      SELECT
        (SELECT coalesce(json_agg(t), '[]'::json) FROM (
          SELECT x.id, x.enquiry_id, e.number, x.requested_at, c.reference, a.name AS authority_name
          FROM enquiry_extension_requests x
          JOIN enquiries e ON e.id = x.enquiry_id
          JOIN complaints c ON c.id = e.complaint_id
          JOIN authorities a ON a.id = e.authority_id
          WHERE x.status = 'pending'
          ORDER BY x.requested_at, x.id LIMIT ${sql.lit(limit)}) t) AS rows,
        (SELECT count(*) FROM enquiry_extension_requests WHERE status = 'pending') AS total
    `.execute(this.db);
    const row = result.rows[0];
    return {
      rows: (row?.rows ?? []).map((r) => Object.assign(r, { requested_at: new Date(r.requested_at) })),
      total: row?.total ?? 0,
    };
  }

  // Delegation ----------------------------------------------------------------------------------

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

  // The sweep -----------------------------------------------------------------------------------

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
