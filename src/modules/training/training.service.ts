import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import type { Actor } from '../accounts/domain.ts';
import * as attendance from './attendance.ts';
import * as booking from './booking.ts';
import { BookingGatherer } from './booking-batch.ts';
import type { TrainingContext, TrainingSettings } from './context.ts';
import { needs } from './context.ts';
import * as courses from './courses.ts';
import * as places from './places.ts';
import * as reports from './reports.ts';
import { TrainingReportsRepository } from './reports.repository.ts';
import * as sessions from './sessions.ts';
import { TrainingRepository, type CourseFilter } from './training.repository.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export type { BookingInput, Placed } from './booking.ts';
export type { CourseInput } from './courses.ts';
export type { SessionInput } from './sessions.ts';
export type { Attendance } from './attendance.ts';

/**
 * Training: courses published on the public site, their sessions, places booked (capacity never
 * exceeded; the waiting list in arrival order; cancelled places offered on), the messages about them,
 * attendance, certificates and feedback, and what it tells the relationship lead. Each use case is its
 * own file; this class is their one door.
 */
export class TrainingService {
  private readonly ctx: TrainingContext;
  /** Bookings of a session arriving together, placed together; none inside a caller's transaction. */
  private readonly gatherer: BookingGatherer | null;

  /**
   * `snapshots`, when given, keeps the public course list (the same for every visitor) for the
   * snapshot lifetime: its places left may lag a booking by that long; the course page and the
   * booking itself always read afresh.
   */
  constructor(
    db: DbOrTx,
    clock: Clock,
    calendar: WorkingCalendar,
    mail: Outbox,
    settings: TrainingSettings,
    private readonly snapshots: Snapshots | null = null,
  ) {
    this.ctx = {
      repo: new TrainingRepository(db, mail),
      reports: new TrainingReportsRepository(db),
      clock,
      calendar,
      settings,
    };
    this.gatherer = db.isTransaction ? null : new BookingGatherer(this.ctx, settings.gatherMs);
  }

  // Courses and sessions.
  createCourse = (actor: Actor, input: courses.CourseInput) => courses.createCourse(this.ctx, actor, input);
  updateCourse = (actor: Actor, id: string, input: courses.CourseInput) =>
    courses.updateCourse(this.ctx, actor, id, input);
  course = (actor: Actor, id: string) => courses.courseForStaff(this.ctx, actor, id);
  courses = (actor: Actor) => courses.allCourses(this.ctx, actor);
  publishedCourses = (filter: CourseFilter, authorityId: string | null = null) =>
    authorityId === null && this.snapshots
      ? this.snapshots.get(`training.public:${filter.audience ?? ''}:${filter.format ?? ''}`, () =>
          courses.publishedCourses(this.ctx, filter, null),
        )
      : courses.publishedCourses(this.ctx, filter, authorityId);
  publishedCourse = (id: string, authorityId: string | null = null) =>
    courses.publishedCourse(this.ctx, id, authorityId);
  sessionsOfCourse = async (actor: Actor, courseId: string) => {
    needs(actor, 'training:read');
    return this.ctx.repo.sessionsOfCourse(courseId);
  };
  createSession = (actor: Actor, courseId: string, input: sessions.SessionInput) =>
    sessions.createSession(this.ctx, actor, courseId, input);
  updateSession = (actor: Actor, id: string, input: sessions.SessionInput) =>
    sessions.updateSession(this.ctx, actor, id, input);
  cancelSession = (actor: Actor, id: string) => sessions.cancelSession(this.ctx, actor, id);
  session = (actor: Actor, id: string) => sessions.sessionForStaff(this.ctx, actor, id);
  sessionCounts = (actor: Actor, id: string) => sessions.sessionCounts(this.ctx, actor, id);
  bookableSession = (id: string, authorityId: string | null) => sessions.bookableSession(this.ctx, id, authorityId);
  trainers = (actor: Actor) => sessions.trainers(this.ctx, actor);
  mySessions = async (actor: Actor) => {
    needs(actor, 'training:read');
    return actor.type === 'user' ? this.ctx.repo.sessionsOfTrainer(actor.id) : [];
  };

  // Bookings, the waiting list and offers.
  book = (actor: Actor, sessionId: string, input: booking.BookingInput) =>
    this.gatherer ? this.gatherer.book(actor, sessionId, input) : booking.bookPlace(this.ctx, actor, sessionId, input);
  requestPublicBooking = (sessionId: string, input: booking.BookingInput) =>
    booking.requestPublicBooking(this.ctx, sessionId, input);
  confirmationLink = (token: string) => booking.confirmationLink(this.ctx, token);
  confirmPublicBooking = (token: string) => booking.confirmPublicBooking(this.ctx, token);
  cancelBooking = (actor: Actor, id: string) => places.cancelBooking(this.ctx, actor, id);
  offerByLink = (token: string) => places.offerByLink(this.ctx, token);
  answerOffer = (token: string, accept: boolean) => places.answerOffer(this.ctx, token, accept);
  authorityBookings = async (actor: Actor) => {
    needs(actor, 'training:book');
    return actor.authorityId ? this.ctx.repo.upcomingOfAuthority(actor.authorityId, this.ctx.clock.now()) : [];
  };

  // Attendance, certificates and feedback.
  register = (actor: Actor, sessionId: string) => attendance.register(this.ctx, actor, sessionId);
  markAttendance = (actor: Actor, sessionId: string, marks: ReadonlyMap<string, attendance.Attendance>) =>
    attendance.markAttendance(this.ctx, actor, sessionId, marks);
  attendeeByLink = (token: string) => attendance.attendeeByLink(this.ctx, token);
  certificate = (by: { token: string } | { actor: Actor; bookingId: string }) => attendance.certificate(this.ctx, by);
  giveFeedback = (token: string, input: { rating: number; comments: string }) =>
    attendance.giveFeedback(this.ctx, token, input);
  courseFeedback = (actor: Actor, courseId: string) => attendance.courseFeedback(this.ctx, actor, courseId);

  // Reports.
  authorityHistory = (actor: Actor, authorityId: string) => reports.authorityHistory(this.ctx, actor, authorityId);
  authoritiesToInvite = (actor: Actor) => reports.authoritiesToInvite(this.ctx, actor);
  financeCsv = (actor: Actor, from: Date, to: Date) => reports.financeCsv(this.ctx, actor, from, to);

  // Sweeps, run by the worker.
  sweepOffers = () => places.sweepOffers(this.ctx);
  sweepReminders = () => places.sweepReminders(this.ctx);
}
