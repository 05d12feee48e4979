import { sql } from 'kysely';
import { auditRow, writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { NewRow, RowUpdate } from '../../platform/db/schema.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { outboxRow, type Outbox, type OutgoingAttachment, type OutgoingMail } from '../../platform/mail/outbox.ts';
import { HOLDS_PLACE, LIVE } from './domain.ts';
import { CourseSessionQueries, type BookingRow } from './course-sessions.repository.ts';

export type {
  BookingRow,
  CourseFilter,
  CourseRow,
  PlaceCounts,
  SessionDetail,
  SessionRow,
  SessionWithCounts,
} from './course-sessions.repository.ts';

/** A booking placed together with others: its place (`position`) is given, its status decided on writing. */
export type PlacedTogether = Pick<
  NewRow<'training_bookings'>,
  | 'name'
  | 'email'
  | 'organisation'
  | 'job_role'
  | 'accessibility_needs'
  | 'authority_id'
  | 'booked_by'
  | 'purchase_order'
> & { id: string; position: number };

/** The training module's statements: those of courses and sessions, and of bookings, attendance and feedback. */
export class TrainingRepository extends CourseSessionQueries {
  constructor(
    db: DbOrTx,
    private readonly mail: Outbox,
  ) {
    super(db);
  }

  /** Runs `work` in one transaction, with a repository bound to it. */
  transaction<T>(work: (repo: TrainingRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new TrainingRepository(trx, this.mail)));
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  /** The audit rows of events, for `writePlacedTogether`. */
  async auditRows(events: readonly AuditEvent[]): Promise<Awaited<ReturnType<typeof auditRow>>[]> {
    const rolesOf = new Map<string, readonly string[]>();
    const rows = [];
    for (const event of events) rows.push(await auditRow(this.db, event, rolesOf));
    return rows;
  }

  enqueueMail(mail: OutgoingMail): Promise<string | null> {
    return this.mail.enqueue(this.db, mail);
  }

  // Bookings.

  async insertBooking(row: NewRow<'training_bookings'>): Promise<string> {
    const out = await this.db.insertInto('training_bookings').values(row).returning('id').executeTakeFirstOrThrow();
    return out.id;
  }

  /**
   * Writes bookings placed together, in one statement, with the session locked and numbered: the
   * places still free are counted afresh; the first bookings in `bookings` (arrival order) take them
   * and the rest join the waiting list; each gets the message of its outcome from `mails` (those
   * of kind `calendarFile.kind` carry the calendar file, stored once per message); the audit rows
   * are written with them. Returns each booking's status by id.
   */
  async writePlacedTogether(group: {
    sessionId: string;
    capacity: number;
    now: Date;
    bookings: readonly PlacedTogether[];
    mails: readonly { bookingId: string; status: 'confirmed' | 'waitlisted'; mail: OutgoingMail }[];
    calendarFile: OutgoingAttachment & { kind: string };
    audits: readonly Awaited<ReturnType<typeof auditRow>>[];
  }): Promise<Map<string, 'confirmed' | 'waitlisted'>> {
    const bookings = JSON.stringify(group.bookings.map((b, i) => ({ ...b, ord: i + 1 })));
    const mails = JSON.stringify(
      group.mails.map((m) => ({ ...outboxRow(m.mail), booking_id: m.bookingId, status: m.status })),
    );
    const { calendarFile } = group;
    const out = await sql<{ id: string; status: string }>`
      WITH held AS (
        SELECT count(*)::int AS n FROM training_bookings
        WHERE session_id = ${group.sessionId} AND status IN ('confirmed', 'offered')
      ), placed AS (
        INSERT INTO training_bookings (id, session_id, name, email, organisation, job_role, accessibility_needs,
          authority_id, booked_by, purchase_order, position, status, confirmed_at)
        SELECT b.id, ${group.sessionId}, b.name, b.email, b.organisation, b.job_role, b.accessibility_needs,
          b.authority_id, b.booked_by, b.purchase_order, b.position,
          CASE WHEN b.ord <= ${group.capacity}::int - held.n THEN 'confirmed' ELSE 'waitlisted' END,
          ${group.now}::timestamptz
        FROM jsonb_to_recordset(${bookings}::jsonb) AS b(id uuid, name text, email text, organisation text,
          job_role text, accessibility_needs text, authority_id uuid, booked_by uuid, purchase_order text,
          position int, ord int), held
        RETURNING id, status
      ), mails AS (
        INSERT INTO outbox_messages (id, idempotency_key, kind, to_address, subject, text_body, html_body, headers)
        SELECT m.id, m.idempotency_key, m.kind, m.to_address, m.subject, m.text_body, m.html_body, m.headers::jsonb
        FROM jsonb_to_recordset(${mails}::jsonb) AS m(id uuid, idempotency_key text, kind text, to_address text,
          subject text, text_body text, html_body text, headers text, booking_id uuid, status text)
        JOIN placed ON placed.id = m.booking_id AND placed.status = m.status
        RETURNING id, kind
      ), files AS (
        INSERT INTO outbox_attachments (outbox_message_id, filename, content_type, content)
        SELECT mails.id, ${calendarFile.filename}, ${calendarFile.contentType}, ${calendarFile.content}
        FROM mails WHERE mails.kind = ${calendarFile.kind}
      ), audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id,
          request_id)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(group.audits)}::jsonb) AS a(actor_type text, actor_id uuid,
          actor_role text, action text, record_type text, record_id text, authority_id uuid, request_id text)
      )
      SELECT id, status FROM placed`.execute(this.db);
    if (group.mails.length > 0) await this.mail.dispatch(this.db);
    return new Map(out.rows.map((r) => [r.id, r.status === 'confirmed' ? 'confirmed' : 'waitlisted']));
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

  /** The live bookings of these addresses (lower-cased) on a session: address to status. */
  async liveBookingsOf(sessionId: string, emailKeys: readonly string[]): Promise<Map<string, string>> {
    if (emailKeys.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('training_bookings')
      .select(['email_key', 'status'])
      .where('session_id', '=', sessionId)
      .where('email_key', 'in', emailKeys)
      .where('status', 'in', LIVE)
      .execute();
    return new Map(rows.map((r) => [r.email_key, r.status]));
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
      .set({ status: 'lapsed' })
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
