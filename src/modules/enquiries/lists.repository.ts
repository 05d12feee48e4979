import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { sql, type ExpressionBuilder } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { reusableQuery } from '../../platform/db/reusable.ts';
import { afterKeyset } from '../../platform/pagination.ts';
import { toldToAuthoritySql } from '../complaints/complaints.sql.ts';
import { dueByFilter, inScope } from '../home/scope.sql.ts';
import type { HomeScope } from '../home/scope.ts';
import type { EnquiryRow } from './enquiries.repository.ts';

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

/**
 * The lists and figures pages show across many enquiries: the portal inbox, the staff dashboard's
 * overdue enquiries, the home pages' panels, on-time figures and the requests for more time waiting
 * for a decision. Reads only; plain rows out.
 */
export class EnquiryListsRepository {
  constructor(private readonly db: DbOrTx) {}

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
}
