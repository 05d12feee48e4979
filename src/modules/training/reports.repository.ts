import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';

export interface HistoryRow {
  session_id: string;
  course_id: string;
  course_title: string;
  starts_at: Date;
  booked: number;
  attended: number;
  names: string[];
}

export interface FinanceRow {
  starts_at: Date;
  course_title: string;
  price_pence: number;
  name: string;
  email: string;
  organisation: string | null;
  authority_name: string | null;
  purchase_order: string | null;
  attendance: string | null;
  booking_id: string;
}

export interface ToInviteRow {
  authority_id: string;
  authority_name: string;
  faults: number;
  remedies_due: number;
  remedies_kept: number;
  last_trained: Date | null;
}

/**
 * The training module's reports: an authority's history, the finance export, and the authorities to
 * invite. The last reads the casework's own record of faults found (final decisions) and of remedies
 * kept, read-only and by authority, as the home pages' panels do.
 */
export class TrainingReportsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** The sessions an authority's people were booked on, most recent first, with who went. */
  history(authorityId: string, limit: number): Promise<HistoryRow[]> {
    return this.db
      .selectFrom('training_bookings as b')
      .innerJoin('training_sessions as s', 's.id', 'b.session_id')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .select([
        's.id as session_id',
        'c.id as course_id',
        'c.title as course_title',
        's.starts_at',
        sql<number>`count(*)::int`.as('booked'),
        sql<number>`count(*) FILTER (WHERE b.attendance = 'attended')::int`.as('attended'),
        sql<string[]>`array_agg(b.name ORDER BY b.name)`.as('names'),
      ])
      .where('b.authority_id', '=', authorityId)
      .where('b.status', '=', 'confirmed')
      .where('s.cancelled_at', 'is', null)
      .groupBy(['s.id', 'c.id', 'c.title', 's.starts_at'])
      .orderBy('s.starts_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Every place on a paid course's session that is to be invoiced, by session date. */
  finance(from: Date, to: Date): Promise<FinanceRow[]> {
    return this.db
      .selectFrom('training_bookings as b')
      .innerJoin('training_sessions as s', 's.id', 'b.session_id')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .leftJoin('authorities as a', 'a.id', 'b.authority_id')
      .select([
        's.starts_at',
        'c.title as course_title',
        'c.price_pence',
        'b.name',
        'b.email',
        'b.organisation',
        'a.name as authority_name',
        'b.purchase_order',
        'b.attendance',
        'b.id as booking_id',
      ])
      .where('c.price_pence', '>', 0)
      .where('b.status', '=', 'confirmed')
      .where('s.cancelled_at', 'is', null)
      .where('s.starts_at', '>=', from)
      .where('s.starts_at', '<', to)
      .orderBy('s.starts_at')
      .orderBy(sql`coalesce(a.name, b.organisation, '')`)
      .orderBy('b.name')
      .execute();
  }

  /**
   * Open authorities with a fault found since `faultsSince` or fewer than `keptShare` of their remedies
   * due since then kept on time, whose people attended no training since `trainedSince`.
   */
  async toInvite(options: {
    faultsSince: string;
    trainedSince: Date;
    keptShare: number;
    today: string;
  }): Promise<ToInviteRow[]> {
    const result = await sql<ToInviteRow>`
      WITH faults AS (
        SELECT authority_id, count(*)::int AS faults
        FROM final_decisions
        WHERE decided_on >= ${options.faultsSince}::date AND outcome IN ('upheld-injustice', 'upheld-no-injustice')
        GROUP BY authority_id
      ), remedies_due AS (
        SELECT authority_id, count(*)::int AS due,
          count(*) FILTER (WHERE status = 'complied' AND complied_on_time)::int AS kept
        FROM remedies
        WHERE status IN ('agreed', 'complied', 'not-satisfied')
          AND due_on >= ${options.faultsSince}::date AND due_on < ${options.today}::date
        GROUP BY authority_id
      ), trained AS (
        SELECT b.authority_id, max(s.starts_at) AS last_trained
        FROM training_bookings b JOIN training_sessions s ON s.id = b.session_id
        WHERE b.authority_id IS NOT NULL AND b.attendance = 'attended'
        GROUP BY b.authority_id
      )
      SELECT a.id AS authority_id, a.name AS authority_name,
        coalesce(f.faults, 0) AS faults, coalesce(r.due, 0) AS remedies_due, coalesce(r.kept, 0) AS remedies_kept,
        t.last_trained
      FROM authorities a
      LEFT JOIN faults f ON f.authority_id = a.id
      LEFT JOIN remedies_due r ON r.authority_id = a.id
      LEFT JOIN trained t ON t.authority_id = a.id
      WHERE a.closed_at IS NULL
        AND (f.faults > 0 OR (r.due > 0 AND r.kept < r.due * ${options.keptShare}::numeric))
        AND (t.last_trained IS NULL OR t.last_trained < ${options.trainedSince})
      ORDER BY coalesce(f.faults, 0) DESC, a.sort_name
      LIMIT 200`.execute(this.db);
    return result.rows;
  }
}
