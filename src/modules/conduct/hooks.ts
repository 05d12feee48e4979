import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { startOfLondonDay } from '../audit/domain.ts';
import type { CaseMarker, TimelineEvent } from '../complaints/complaints.service.ts';
import type { InboundFiledHook } from '../correspondence/correspondence.service.ts';
import { flagNamesOf, linesOf, termsOf, type ConductContext } from './context.ts';
import { contactFlags, KIND_NAMES, reviewState, weekStart } from './domain.ts';

// What other modules ask of conduct: markers on cases, contacts flagged as they are filed, a
// person's erasure, a check before linking parties, and the case timeline's entries.

/** Markers for the case pages and lists: what is in force on a party, or a possible match with a restricted person. */
export async function caseMarkers(
  ctx: ConductContext,
  complaintIds: readonly string[],
): Promise<Map<string, CaseMarker[]>> {
  const out = new Map<string, CaseMarker[]>();
  const onCases = await ctx.people.peopleOfCases(complaintIds);
  if (onCases.length === 0) return out;
  const personIds = [...new Set(onCases.map((p) => p.personId))];
  const today = londonToday(ctx);
  const [active, restricted] = await Promise.all([ctx.repo.activeOf(personIds), ctx.repo.restrictedPeople()]);
  const add = (complaintId: string, marker: CaseMarker) =>
    out.set(complaintId, [...(out.get(complaintId) ?? []), marker]);
  for (const { complaintId, personId } of onCases) {
    const mine = active.filter((a) => a.person_id === personId);
    // A restriction in force says it all: the warning before it is not shown as well.
    const shown = mine.some((r) => r.kind === 'restriction') ? mine.filter((r) => r.kind === 'restriction') : mine;
    for (const r of shown) {
      const state = reviewState(r.review_on, today);
      const review = state === 'overdue' ? `Review overdue: it was due by ${r.review_on}` : `Review by ${r.review_on}`;
      add(
        complaintId,
        r.kind === 'restriction'
          ? {
              tag: 'Contact restricted',
              title: 'Contact with this person is restricted',
              lines: [...linesOf(r), review],
              href: `/staff/restrictions/${r.id}`,
              variant: 'warning',
            }
          : {
              tag: 'Warned',
              title: 'This person has been warned about their behaviour',
              lines: [`Warned on ${r.starts_on}`, review],
              href: `/staff/restrictions/${r.id}`,
              variant: 'information',
            },
      );
    }
  }
  const unrestricted = personIds.filter((p) => !restricted.includes(p));
  const pairs = await ctx.people.samePairs(unrestricted, restricted);
  for (const { complaintId, personId } of onCases) {
    const pair = pairs.find((p) => p.personId === personId);
    if (!pair) continue;
    add(complaintId, {
      tag: 'May be restricted',
      title: 'A party may be a person whose contact is restricted',
      lines: [
        'They share an email address or a phone number with a person under a contact restriction: compare them and link them if they are the same person.',
      ],
      href: `/staff/people/${pair.otherId}`,
      variant: 'warning',
    });
  }
  return out;
}

/** A message filed on a case: from a restricted person, it is recorded with what it breached (never refused). */
export async function inboundFiled(
  ctx: ConductContext,
  trx: Tx,
  filed: Parameters<InboundFiledHook>[1],
): Promise<void> {
  if (filed.audience !== 'complainant' || filed.fromAddress === null) return;
  const repo = ctx.repo.with(trx);
  const [onCase, byEmail] = await Promise.all([
    ctx.people.peopleOfCases([filed.complaintId], trx),
    ctx.people.peopleByEmail(filed.fromAddress, trx),
  ]);
  const senders = onCase.map((p) => p.personId).filter((p) => byEmail.includes(p));
  const restrictions = (await repo.activeOf(senders)).filter((r) => r.kind === 'restriction');
  for (const r of restrictions) {
    const since = startOfLondonDay(weekStart(ctx.calendar.londonDate(filed.receivedAt)));
    const flags = contactFlags(termsOf(r), {
      channel: 'email',
      complaintId: filed.complaintId,
      toAddresses: filed.toAddresses,
      officerEmail: r.officerEmail,
      earlierThisWeek: await repo.contactsSince(r.person_id, since),
    });
    await repo.insertContact({
      person_id: r.person_id,
      record_id: r.id,
      complaint_id: filed.complaintId,
      channel: 'email',
      item_id: filed.itemId,
      flags,
      received_at: filed.receivedAt,
    });
  }
}

/** A person's erasure: conduct's words about them go (reasons, letters' text, call notes), in the erasure's transaction. */
export const erasePerson = (ctx: ConductContext, db: DbOrTx, personId: string): Promise<void> =>
  ctx.repo.with(db).eraseOf(personId);

/** A person with warnings or restrictions keeps them: their only party may not leave to join another person. */
export const linkCheck = async (ctx: ConductContext, db: DbOrTx, personId: string): Promise<string | null> =>
  (await ctx.repo.with(db).hasRecords(personId))
    ? 'This party’s person has warnings or restrictions on record: link the other way, from that person’s page'
    : null;

/** The case timeline's entries: letters recorded on the case and contacts received outside a restriction. */
export async function timeline(ctx: ConductContext, complaintId: string): Promise<TimelineEvent[]> {
  const [letters, contacts] = await Promise.all([
    ctx.repo.lettersOnCase(complaintId),
    ctx.repo.contactsOf({ complaintId }),
  ]);
  return [
    ...letters.map((l): TimelineEvent => ({
      at: l.created_at,
      kind: 'correspondence',
      label: `${KIND_NAMES[l.kind]}: letter to the person`,
      text: l.item_id ? `${l.subject} (sent by email)` : `${l.subject} (for post)`,
      href: `/staff/restrictions/${l.recordId}`,
      authorityVisible: false,
    })),
    ...contacts
      .filter((c) => c.flags.length > 0)
      .map((c): TimelineEvent => ({
        at: c.receivedAt,
        kind: 'correspondence',
        label: 'Contact received outside the restriction',
        text: flagNamesOf(c.flags).join('; '),
        authorityVisible: false,
      })),
  ];
}
