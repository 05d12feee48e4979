import { formatDate } from '../../platform/dates.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { certificatePdf } from './certificate.ts';
import { auditBy, gone, hashToken, isTokenShaped, needs, newToken, type TrainingContext } from './context.ts';
import { averageRating, durationText } from './domain.ts';
import { attendedMail } from './training.mail.ts';
import type { BookingRow, SessionDetail } from './training.repository.ts';

export type Attendance = 'attended' | 'no-show';

/** The trainer of a session, or someone who manages training, keeps its register. */
async function registerSession(ctx: TrainingContext, actor: Actor, sessionId: string): Promise<SessionDetail> {
  needs(actor, 'training:read');
  const session = await ctx.repo.findSession(sessionId);
  if (!session) throw notFound('The session');
  const isTrainer = actor.type === 'user' && session.trainer_id === actor.id;
  if (!isTrainer && !can(actor, 'training:manage')) throw notFound('The session');
  return session;
}

export async function register(
  ctx: TrainingContext,
  actor: Actor,
  sessionId: string,
): Promise<{ session: SessionDetail; people: BookingRow[]; open: boolean }> {
  const session = await registerSession(ctx, actor, sessionId);
  const people = (await ctx.repo.bookingsOfSession(sessionId)).filter((b) => b.status === 'confirmed');
  return { session, people, open: session.starts_at <= ctx.clock.now() && !session.cancelled_at };
}

/**
 * Records who attended and who did not. Each person newly marked as attending is sent the link to
 * their certificate and the feedback form.
 */
export async function markAttendance(
  ctx: TrainingContext,
  actor: Actor,
  sessionId: string,
  marks: ReadonlyMap<string, Attendance>,
): Promise<number> {
  const session = await registerSession(ctx, actor, sessionId);
  const now = ctx.clock.now();
  if (session.cancelled_at) throw invalid([{ field: 'form', message: 'This session was cancelled' }]);
  if (session.starts_at > now)
    throw invalid([{ field: 'form', message: 'Attendance can be marked once the session has started' }]);
  if (marks.size === 0) throw invalid([{ field: 'form', message: 'Mark at least one person as attended or not' }]);
  return ctx.repo.transaction(async (repo) => {
    await repo.lockSession(sessionId);
    const people = new Map(
      (await repo.bookingsOfSession(sessionId)).filter((b) => b.status === 'confirmed').map((b) => [b.id, b]),
    );
    for (const id of marks.keys())
      if (!people.has(id)) throw invalid([{ field: 'form', message: 'Someone marked is not booked on this session' }]);
    let changed = 0;
    for (const [id, attendance] of marks) {
      const booking = people.get(id) as BookingRow;
      if (booking.attendance === attendance) continue;
      const changes: { attendance: Attendance; attendance_marked_at: Date; attendee_token_hash?: string } = {
        attendance,
        attendance_marked_at: now,
      };
      if (attendance === 'attended' && booking.attendee_token_hash === null) {
        const { token, hash } = newToken();
        changes.attendee_token_hash = hash;
        await repo.enqueueMail(attendedMail(booking, session, `${ctx.settings.baseUrl}/training/attendance/${token}`));
      }
      await repo.updateBooking(id, changes);
      await repo.audit({
        actor: auditBy(actor),
        action: `training-attendance.${attendance}`,
        recordType: 'training-booking',
        recordId: id,
        authorityId: booking.authority_id,
      });
      changed++;
    }
    return changed;
  });
}

export interface AttendeeView {
  booking: BookingRow;
  session: SessionDetail;
  attended: boolean;
  feedbackGiven: boolean;
}

/** The attendee's own page, by the link sent after the session. */
export async function attendeeByLink(ctx: TrainingContext, token: string): Promise<AttendeeView> {
  const booking = isTokenShaped(token)
    ? await ctx.repo.bookingByToken('attendee_token_hash', hashToken(token))
    : undefined;
  if (!booking) throw gone('This link is not valid: check that you copied all of it from the email');
  const [session, feedbackGiven] = await Promise.all([
    ctx.repo.findSession(booking.session_id),
    ctx.repo.hasFeedback(booking.id),
  ]);
  return { booking, session: session as SessionDetail, attended: booking.attendance === 'attended', feedbackGiven };
}

const NOT_ATTENDED = 'A certificate is given only to those the register shows attended the session';

/** The certificate of attendance, as a PDF, for someone who attended. */
export async function certificate(
  ctx: TrainingContext,
  bookingOrToken: { token: string } | { actor: Actor; bookingId: string },
): Promise<{ filename: string; pdf: Buffer }> {
  let booking: BookingRow | undefined;
  if ('token' in bookingOrToken) booking = (await attendeeByLink(ctx, bookingOrToken.token)).booking;
  else {
    booking = await ctx.repo.findBooking(bookingOrToken.bookingId);
    const { actor } = bookingOrToken;
    const mayRead =
      booking &&
      (can(actor, 'training:manage') || (can(actor, 'training:book') && booking.authority_id === actor.authorityId));
    if (!booking || !mayRead) throw notFound('The booking');
  }
  if (booking.attendance !== 'attended') throw invalid([{ field: 'form', message: NOT_ATTENDED }], NOT_ATTENDED);
  const session = (await ctx.repo.findSession(booking.session_id)) as SessionDetail;
  const course = await ctx.repo.findCourse(session.course_id);
  const pdf = await certificatePdf(
    {
      name: booking.name,
      courseTitle: session.course_title,
      date: formatDate(session.starts_at),
      durationText: durationText(course?.duration_minutes ?? null),
      organisation: booking.organisation,
      reference: booking.id.slice(0, 8).toUpperCase(),
    },
    ctx.clock.now(),
  );
  return { filename: `certificate-${booking.id.slice(0, 8)}.pdf`, pdf };
}

/** Feedback from someone who attended, once. */
export async function giveFeedback(
  ctx: TrainingContext,
  token: string,
  input: { rating: number; comments: string },
): Promise<void> {
  const { booking, attended } = await attendeeByLink(ctx, token);
  if (!attended) throw invalid([{ field: 'rating', message: 'Feedback is asked only of those who attended' }]);
  const stored = await ctx.repo.insertFeedback({
    booking_id: booking.id,
    rating: input.rating,
    comments: input.comments,
    submitted_at: ctx.clock.now(),
  });
  if (!stored) throw invalid([{ field: 'rating', message: 'You have already given your feedback on this session' }]);
}

/** A course's average rating and comments, for staff. */
export async function courseFeedback(ctx: TrainingContext, actor: Actor, courseId: string) {
  needs(actor, 'training:read');
  const rows = await ctx.repo.feedbackOfCourse(courseId);
  return {
    average: averageRating(rows.map((r) => r.rating)),
    count: rows.length,
    comments: rows.filter((r) => r.comments !== '').slice(0, 20),
  };
}
