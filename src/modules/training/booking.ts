import crypto from 'node:crypto';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { auditBy, gone, hashToken, isTokenShaped, newToken, type TrainingContext } from './context.ts';
import { CONFIRM_LINK_HOURS, bookingRefusal } from './domain.ts';
import { bookedMail, confirmLinkMail, waitlistedMail } from './training.mail.ts';
import type { BookingRow, SessionDetail, TrainingRepository } from './training.repository.ts';

export interface BookingInput {
  name: string;
  email: string;
  organisation: string | null;
  jobRole: string | null;
  accessibilityNeeds: string | null;
  /** The authority in the directory the person works for, when it is one. */
  authorityId: string | null;
  purchaseOrder: string | null;
}

export interface Placed {
  id: string;
  status: 'confirmed' | 'waitlisted';
  position: number;
}

const HOUR_MS = 3_600_000;

interface OpenState {
  starts_at: Date;
  booking_closes_at: Date;
  cancelled_at: Date | null;
  authority_id: string | null;
}

/** Refuses a session that cannot take a booking now, or an in-house one of another authority. */
export function refuseClosed(
  ctx: TrainingContext,
  session: OpenState,
  authorityId: string | null,
  staff: boolean,
): void {
  const refusal = bookingRefusal(
    { startsAt: session.starts_at, bookingClosesAt: session.booking_closes_at, cancelledAt: session.cancelled_at },
    ctx.clock.now(),
  );
  if (refusal) throw conflict(refusal, [{ field: 'form', message: refusal }]);
  if (session.authority_id !== null && session.authority_id !== authorityId && !staff)
    throw conflict('This session is only for the staff of the authority it is run for');
}

async function openSession(
  ctx: TrainingContext,
  repo: TrainingRepository,
  sessionId: string,
  authorityId: string | null,
  staff: boolean,
): Promise<SessionDetail> {
  const session = await repo.findSession(sessionId);
  if (!session) throw notFound('The session');
  refuseClosed(ctx, session, authorityId, staff);
  return session;
}

export const duplicate = (email: string, pending: boolean) =>
  conflict(`${email} is already booked on this session`, [
    {
      field: 'email',
      message: pending
        ? `A booking for ${email} is waiting to be confirmed: check that inbox for the link`
        : `${email} is already booked on this session`,
    },
  ]);

async function refuseDuplicate(repo: TrainingRepository, sessionId: string, email: string) {
  const existing = await repo.liveBooking(sessionId, email);
  if (existing) throw duplicate(email, existing.status === 'pending');
}

/** The unique index on (session, email) refused a second live booking that raced the first. */
const isDuplicateRow = (error: unknown) =>
  error instanceof Error && 'code' in error && error.code === '23505' && /one_per_email/.test(error.message);

/**
 * Both messages a booking may need, written before the session is locked (the calendar file takes a
 * little work): the confirmation with its calendar file, or the waiting-list notice.
 */
function messages(ctx: TrainingContext, person: Pick<BookingRow, 'id' | 'name' | 'email'>, session: SessionDetail) {
  const now = ctx.clock.now();
  return {
    confirmed: bookedMail(person, session, ctx.settings, now),
    waitlisted: (position: number) => waitlistedMail({ ...person, position }, session),
  };
}

async function checkAuthority(repo: TrainingRepository, authorityId: string | null): Promise<string | null> {
  if (authorityId === null) return null;
  const name = await repo.authorityName(authorityId);
  if (name === null) throw invalid([{ field: 'authorityId', message: 'Choose an authority from the directory' }]);
  return name;
}

/**
 * Who may book, and for which authority: staff for anyone (the authority given, if any), an
 * authority's user or token only for its own people.
 */
export function whoBooks(actor: Actor, input: BookingInput): { staff: boolean; authorityId: string | null } {
  const staff = can(actor, 'training:manage');
  if (!staff && !can(actor, 'training:book')) throw forbidden();
  if (!staff && input.authorityId !== null && input.authorityId !== actor.authorityId)
    throw forbidden('An authority books places only for its own people');
  return { staff, authorityId: staff ? input.authorityId : actor.authorityId };
}

/**
 * A booking made by someone signed in or by a token: an authority's user or token for its own
 * authority's people (confirmed at once), or staff for anyone. Full sessions put it on the waiting list.
 * Everything that can be done before the session is locked is: the lock is held for the two
 * statements that number and write the booking, and the message.
 */
export async function bookPlace(
  ctx: TrainingContext,
  actor: Actor,
  sessionId: string,
  input: BookingInput,
): Promise<Placed> {
  const { staff, authorityId } = whoBooks(actor, input);
  const id = crypto.randomUUID();
  try {
    return await ctx.repo.transaction(async (repo) => {
      const organisationName = await checkAuthority(repo, authorityId);
      const session = await openSession(ctx, repo, sessionId, authorityId, staff);
      await refuseDuplicate(repo, sessionId, input.email);
      const mail = messages(ctx, { id, name: input.name, email: input.email }, session);
      await repo.audit({
        actor: auditBy(actor),
        action: 'training-booking.placed',
        recordType: 'training-booking',
        recordId: id,
        authorityId,
      });
      const numbered = await repo.numberNext(sessionId);
      refuseClosed(ctx, numbered, authorityId, staff);
      const status = await repo.insertPlaced(
        {
          id,
          session_id: sessionId,
          name: input.name,
          email: input.email,
          organisation: input.organisation ?? organisationName,
          job_role: input.jobRole,
          accessibility_needs: input.accessibilityNeeds,
          authority_id: authorityId,
          booked_by: actor.type === 'user' ? actor.id : null,
          purchase_order: input.purchaseOrder,
          position: numbered.position,
          confirmed_at: ctx.clock.now(),
        },
        numbered.capacity,
      );
      await repo.enqueueMail(status === 'confirmed' ? mail.confirmed : mail.waitlisted(numbered.position));
      return { id, status, position: numbered.position };
    });
  } catch (error) {
    if (isDuplicateRow(error)) throw duplicate(input.email, false);
    throw error;
  }
}

/** A booking from the public site: held only once the emailed link is opened. */
export async function requestPublicBooking(
  ctx: TrainingContext,
  sessionId: string,
  input: BookingInput,
): Promise<{ id: string }> {
  return ctx.repo.transaction(async (repo) => {
    const organisationName = await checkAuthority(repo, input.authorityId);
    await openSession(ctx, repo, sessionId, input.authorityId, false);
    const now = ctx.clock.now();
    await repo.lapseExpiredRequest(sessionId, input.email, now);
    await refuseDuplicate(repo, sessionId, input.email);
    const { token, hash } = newToken();
    const id = await repo.insertBooking({
      session_id: sessionId,
      name: input.name,
      email: input.email,
      organisation: input.organisation ?? organisationName,
      job_role: input.jobRole,
      accessibility_needs: input.accessibilityNeeds,
      authority_id: input.authorityId,
      purchase_order: input.purchaseOrder,
      status: 'pending',
      confirm_token_hash: hash,
      confirm_expires_at: new Date(now.getTime() + CONFIRM_LINK_HOURS * HOUR_MS),
    });
    const session = (await repo.findSession(sessionId)) as SessionDetail;
    await repo.enqueueMail(
      confirmLinkMail(
        { id, name: input.name, email: input.email },
        session,
        `${ctx.settings.baseUrl}/training/confirm/${token}`,
      ),
    );
    await repo.audit({
      actor: auditBy(null),
      action: 'training-booking.requested',
      recordType: 'training-booking',
      recordId: id,
    });
    return { id };
  });
}

const LINK_USED = 'This link has already been used: your booking was confirmed when it was first opened';
const LINK_EXPIRED = 'This link has expired: book again to get a new one';
const LINK_UNKNOWN = 'This link is not valid: check that you copied all of it from the email';

/** What a confirmation link leads to, before it is used. */
export async function confirmationLink(
  ctx: TrainingContext,
  token: string,
): Promise<{ booking: BookingRow; session: SessionDetail }> {
  const booking = isTokenShaped(token)
    ? await ctx.repo.bookingByToken('confirm_token_hash', hashToken(token))
    : undefined;
  if (!booking) throw gone(LINK_UNKNOWN);
  if (booking.status === 'lapsed') throw gone(LINK_EXPIRED);
  if (booking.status === 'cancelled') throw gone('This booking has been cancelled');
  if (booking.status !== 'pending') throw gone(LINK_USED);
  if (!booking.confirm_expires_at || booking.confirm_expires_at <= ctx.clock.now()) throw gone(LINK_EXPIRED);
  return { booking, session: (await ctx.repo.findSession(booking.session_id)) as SessionDetail };
}

/** Confirms a public booking by its link: a place if there is one, else the waiting list. Once only. */
export async function confirmPublicBooking(ctx: TrainingContext, token: string): Promise<Placed> {
  const { booking, session } = await confirmationLink(ctx, token);
  refuseClosed(ctx, session, booking.authority_id, false);
  const mail = messages(ctx, booking, session);
  return ctx.repo.transaction(async (repo) => {
    await repo.audit({
      actor: auditBy(null),
      action: 'training-booking.placed',
      recordType: 'training-booking',
      recordId: booking.id,
      authorityId: booking.authority_id,
    });
    const numbered = await repo.numberNext(booking.session_id);
    refuseClosed(ctx, numbered, booking.authority_id, false);
    const status = await repo.placePending(
      booking.id,
      booking.session_id,
      numbered.capacity,
      numbered.position,
      ctx.clock.now(),
    );
    if (status === null) throw gone(LINK_USED);
    await repo.enqueueMail(status === 'confirmed' ? mail.confirmed : mail.waitlisted(numbered.position));
    return { id: booking.id, status, position: numbered.position };
  });
}
