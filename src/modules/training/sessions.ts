import { invalid, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { auditBy, needs, type TrainingContext } from './context.ts';
import { isBookable } from './domain.ts';
import { offerFreePlaces } from './places.ts';
import { sessionCancelledMail } from './training.mail.ts';
import type { BookingRow, PlaceCounts, SessionDetail, TrainingRepository } from './training.repository.ts';

export interface SessionInput {
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  /** When booking closes; the start when not given. */
  bookingClosesAt: Date | null;
  joiningInstructions: string | null;
  venue: string | null;
  trainerId: string | null;
  authorityId: string | null;
  network: string | null;
}

async function check(repo: TrainingRepository, input: SessionInput, now: Date, held: number): Promise<void> {
  const problems: { field: string; message: string }[] = [];
  if (input.endsAt <= input.startsAt) problems.push({ field: 'endsAt', message: 'The end must be after the start' });
  if (input.startsAt <= now) problems.push({ field: 'startsAt', message: 'The session must start in the future' });
  if (input.bookingClosesAt && input.bookingClosesAt > input.startsAt)
    problems.push({ field: 'bookingClosesAt', message: 'Booking must close before the session starts' });
  if (input.capacity < held)
    problems.push({
      field: 'capacity',
      message: `The capacity cannot be below the ${held} place${held === 1 ? '' : 's'} already booked or offered`,
    });
  if (input.trainerId && !(await repo.isStaffUser(input.trainerId)))
    problems.push({ field: 'trainerId', message: 'Choose a trainer from the ombudsman’s staff' });
  if (input.authorityId && (await repo.authorityName(input.authorityId)) === null)
    problems.push({ field: 'authorityId', message: 'Choose an authority from the directory' });
  if (problems.length > 0) throw invalid(problems);
}

const columns = (input: SessionInput) => ({
  starts_at: input.startsAt,
  ends_at: input.endsAt,
  capacity: input.capacity,
  booking_closes_at: input.bookingClosesAt ?? input.startsAt,
  joining_instructions: input.joiningInstructions,
  venue: input.venue,
  trainer_id: input.trainerId,
  authority_id: input.authorityId,
  network: input.network,
});

export async function createSession(
  ctx: TrainingContext,
  actor: Actor,
  courseId: string,
  input: SessionInput,
): Promise<string> {
  needs(actor, 'training:manage');
  return ctx.repo.transaction(async (repo) => {
    const course = await repo.findCourse(courseId);
    if (!course) throw notFound('The course');
    if (!isBookable(course.format))
      throw invalid([{ field: 'form', message: 'eLearning courses and workbooks have no sessions to book' }]);
    await check(repo, input, ctx.clock.now(), 0);
    const id = await repo.insertSession({ course_id: courseId, ...columns(input) });
    await repo.audit({
      actor: auditBy(actor),
      action: 'training-session.created',
      recordType: 'training-session',
      recordId: id,
    });
    return id;
  });
}

/** Changes a session; a larger capacity offers the new places to the waiting list. */
export async function updateSession(
  ctx: TrainingContext,
  actor: Actor,
  id: string,
  input: SessionInput,
): Promise<void> {
  needs(actor, 'training:manage');
  await ctx.repo.transaction(async (repo) => {
    const locked = await repo.lockSession(id);
    if (!locked) throw notFound('The session');
    if (locked.cancelled_at) throw invalid([{ field: 'form', message: 'This session has been cancelled' }]);
    await check(repo, input, ctx.clock.now(), await repo.heldPlaces(id));
    await repo.updateSession(id, columns(input));
    await offerFreePlaces(ctx, repo, id);
    await repo.audit({
      actor: auditBy(actor),
      action: 'training-session.changed',
      recordType: 'training-session',
      recordId: id,
    });
  });
}

/** Cancels a session and every booking on it, telling each person booked, offered or waiting. */
export async function cancelSession(ctx: TrainingContext, actor: Actor, id: string): Promise<number> {
  needs(actor, 'training:manage');
  return ctx.repo.transaction(async (repo) => {
    const locked = await repo.lockSession(id);
    if (!locked) throw notFound('The session');
    if (locked.cancelled_at) throw invalid([{ field: 'form', message: 'This session is already cancelled' }]);
    const now = ctx.clock.now();
    if (locked.starts_at <= now) throw invalid([{ field: 'form', message: 'This session has already taken place' }]);
    await repo.updateSession(id, { cancelled_at: now });
    const session = (await repo.findSession(id)) as SessionDetail;
    const bookings = await repo.cancelAllOf(id, now);
    for (const b of bookings)
      if (b.status !== 'pending') await repo.enqueueMail(sessionCancelledMail(b, session, ctx.settings, now));
    await repo.audit({
      actor: auditBy(actor),
      action: 'training-session.cancelled',
      recordType: 'training-session',
      recordId: id,
    });
    return bookings.length;
  });
}

export interface StaffSessionView {
  session: SessionDetail;
  counts: PlaceCounts;
  /** The people booked: only for those who manage training and for the session's trainer. */
  bookings: BookingRow[] | null;
  isTrainer: boolean;
}

export async function sessionForStaff(ctx: TrainingContext, actor: Actor, id: string): Promise<StaffSessionView> {
  needs(actor, 'training:read');
  const session = await ctx.repo.findSession(id);
  if (!session) throw notFound('The session');
  const isTrainer = actor.type === 'user' && session.trainer_id === actor.id;
  const [counts, bookings] = await Promise.all([
    ctx.repo.counts(id),
    can(actor, 'training:manage') || isTrainer ? ctx.repo.bookingsOfSession(id) : Promise.resolve(null),
  ]);
  return { session, counts, bookings, isTrainer };
}

/** Places on a session: staff see any; an authority sees its open sessions and its own in-house ones. */
export async function sessionCounts(
  ctx: TrainingContext,
  actor: Actor,
  id: string,
): Promise<PlaceCounts & { capacity: number }> {
  const session = await ctx.repo.findSession(id);
  const visible =
    session &&
    (can(actor, 'training:read') ||
      (can(actor, 'training:book') && (session.authority_id === null || session.authority_id === actor.authorityId)));
  if (!session || !visible) throw notFound('The session');
  return { capacity: session.capacity, ...(await ctx.repo.counts(id)) };
}

/** A session open to view for booking: of a published course, and not another authority's in-house one. */
export async function bookableSession(
  ctx: TrainingContext,
  id: string,
  authorityId: string | null,
): Promise<SessionDetail> {
  const session = await ctx.repo.findSession(id);
  if (!session || !session.course_published) throw notFound('The session');
  if (session.authority_id !== null && session.authority_id !== authorityId) throw notFound('The session');
  return session;
}

export async function trainers(ctx: TrainingContext, actor: Actor) {
  needs(actor, 'training:manage');
  return ctx.repo.trainers();
}
