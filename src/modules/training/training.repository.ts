import { sql } from 'kysely';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row, RowUpdate, TrainingAudience, TrainingFormat } from '../../platform/db/schema.ts';
import { enqueueMail, type OutgoingMail } from '../../platform/mail/outbox.ts';
import { HOLDS_PLACE, LIVE } from './domain.ts';

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

const counted = (status: string) =>
  sql<number>`(SELECT count(*)::int FROM training_bookings b WHERE b.session_id = s.id AND b.status = ${status})`;

/** Every statement of the training module: courses, sessions, bookings, attendance and the reports. */
export class TrainingRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Runs `work` in one transaction, with a repository bound to it. */
  transaction<T>(work: (repo: TrainingRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new TrainingRepository(trx)));
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  enqueueMail(mail: OutgoingMail): Promise<string | null> {
    return enqueueMail(this.db, mail);
  }

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

  /** The next place in arrival order (call with the session locked). */
  async takePosition(sessionId: string): Promise<number> {
    const out = await this.db
      .updateTable('training_sessions')
      .set((eb) => ({ next_position: eb('next_position', '+', 1) }))
      .where('id', '=', sessionId)
      .returning('next_position')
      .executeTakeFirstOrThrow();
    return out.next_position - 1;
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

  private sessionsWithCounts() {
    return this.db
      .selectFrom('training_sessions as s')
      .leftJoin('authorities as a', 'a.id', 's.authority_id')
      .leftJoin('users as t', 't.id', 's.trainer_id')
      .selectAll('s')
      .select([
        'a.name as authority_name',
        't.display_name as trainer_name',
        counted('confirmed').as('confirmed'),
        counted('offered').as('offered'),
        counted('waitlisted').as('waitlisted'),
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

  async authorityName(id: string): Promise<string | null> {
    const row = await this.db.selectFrom('authorities').select('name').where('id', '=', id).executeTakeFirst();
    return row?.name ?? null;
  }

  // Bookings.

  async insertBooking(row: NewRow<'training_bookings'>): Promise<string> {
    const out = await this.db.insertInto('training_bookings').values(row).returning('id').executeTakeFirstOrThrow();
    return out.id;
  }

  async updateBooking(id: string, changes: RowUpdate<'training_bookings'>): Promise<void> {
    await this.db.updateTable('training_bookings').set(changes).where('id', '=', id).execute();
  }

  findBooking(id: string): Promise<BookingRow | undefined> {
    return this.db.selectFrom('training_bookings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockBooking(id: string): Promise<BookingRow | undefined> {
    return this.db.selectFrom('training_bookings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  bookingByToken(
    column: 'confirm_token_hash' | 'offer_token_hash' | 'attendee_token_hash',
    hash: string,
  ): Promise<BookingRow | undefined> {
    return this.db.selectFrom('training_bookings').selectAll().where(column, '=', hash).executeTakeFirst();
  }

  /** The live booking of an address on a session, if any. */
  liveBooking(sessionId: string, email: string): Promise<BookingRow | undefined> {
    return this.db
      .selectFrom('training_bookings')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('email_key', '=', email.toLowerCase())
      .where('status', 'in', LIVE)
      .executeTakeFirst();
  }

  async heldPlaces(sessionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('training_bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', '=', sessionId)
      .where('status', 'in', HOLDS_PLACE)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** The first on the waiting list (call with the session locked). */
  firstWaiting(sessionId: string): Promise<BookingRow | undefined> {
    return this.db
      .selectFrom('training_bookings')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('status', '=', 'waitlisted')
      .orderBy('position')
      .limit(1)
      .executeTakeFirst();
  }

  /** A session's bookings in arrival order (pending ones last). */
  bookingsOfSession(sessionId: string): Promise<BookingRow[]> {
    return this.db
      .selectFrom('training_bookings')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy(sql`position NULLS LAST`)
      .orderBy('created_at')
      .execute();
  }

  /** Bookings an authority's people hold on a session. */
  bookingsOfAuthority(sessionId: string, authorityId: string): Promise<BookingRow[]> {
    return this.db
      .selectFrom('training_bookings')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('authority_id', '=', authorityId)
      .orderBy(sql`position NULLS LAST`)
      .execute();
  }

  /** An authority's live bookings on sessions still to come, soonest first. */
  upcomingOfAuthority(
    authorityId: string,
    now: Date,
  ): Promise<(BookingRow & { course_title: string; starts_at: Date; ends_at: Date })[]> {
    return this.db
      .selectFrom('training_bookings as b')
      .innerJoin('training_sessions as s', 's.id', 'b.session_id')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .selectAll('b')
      .select(['c.title as course_title', 's.starts_at', 's.ends_at'])
      .where('b.authority_id', '=', authorityId)
      .where('b.status', 'in', LIVE)
      .where('s.starts_at', '>', now)
      .orderBy('s.starts_at')
      .orderBy('b.name')
      .limit(200)
      .execute();
  }

  /** Cancels every live booking of a session, returning them. */
  cancelAllOf(sessionId: string, now: Date): Promise<BookingRow[]> {
    return this.db
      .updateTable('training_bookings')
      .set({ status: 'cancelled', cancelled_at: now })
      .where('session_id', '=', sessionId)
      .where('status', 'in', LIVE)
      .returningAll()
      .execute();
  }

  /** Offers whose time ran out, with their sessions: the sweep takes each in turn. */
  expiredOffers(now: Date, limit: number): Promise<{ id: string; session_id: string }[]> {
    return this.db
      .selectFrom('training_bookings')
      .select(['id', 'session_id'])
      .where('status', '=', 'offered')
      .where('offer_expires_at', '<=', now)
      .orderBy('offer_expires_at')
      .limit(limit)
      .execute();
  }

  /** Unconfirmed public bookings whose link has expired become lapsed, freeing the address. */
  async lapseUnconfirmed(now: Date): Promise<number> {
    const out = await this.db
      .updateTable('training_bookings')
      .set({ status: 'lapsed', confirm_token_hash: null })
      .where('status', '=', 'pending')
      .where('confirm_expires_at', '<=', now)
      .executeTakeFirst();
    return Number(out.numUpdatedRows);
  }

  /** Bookings to remind: held places on sessions that start after now and on or before `lastDay`'s end. */
  remindersDue(now: Date, until: Date, limit: number): Promise<BookingRow[]> {
    return this.db
      .selectFrom('training_bookings as b')
      .innerJoin('training_sessions as s', 's.id', 'b.session_id')
      .selectAll('b')
      .where('b.status', '=', 'confirmed')
      .where('b.reminded_at', 'is', null)
      .where('s.cancelled_at', 'is', null)
      .where('s.starts_at', '>', now)
      .where('s.starts_at', '<', until)
      .limit(limit)
      .execute();
  }

  async markReminded(ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('training_bookings').set({ reminded_at: now }).where('id', 'in', ids).execute();
  }

  // Feedback.

  async insertFeedback(row: NewRow<'training_feedback'>): Promise<boolean> {
    const out = await this.db
      .insertInto('training_feedback')
      .values(row)
      .onConflict((oc) => oc.column('booking_id').doNothing())
      .returning('booking_id')
      .executeTakeFirst();
    return out !== undefined;
  }

  async hasFeedback(bookingId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('training_feedback')
      .select('booking_id')
      .where('booking_id', '=', bookingId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A course's ratings and comments, newest first. */
  feedbackOfCourse(courseId: string): Promise<{ rating: number; comments: string; submitted_at: Date }[]> {
    return this.db
      .selectFrom('training_feedback as f')
      .innerJoin('training_bookings as b', 'b.id', 'f.booking_id')
      .innerJoin('training_sessions as s', 's.id', 'b.session_id')
      .select(['f.rating', 'f.comments', 'f.submitted_at'])
      .where('s.course_id', '=', courseId)
      .orderBy('f.submitted_at', 'desc')
      .execute();
  }
}
