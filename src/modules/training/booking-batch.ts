import crypto from 'node:crypto';
import { DomainError, invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { auditBy, type TrainingContext } from './context.ts';
import { bookPlace, duplicate, refuseClosed, whoBooks, type BookingInput, type Placed } from './booking.ts';
import { BOOKED_KIND, bookedMail, invite, waitlistedMail } from './training.mail.ts';
import type { SessionDetail } from './training.repository.ts';

/**
 * A group of bookings closes once none has come for its session for QUIET_MS, or GATHER_MS (by
 * default) after its first arrived, whichever is sooner: a booking alone waits QUIET_MS, a burst
 * is gathered whole.
 */
const QUIET_MS = 2;
export const GATHER_MS = 20;
/** The most bookings written in one transaction; more arriving together make another. */
const MOST_TOGETHER = 500;

interface Waiting {
  actor: Actor;
  staff: boolean;
  authorityId: string | null;
  input: BookingInput;
  resolve: (placed: Placed) => void;
  reject: (error: unknown) => void;
}

/** The session changed under the lock (closed, cancelled, restricted) or an address raced: each goes alone. */
class GoAlone extends Error {}

const isDuplicateRow = (error: unknown) =>
  error instanceof Error && 'code' in error && error.code === '23505' && /one_per_email/.test(error.message);

/**
 * Bookings of one session that arrive together are placed together ("group commit"): the first
 * gathers the others (see QUIET_MS), and while one group is being written the next gathers behind it.
 * Each group is written in one transaction: its checks read once for all, the audit rows in one
 * statement, then the session's row locked and the group numbered in arrival order by one
 * statement, the places still free counted afresh, the bookings written in one statement and their
 * messages in two (the calendar file built once). Each request is then answered with its own
 * result. Between web processes the session's row lock still decides, as it does for one booking.
 *
 * Anything the group cannot settle for everyone at once — the session closed or restricted while
 * the group waited for the lock, an address booked at the same moment by another process, or the
 * same address twice in the group — is done one booking at a time, as `bookPlace` does it, so each
 * request still gets the answer it would have had alone.
 */
export class BookingGatherer {
  private readonly open = new Map<string, Waiting[]>();
  private readonly tails = new Map<string, Promise<void>>();
  /** The gathering groups' timers, set again by each arrival. */
  private readonly gathering = new Map<Waiting[], () => void>();

  constructor(
    private readonly ctx: TrainingContext,
    private readonly gatherMs = GATHER_MS,
  ) {}

  /** Books a place as `bookPlace` does, together with the other bookings of the session arriving now. */
  async book(actor: Actor, sessionId: string, input: BookingInput): Promise<Placed> {
    const { staff, authorityId } = whoBooks(actor, input);
    return new Promise<Placed>((resolve, reject) => {
      let group = this.open.get(sessionId);
      if (!group) {
        const members: Waiting[] = [];
        group = members;
        this.open.set(sessionId, members);
        const before = this.tails.get(sessionId) ?? Promise.resolve();
        const tail: Promise<void> = Promise.all([before, this.gathered(members)])
          .then(() => {
            if (this.open.get(sessionId) === members) this.open.delete(sessionId);
            return this.place(sessionId, members);
          })
          .finally(() => {
            if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
          });
        this.tails.set(sessionId, tail);
      }
      group.push({ actor, staff, authorityId, input, resolve, reject });
      this.gathering.get(group)?.();
      if (group.length >= MOST_TOGETHER && this.open.get(sessionId) === group) this.open.delete(sessionId);
    });
  }

  /** Resolves once the group has had no arrival for QUIET_MS, or `gatherMs` after it opened. */
  private gathered(members: Waiting[]): Promise<void> {
    return new Promise((done) => {
      const deadline = performance.now() + this.gatherMs;
      let timer: NodeJS.Timeout | undefined;
      const close = () => {
        this.gathering.delete(members);
        done();
      };
      const wait = () => {
        clearTimeout(timer);
        timer = setTimeout(close, Math.max(0, Math.min(QUIET_MS, deadline - performance.now())));
      };
      this.gathering.set(members, wait);
      wait();
    });
  }

  /** Places a group; never throws (each request is answered, with its result or its error). */
  private async place(sessionId: string, members: Waiting[]): Promise<void> {
    const alone: Waiting[] = [];
    try {
      const together = await this.check(sessionId, members, alone);
      if (together.members.length > 0) {
        try {
          const placed = await this.write(sessionId, together.session, together.members);
          together.members.forEach((m, i) => m.resolve(placed[i] as Placed));
        } catch (error) {
          if (!(error instanceof GoAlone) && !isDuplicateRow(error)) throw error;
          alone.unshift(...together.members);
        }
      }
    } catch (error) {
      for (const m of members) m.reject(error);
      return;
    }
    for (const m of alone) {
      try {
        m.resolve(await bookPlace(this.ctx, m.actor, sessionId, m.input));
      } catch (error) {
        m.reject(error);
      }
    }
  }

  /**
   * The checks each booking makes before the lock, read once for the group: the authority named,
   * the session open to it, its address not already booked. Those refused are answered here; a
   * second booking of one address in the group goes alone after it.
   */
  private async check(sessionId: string, members: Waiting[], alone: Waiting[]) {
    const { repo } = this.ctx;
    const authorityIds = [...new Set(members.flatMap((m) => (m.authorityId === null ? [] : [m.authorityId])))];
    const keys = [...new Set(members.map((m) => m.input.email.toLowerCase()))];
    const [names, session, live] = await Promise.all([
      repo.authorityNames(authorityIds),
      repo.findSession(sessionId),
      repo.liveBookingsOf(sessionId, keys),
    ]);
    const seen = new Set<string>();
    const together: (Waiting & { organisationName: string | null })[] = [];
    for (const m of members) {
      try {
        const organisationName = m.authorityId === null ? null : (names.get(m.authorityId) ?? null);
        if (m.authorityId !== null && organisationName === null)
          throw invalid([{ field: 'authorityId', message: 'Choose an authority from the directory' }]);
        if (!session) throw notFound('The session');
        refuseClosed(this.ctx, session, m.authorityId, m.staff);
        const key = m.input.email.toLowerCase();
        const existing = live.get(key);
        if (existing !== undefined) throw duplicate(m.input.email, existing === 'pending');
        if (seen.has(key)) {
          alone.push(m);
          continue;
        }
        seen.add(key);
        together.push({ ...m, organisationName });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        m.reject(error);
      }
    }
    return { session: session as SessionDetail, members: together };
  }

  /** Writes a checked group in one transaction; the results in the group's order. */
  private async write(
    sessionId: string,
    session: SessionDetail,
    members: (Waiting & { organisationName: string | null })[],
  ): Promise<Placed[]> {
    const { ctx } = this;
    const ids = members.map(() => crypto.randomUUID());
    const now = ctx.clock.now();
    const calendarFile = invite(session, ctx.settings, now);
    const audits = await ctx.repo.auditRows(
      members.map((m, i) => ({
        actor: auditBy(m.actor),
        action: 'training-booking.placed',
        recordType: 'training-booking',
        recordId: ids[i] ?? null,
        authorityId: m.authorityId,
      })),
    );
    return ctx.repo.transaction(async (repo) => {
      const numbered = await repo.numberNext(sessionId, members.length);
      for (const m of members) {
        try {
          refuseClosed(ctx, numbered, m.authorityId, m.staff);
        } catch {
          throw new GoAlone();
        }
      }
      const bookings = members.map((m, i) => ({
        id: ids[i] as string,
        name: m.input.name,
        email: m.input.email,
        organisation: m.input.organisation ?? m.organisationName,
        job_role: m.input.jobRole,
        accessibility_needs: m.input.accessibilityNeeds,
        authority_id: m.authorityId,
        booked_by: m.actor.type === 'user' ? m.actor.id : null,
        purchase_order: m.input.purchaseOrder,
        position: numbered.position + i,
      }));
      // Each booking's message for either outcome; no more than the capacity can take a place.
      const mails = bookings.flatMap((b, i) => [
        ...(i < numbered.capacity
          ? [
              {
                bookingId: b.id,
                status: 'confirmed' as const,
                mail: bookedMail(b, session, ctx.settings, now, calendarFile),
              },
            ]
          : []),
        { bookingId: b.id, status: 'waitlisted' as const, mail: waitlistedMail(b, session) },
      ]);
      const statuses = await repo.writePlacedTogether({
        sessionId,
        capacity: numbered.capacity,
        now,
        bookings,
        mails,
        calendarFile: { ...calendarFile, kind: BOOKED_KIND },
        audits,
      });
      return bookings.map((b): Placed => ({
        id: b.id,
        status: statuses.get(b.id) ?? unwritten(b.id),
        position: b.position,
      }));
    });
  }
}

const unwritten = (id: string): never => {
  throw new Error(`The booking ${id} placed with others was not written`);
};
