import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { auditBy, gone, hashToken, isTokenShaped, newToken, type TrainingContext } from './context.ts';
import { CONFIRM_LINK_HOURS, bookingRefusal, placeFor } from './domain.ts';
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

/** Checks a session can take a booking now, for this authority (an in-house session takes only its own). */
async function lockOpen(
  ctx: TrainingContext,
  repo: TrainingRepository,
  sessionId: string,
  authorityId: string | null,
  staff: boolean,
) {
  const session = await repo.lockSession(sessionId);
  if (!session) throw notFound('The session');
  const refusal = bookingRefusal(
    {
      capacity: session.capacity,
      startsAt: session.starts_at,
      bookingClosesAt: session.booking_closes_at,
      cancelledAt: session.cancelled_at,
    },
    ctx.clock.now(),
  );
  if (refusal) throw conflict(refusal, [{ field: 'form', message: refusal }]);
  if (session.authority_id !== null && session.authority_id !== authorityId && !staff)
    throw conflict('This session is only for the staff of the authority it is run for');
  return session;
}

async function refuseDuplicate(repo: TrainingRepository, sessionId: string, email: string, except?: string) {
  const existing = await repo.liveBooking(sessionId, email);
  if (existing && existing.id !== except)
    throw conflict(`${email} is already booked on this session`, [
      {
        field: 'email',
        message:
          existing.status === 'pending'
            ? `A booking for ${email} is waiting to be confirmed: check that inbox for the link`
            : `${email} is already booked on this session`,
      },
    ]);
}

/** Takes a place, or the next on the waiting list, with the session locked. */
async function takePlace(repo: TrainingRepository, sessionId: string, capacity: number) {
  const held = await repo.heldPlaces(sessionId);
  const status = placeFor(held, capacity);
  const position = await repo.takePosition(sessionId);
  return { status, position };
}

async function tell(
  ctx: TrainingContext,
  repo: TrainingRepository,
  booking: Pick<BookingRow, 'id' | 'name' | 'email'>,
  placed: { status: string; position: number },
  sessionId: string,
) {
  const session = (await repo.findSession(sessionId)) as SessionDetail;
  const now = ctx.clock.now();
  await repo.enqueueMail(
    placed.status === 'confirmed'
      ? bookedMail(booking, session, ctx.settings, now)
      : waitlistedMail({ ...booking, position: placed.position }, session),
  );
}

async function checkAuthority(repo: TrainingRepository, authorityId: string | null): Promise<string | null> {
  if (authorityId === null) return null;
  const name = await repo.authorityName(authorityId);
  if (name === null) throw invalid([{ field: 'authorityId', message: 'Choose an authority from the directory' }]);
  return name;
}

/**
 * A booking made by someone signed in or by a token: an authority's user or token for its own
 * authority's people (confirmed at once), or staff for anyone. Full sessions put it on the waiting list.
 */
export async function bookPlace(
  ctx: TrainingContext,
  actor: Actor,
  sessionId: string,
  input: BookingInput,
): Promise<Placed> {
  const staff = can(actor, 'training:manage');
  if (!staff && !can(actor, 'training:book')) throw forbidden();
  if (!staff && input.authorityId !== null && input.authorityId !== actor.authorityId)
    throw forbidden('An authority books places only for its own people');
  const authorityId = staff ? input.authorityId : actor.authorityId;
  return ctx.repo.transaction(async (repo) => {
    const organisationName = await checkAuthority(repo, authorityId);
    const session = await lockOpen(ctx, repo, sessionId, authorityId, staff);
    await refuseDuplicate(repo, sessionId, input.email);
    const placed = await takePlace(repo, sessionId, session.capacity);
    const now = ctx.clock.now();
    const row = {
      session_id: sessionId,
      name: input.name,
      email: input.email,
      organisation: input.organisation ?? organisationName,
      job_role: input.jobRole,
      accessibility_needs: input.accessibilityNeeds,
      authority_id: authorityId,
      booked_by: actor.type === 'user' ? actor.id : null,
      purchase_order: input.purchaseOrder,
      status: placed.status,
      position: placed.position,
      confirmed_at: now,
    };
    const id = await repo.insertBooking(row);
    await tell(ctx, repo, { id, name: input.name, email: input.email }, placed, sessionId);
    await repo.audit({
      actor: auditBy(actor),
      action: `training-booking.${placed.status}`,
      recordType: 'training-booking',
      recordId: id,
      authorityId,
    });
    return { id, ...placed };
  });
}

/** A booking from the public site: held only once the emailed link is opened. */
export async function requestPublicBooking(
  ctx: TrainingContext,
  sessionId: string,
  input: BookingInput,
): Promise<{ id: string }> {
  return ctx.repo.transaction(async (repo) => {
    const organisationName = await checkAuthority(repo, input.authorityId);
    await lockOpen(ctx, repo, sessionId, input.authorityId, false);
    const now = ctx.clock.now();
    await repo.lapseUnconfirmed(now);
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
  if (booking.status !== 'pending') throw gone(LINK_USED);
  if (!booking.confirm_expires_at || booking.confirm_expires_at <= ctx.clock.now()) throw gone(LINK_EXPIRED);
  return { booking, session: (await ctx.repo.findSession(booking.session_id)) as SessionDetail };
}

/** Confirms a public booking by its link: a place if there is one, else the waiting list. Once only. */
export async function confirmPublicBooking(ctx: TrainingContext, token: string): Promise<Placed> {
  const { booking } = await confirmationLink(ctx, token);
  return ctx.repo.transaction(async (repo) => {
    const session = await lockOpen(ctx, repo, booking.session_id, booking.authority_id, false);
    const current = await repo.lockBooking(booking.id);
    if (!current || current.status !== 'pending') throw gone(LINK_USED);
    const placed = await takePlace(repo, session.id, session.capacity);
    await repo.updateBooking(booking.id, {
      status: placed.status,
      position: placed.position,
      confirmed_at: ctx.clock.now(),
    });
    await tell(ctx, repo, booking, placed, session.id);
    await repo.audit({
      actor: auditBy(null),
      action: `training-booking.${placed.status}`,
      recordType: 'training-booking',
      recordId: booking.id,
      authorityId: booking.authority_id,
    });
    return { id: booking.id, ...placed };
  });
}
