import { addDays } from '../../platform/calendar/calendar.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { auditBy, gone, hashToken, isTokenShaped, newToken, type TrainingContext } from './context.ts';
import { HOLDS_PLACE, LIVE, REMINDER_WORKING_DAYS, londonInstant } from './domain.ts';
import { bookedMail, bookingCancelledMail, offerMail, reminderMail } from './training.mail.ts';
import type { BookingRow, SessionDetail, TrainingRepository } from './training.repository.ts';

const HOUR_MS = 3_600_000;

/**
 * Offers each free place to the first on the waiting list, in arrival order, for the set time (never
 * past the start). Call with the session locked.
 */
export async function offerFreePlaces(
  ctx: TrainingContext,
  repo: TrainingRepository,
  sessionId: string,
): Promise<number> {
  const session = (await repo.findSession(sessionId)) as SessionDetail;
  const now = ctx.clock.now();
  if (session.cancelled_at || session.starts_at <= now) return 0;
  let free = session.capacity - (await repo.heldPlaces(sessionId));
  let offered = 0;
  while (free > 0) {
    const first = await repo.firstWaiting(sessionId);
    if (!first) break;
    const { token, hash } = newToken();
    const expires = new Date(Math.min(now.getTime() + ctx.settings.offerHours * HOUR_MS, session.starts_at.getTime()));
    await repo.updateBooking(first.id, { status: 'offered', offer_token_hash: hash, offer_expires_at: expires });
    await repo.enqueueMail(offerMail(first, session, `${ctx.settings.baseUrl}/training/offers/${token}`, expires));
    await repo.audit({
      actor: auditBy(null),
      action: 'training-booking.offered',
      recordType: 'training-booking',
      recordId: first.id,
      authorityId: first.authority_id,
    });
    free--;
    offered++;
  }
  return offered;
}

/** Whether the actor may act on a booking: training managers on any, an authority on its own people's. */
function mayChange(actor: Actor, booking: BookingRow): boolean {
  if (can(actor, 'training:manage')) return true;
  return can(actor, 'training:book') && booking.authority_id !== null && booking.authority_id === actor.authorityId;
}

/** Cancels a booking; a place it held is offered to the first on the waiting list. */
export async function cancelBooking(ctx: TrainingContext, actor: Actor, bookingId: string): Promise<void> {
  const found = await ctx.repo.findBooking(bookingId);
  if (!found || !mayChange(actor, found)) throw notFound('The booking');
  await ctx.repo.transaction(async (repo) => {
    await repo.lockSession(found.session_id);
    const booking = await repo.lockBooking(bookingId);
    if (!booking || !LIVE.includes(booking.status)) throw conflict('This booking is already cancelled');
    const now = ctx.clock.now();
    const session = (await repo.findSession(booking.session_id)) as SessionDetail;
    if (session.starts_at <= now) throw conflict('This session has already taken place');
    await repo.updateBooking(bookingId, { status: 'cancelled', cancelled_at: now });
    if (booking.status !== 'pending') await repo.enqueueMail(bookingCancelledMail(booking, session, ctx.settings, now));
    await repo.audit({
      actor: auditBy(actor),
      action: 'training-booking.cancelled',
      recordType: 'training-booking',
      recordId: bookingId,
      authorityId: booking.authority_id,
    });
    if (HOLDS_PLACE.includes(booking.status)) await offerFreePlaces(ctx, repo, booking.session_id);
  });
}

const OFFER_UNKNOWN = 'This link is not valid: check that you copied all of it from the email';
const OFFER_TAKEN = 'You have already accepted this place';
const OFFER_OVER =
  'This offer has expired or been declined, so the place has gone to the next person on the waiting list';

/** The offer a link leads to, while it stands. */
export async function offerByLink(
  ctx: TrainingContext,
  token: string,
): Promise<{ booking: BookingRow; session: SessionDetail }> {
  const booking = isTokenShaped(token)
    ? await ctx.repo.bookingByToken('offer_token_hash', hashToken(token))
    : undefined;
  if (!booking) throw gone(OFFER_UNKNOWN);
  if (booking.status === 'confirmed') throw gone(OFFER_TAKEN);
  if (booking.status !== 'offered' || !booking.offer_expires_at || booking.offer_expires_at <= ctx.clock.now())
    throw gone(OFFER_OVER);
  return { booking, session: (await ctx.repo.findSession(booking.session_id)) as SessionDetail };
}

/** Accepts or declines an offered place by its link; declining offers it on at once. */
export async function answerOffer(
  ctx: TrainingContext,
  token: string,
  accept: boolean,
): Promise<'confirmed' | 'declined'> {
  const { booking } = await offerByLink(ctx, token);
  return ctx.repo.transaction(async (repo) => {
    await repo.lockSession(booking.session_id);
    const current = await repo.lockBooking(booking.id);
    const now = ctx.clock.now();
    if (!current || current.status !== 'offered' || !current.offer_expires_at || current.offer_expires_at <= now)
      throw gone(current?.status === 'confirmed' ? OFFER_TAKEN : OFFER_OVER);
    const session = (await repo.findSession(booking.session_id)) as SessionDetail;
    if (accept) {
      await repo.updateBooking(booking.id, { status: 'confirmed', confirmed_at: now, offer_expires_at: null });
      await repo.enqueueMail(bookedMail(current, session, ctx.settings, now));
    } else {
      await repo.updateBooking(booking.id, { status: 'cancelled', cancelled_at: now });
    }
    await repo.audit({
      actor: auditBy(null),
      action: accept ? 'training-booking.offer-accepted' : 'training-booking.offer-declined',
      recordType: 'training-booking',
      recordId: booking.id,
      authorityId: booking.authority_id,
    });
    if (!accept) await offerFreePlaces(ctx, repo, booking.session_id);
    return accept ? 'confirmed' : 'declined';
  });
}

/** Offers not taken up in time lapse, and their places go to the next on the list; stale public requests lapse. */
export async function sweepOffers(ctx: TrainingContext): Promise<{ lapsed: number; offered: number }> {
  const now = ctx.clock.now();
  await ctx.repo.lapseUnconfirmed(now);
  let lapsed = 0;
  let offered = 0;
  for (const due of await ctx.repo.expiredOffers(now, 200)) {
    await ctx.repo.transaction(async (repo) => {
      await repo.lockSession(due.session_id);
      const current = await repo.lockBooking(due.id);
      if (!current || current.status !== 'offered' || !current.offer_expires_at || current.offer_expires_at > now)
        return;
      await repo.updateBooking(due.id, { status: 'lapsed' });
      await repo.audit({
        actor: auditBy(null),
        action: 'training-booking.offer-lapsed',
        recordType: 'training-booking',
        recordId: due.id,
        authorityId: current.authority_id,
      });
      lapsed++;
      offered += await offerFreePlaces(ctx, repo, due.session_id);
    });
  }
  return { lapsed, offered };
}

/** Reminds everyone booked on a session that starts within the next two working days (once each). */
export async function sweepReminders(ctx: TrainingContext): Promise<number> {
  const now = ctx.clock.now();
  const lastDay = ctx.calendar.addWorkingDays(ctx.calendar.londonDate(now), REMINDER_WORKING_DAYS).date;
  const until = londonInstant(addDays(lastDay, 1), '00:00') ?? now;
  return ctx.repo.transaction(async (repo) => {
    const due = await repo.remindersDue(now, until, 500);
    const sessions = new Map<string, SessionDetail>();
    for (const b of due) {
      let session = sessions.get(b.session_id);
      if (!session) {
        session = await repo.findSession(b.session_id);
        if (!session) continue;
        sessions.set(b.session_id, session);
      }
      await repo.enqueueMail(reminderMail(b, session));
    }
    await repo.markReminded(
      due.map((b) => b.id),
      now,
    );
    return due.length;
  });
}

export const mayChangeBooking = mayChange;
