import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row, RowUpdate, TrainingAudience, TrainingFormat } from '../../platform/db/schema.ts';

export type CourseRow = Row<'training_courses'>;
export type SessionRow = Row<'training_sessions'>;
export type BookingRow = Row<'training_bookings'>;

/** A session with what its pages and messages show about its course, trainer and authority. */
export type SessionDetail = SessionRow & {
  course_title: string;
  course_format: TrainingFormat;
  course_price_pence: number;
  course_published: boolean;
  trainer_name: string | null;
  trainer_email: string | null;
  authority_name: string | null;
};

export interface PlaceCounts {
  confirmed: number;
  offered: number;
  waitlisted: number;
}

export type SessionWithCounts = SessionRow &
  PlaceCounts & { authority_name: string | null; trainer_name: string | null };

export interface CourseFilter {
  audience?: TrainingAudience | undefined;
  format?: TrainingFormat | undefined;
}

/** The statements about courses and sessions, and the one that numbers and writes a booking. */
export class CourseSessionQueries {
  constructor(protected readonly db: DbOrTx) {}

  // Courses.

  async insertCourse(row: NewRow<'training_courses'>): Promise<string> {
    const out = await this.db.insertInto('training_courses').values(row).returning('id').executeTakeFirstOrThrow();
    return out.id;
  }

  async updateCourse(id: string, changes: RowUpdate<'training_courses'>): Promise<boolean> {
    const out = await this.db.updateTable('training_courses').set(changes).where('id', '=', id).executeTakeFirst();
    return Number(out.numUpdatedRows) === 1;
  }

  findCourse(id: string): Promise<CourseRow | undefined> {
    return this.db.selectFrom('training_courses').selectAll().where('id', '=', id).executeTakeFirst();
  }

  allCourses(): Promise<CourseRow[]> {
    return this.db.selectFrom('training_courses').selectAll().orderBy('title').orderBy('id').execute();
  }

  /** Published courses, by title, filtered by audience and format. */
  publishedCourses(filter: CourseFilter): Promise<CourseRow[]> {
    let q = this.db.selectFrom('training_courses').selectAll().where('published', '=', true);
    if (filter.audience) q = q.where(sql<boolean>`${filter.audience} = ANY(audiences)`);
    if (filter.format) q = q.where('format', '=', filter.format);
    return q.orderBy('title').orderBy('id').execute();
  }

  // Sessions.

  async insertSession(row: NewRow<'training_sessions'>): Promise<string> {
    const out = await this.db.insertInto('training_sessions').values(row).returning('id').executeTakeFirstOrThrow();
    return out.id;
  }

  async updateSession(id: string, changes: RowUpdate<'training_sessions'>): Promise<void> {
    await this.db.updateTable('training_sessions').set(changes).where('id', '=', id).execute();
  }

  findSession(id: string): Promise<SessionDetail | undefined> {
    return this.db
      .selectFrom('training_sessions as s')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .leftJoin('users as t', 't.id', 's.trainer_id')
      .leftJoin('authorities as a', 'a.id', 's.authority_id')
      .selectAll('s')
      .select([
        'c.title as course_title',
        'c.format as course_format',
        'c.price_pence as course_price_pence',
        'c.published as course_published',
        't.display_name as trainer_name',
        't.email as trainer_email',
        'a.name as authority_name',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
  }

  /** Locks a session's row: bookings, cancellations and offers of one session take turns on it. */
  lockSession(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('training_sessions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * Locks a session's row and takes the next place (or the next `count` places, for bookings placed
   * together) in arrival order, in one statement: bookings of
   * one session take turns from here to their commit, so this is the last thing a booking does
   * before it writes its row.
   */
  numberNext(
    sessionId: string,
    count = 1,
  ): Promise<
    Pick<SessionRow, 'capacity' | 'starts_at' | 'booking_closes_at' | 'cancelled_at' | 'authority_id'> & {
      position: number;
    }
  > {
    return this.db
      .updateTable('training_sessions')
      .set((eb) => ({ next_position: eb('next_position', '+', count) }))
      .where('id', '=', sessionId)
      .returning([
        sql<number>`next_position - ${count}::int`.as('position'),
        'capacity',
        'starts_at',
        'booking_closes_at',
        'cancelled_at',
        'authority_id',
      ])
      .executeTakeFirstOrThrow();
  }

  /**
   * Writes a booking that takes a place while one is left, else joins the waiting list (call once
   * the session is locked: the count is read afresh by this statement).
   */
  async insertPlaced(
    row: Omit<NewRow<'training_bookings'>, 'status'>,
    capacity: number,
  ): Promise<'confirmed' | 'waitlisted'> {
    const out = await this.db
      .insertInto('training_bookings')
      .values({ ...row, status: this.placeStatus(row.session_id, capacity) })
      .returning('status')
      .executeTakeFirstOrThrow();
    return out.status === 'confirmed' ? 'confirmed' : 'waitlisted';
  }

  /** Gives a pending booking a place or the waiting list, as `insertPlaced` (call with the session locked). */
  async placePending(
    id: string,
    sessionId: string,
    capacity: number,
    position: number,
    now: Date,
  ): Promise<'confirmed' | 'waitlisted' | null> {
    const out = await this.db
      .updateTable('training_bookings')
      .set({ status: this.placeStatus(sessionId, capacity), position, confirmed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returning('status')
      .executeTakeFirst();
    if (!out) return null;
    return out.status === 'confirmed' ? 'confirmed' : 'waitlisted';
  }

  private placeStatus(sessionId: string, capacity: number) {
    return sql<'confirmed' | 'waitlisted'>`CASE WHEN (
      SELECT count(*) FROM training_bookings WHERE session_id = ${sessionId} AND status IN ('confirmed', 'offered')
    ) < ${capacity}::int THEN 'confirmed' ELSE 'waitlisted' END`;
  }

  /** An address's unconfirmed booking of a session whose link has expired lapses, so it may book again. */
  async lapseExpiredRequest(sessionId: string, email: string, now: Date): Promise<void> {
    await this.db
      .updateTable('training_bookings')
      .set({ status: 'lapsed' })
      .where('session_id', '=', sessionId)
      .where('email_key', '=', email.toLowerCase())
      .where('status', '=', 'pending')
      .where('confirm_expires_at', '<=', now)
      .execute();
  }

  async counts(sessionId: string): Promise<PlaceCounts> {
    const rows = await this.db
      .selectFrom('training_bookings')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('session_id', '=', sessionId)
      .where('status', 'in', ['confirmed', 'offered', 'waitlisted'])
      .groupBy('status')
      .execute();
    const of = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { confirmed: of('confirmed'), offered: of('offered'), waitlisted: of('waitlisted') };
  }

  /** Sessions with their places counted in one pass over each session's bookings. */
  private sessionsWithCounts() {
    return this.db
      .selectFrom('training_sessions as s')
      .leftJoin('authorities as a', 'a.id', 's.authority_id')
      .leftJoin('users as t', 't.id', 's.trainer_id')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('training_bookings as b')
            .select([
              sql<number>`count(*) FILTER (WHERE b.status = 'confirmed')::int`.as('confirmed'),
              sql<number>`count(*) FILTER (WHERE b.status = 'offered')::int`.as('offered'),
              sql<number>`count(*) FILTER (WHERE b.status = 'waitlisted')::int`.as('waitlisted'),
            ])
            .whereRef('b.session_id', '=', 's.id')
            .where('b.status', 'in', ['confirmed', 'offered', 'waitlisted'])
            .as('n'),
        (join) => join.onTrue(),
      )
      .selectAll('s')
      .select([
        'a.name as authority_name',
        't.display_name as trainer_name',
        sql<number>`n.confirmed`.as('confirmed'),
        sql<number>`n.offered`.as('offered'),
        sql<number>`n.waitlisted`.as('waitlisted'),
      ]);
  }

  sessionsOfCourse(courseId: string): Promise<SessionWithCounts[]> {
    return this.sessionsWithCounts().where('s.course_id', '=', courseId).orderBy('s.starts_at').execute();
  }

  /**
   * Sessions still to come of these courses, not cancelled, with their places: open ones, and the
   * in-house sessions of `authorityId`.
   */
  upcomingSessions(
    courseIds: readonly string[],
    now: Date,
    authorityId: string | null = null,
  ): Promise<SessionWithCounts[]> {
    if (courseIds.length === 0) return Promise.resolve([]);
    let q = this.sessionsWithCounts()
      .where('s.course_id', 'in', courseIds)
      .where('s.starts_at', '>', now)
      .where('s.cancelled_at', 'is', null);
    if (authorityId === null) q = q.where('s.authority_id', 'is', null);
    else q = q.where((eb) => eb.or([eb('s.authority_id', 'is', null), eb('s.authority_id', '=', authorityId)]));
    return q.orderBy('s.starts_at').execute();
  }

  /** Sessions a trainer runs, most recent first. */
  sessionsOfTrainer(trainerId: string): Promise<(SessionWithCounts & { course_title: string })[]> {
    return this.sessionsWithCounts()
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .select('c.title as course_title')
      .where('s.trainer_id', '=', trainerId)
      .orderBy('s.starts_at', 'desc')
      .limit(50)
      .execute();
  }

  /** Staff who may be named a session's trainer. */
  trainers(): Promise<{ id: string; display_name: string }[]> {
    return this.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('authority_id', 'is', null)
      .where('status', '=', 'active')
      .orderBy('display_name')
      .execute();
  }

  async isStaffUser(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('id', '=', id)
      .where('authority_id', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The names of these authorities in the directory, by id (those not found are left out). */
  async authorityNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('authorities').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async authorityName(id: string): Promise<string | null> {
    const row = await this.db.selectFrom('authorities').select('name').where('id', '=', id).executeTakeFirst();
    return row?.name ?? null;
  }
}
