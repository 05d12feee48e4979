import { addDays } from '../../platform/calendar/calendar.ts';
import { invalid, type FieldError } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { startOfLondonDay } from '../audit/domain.ts';
import { londonInstant } from './call-times.ts';
import { audit, isUuid, readsPerson, termsOf, userIdOf, type ConductContext } from './context.ts';
import { contactFlags, weekStart, type Flag } from './domain.ts';

// Phone calls with a person, logged by staff.

/** A phone call to log: a London date and time (minutes from midnight), its length and who took it. */
export interface CallInput {
  complaintId: string | null;
  date: string;
  startMinutes: number;
  minutes: number;
  officerId: string;
  note: string;
}

/**
 * Logs a phone call with a person (on one of their cases or none). Under a restriction it is also
 * a contact, flagged with what it breached (outside the times, too long, by phone when phone is not
 * allowed, not with the named officer, beyond the weekly limit): it is logged all the same.
 */
export async function logCall(
  ctx: ConductContext,
  actor: Actor,
  personId: string,
  input: CallInput,
): Promise<{ id: string; flags: Flag[] }> {
  await readsPerson(ctx, actor, personId);
  return ctx.repo.transaction(async (repo) => {
    const problems: FieldError[] = [];
    const today = londonToday(ctx);
    if (input.date > today)
      problems.push({ field: 'calledOn', message: 'The date of the call must be today or in the past' });
    const officer = isUuid(input.officerId) ? await repo.activeStaff(input.officerId) : undefined;
    if (!officer) problems.push({ field: 'officerId', message: 'Choose the member of staff who took the call' });
    const parties = await ctx.people.partiesOf(personId, repo.db);
    if (input.complaintId !== null && !parties.some((p) => p.complaintId === input.complaintId)) {
      problems.push({ field: 'complaintId', message: 'Choose one of this person’s complaints, or none' });
    }
    if (problems.length > 0) throw invalid(problems);
    const calledAt = londonInstant(input.date, input.startMinutes);
    if (calledAt > ctx.clock.now()) {
      throw invalid([{ field: 'calledTime', message: 'The time of the call must not be in the future' }]);
    }
    const id = await repo.insertCall({
      person_id: personId,
      complaint_id: input.complaintId,
      called_at: calledAt,
      minutes: input.minutes,
      officer_id: input.officerId,
      note: input.note,
      logged_by: userIdOf(actor),
      created_at: ctx.clock.now(),
    });
    await audit(repo, actor, 'call.logged', 'call', id);
    const restriction = (await repo.activeOf([personId])).find((r) => r.kind === 'restriction');
    if (!restriction) return { id, flags: [] };
    const monday = weekStart(input.date);
    const flags = contactFlags(termsOf(restriction), {
      channel: 'phone',
      complaintId: input.complaintId,
      toAddresses: [],
      officerEmail: restriction.officerEmail,
      earlierThisWeek: await repo.contactsSince(
        personId,
        startOfLondonDay(monday),
        startOfLondonDay(addDays(monday, 7)),
      ),
      call: {
        date: input.date,
        startMinutes: input.startMinutes,
        minutes: input.minutes,
        officerId: input.officerId,
      },
    });
    await repo.insertContact({
      person_id: personId,
      record_id: restriction.id,
      complaint_id: input.complaintId,
      channel: 'phone',
      item_id: null,
      call_id: id,
      flags,
      received_at: calledAt,
    });
    return { id, flags };
  });
}

/** What the call form offers: the person's cases and the staff who may have taken the call. */
export async function callChoices(ctx: ConductContext, actor: Actor, personId: string) {
  await readsPerson(ctx, actor, personId);
  const [parties, staff] = await Promise.all([ctx.people.partiesOf(personId), ctx.repo.staff()]);
  return { parties, staff };
}
