import { notFound } from '../../platform/errors.ts';
import { letterPdf as letterPdfOf } from '../../platform/mail/letter-pdf.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { PANEL_ITEMS, type Panel } from '../home/panels.ts';
import { isUuid, linesOf, needs, policy, readsPerson, shape, withFlagNames, type ConductContext } from './context.ts';
import { KIND_NAMES, reviewState } from './domain.ts';

// What the pages show: a person's, a case's and one record's warnings and restrictions, the
// overview and the home panel for casework managers, and a named officer's queue.

/** A person's warnings and restrictions, letters and contacts. */
export async function ofPerson(ctx: ConductContext, actor: Actor, personId: string) {
  await readsPerson(ctx, actor, personId);
  const today = londonToday(ctx);
  const [parties, records, contacts, calls] = await Promise.all([
    ctx.people.partiesOf(personId),
    ctx.repo.recordsOf(personId),
    ctx.repo.contactsOf({ personId }),
    ctx.repo.callsOf({ personId }),
  ]);
  return {
    parties,
    calls: calls.map(withFlagNames),
    records: records.map((r) => shape(r, today)),
    contacts: contacts.map(withFlagNames),
    canManage: can(actor, 'conduct:manage'),
    policy: await policy(ctx),
    warned: records.some((r) => r.kind === 'warning'),
    restricted: records.some((r) => r.kind === 'restriction' && r.status === 'active'),
  };
}

/** One warning or restriction, with its reviews and letters. */
export async function one(ctx: ConductContext, actor: Actor, id: string) {
  needs(actor, 'complaints:read');
  const record = isUuid(id) ? await ctx.repo.record(id) : undefined;
  if (!record) throw notFound('The restriction');
  const [reviews, letters, parties] = await Promise.all([
    ctx.repo.reviewsOf(id),
    ctx.repo.lettersOf(id),
    ctx.people.partiesOf(record.person_id),
  ]);
  return {
    policy: await policy(ctx),
    record: shape(record, londonToday(ctx)),
    reviews,
    letters,
    parties,
    canManage: can(actor, 'conduct:manage'),
  };
}

/** Everything in force, for casework managers: overdue reviews first. */
export async function overview(ctx: ConductContext, actor: Actor) {
  needs(actor, 'conduct:manage');
  const today = londonToday(ctx);
  const rows = (await ctx.repo.allActive()).map((r) => shape(r, today));
  const names = await Promise.all(rows.map(async (r) => (await ctx.people.partiesOf(r.person_id))[0]?.name ?? ''));
  const withNames = rows.map((r, i) => Object.assign({ personName: names[i] ?? '' }, r));
  return {
    overdue: withNames.filter((r) => r.reviewState === 'overdue'),
    dueSoon: withNames.filter((r) => r.reviewState === 'due-soon'),
    later: withNames.filter((r) => r.reviewState === 'later'),
  };
}

/**
 * The casework managers' home panel: warnings and restrictions whose review date has passed, then
 * those due within the reminder's days, soonest first. Null for anyone else.
 */
export async function homePanel(ctx: ConductContext, actor: Actor): Promise<Panel | null> {
  if (actor.authorityId !== null || !can(actor, 'conduct:manage')) return null;
  const today = londonToday(ctx);
  const due = (await ctx.repo.allActive()).filter((r) => reviewState(r.review_on, today) !== 'later');
  const overdue = due.filter((r) => r.review_on < today).length;
  const shown = due.slice(0, PANEL_ITEMS);
  const parties = await Promise.all(shown.map((r) => ctx.people.partiesOf(r.person_id)));
  const soon = due.length - overdue;
  return {
    id: 'conduct-reviews',
    heading: 'Reviews of warnings and restrictions',
    total: due.length,
    summary:
      [overdue > 0 ? `${overdue} overdue` : null, soon > 0 ? `${soon} due soon` : null].filter(Boolean).join(', ') ||
      null,
    empty: 'No review of a warning or restriction is overdue or due in the next two weeks',
    viewAll: { href: '/staff/restrictions', text: 'View all warnings and restrictions' },
    items: shown.map((r, i) => ({
      href: `/staff/restrictions/${r.id}`,
      text: `${KIND_NAMES[r.kind]}: ${parties[i]?.[0]?.name ?? 'a person'}`,
      reference: parties[i]?.[0]?.reference ?? '',
      dueDate: r.review_on,
      tag:
        r.review_on < today
          ? { text: 'Review overdue', classes: 'govuk-tag--red' }
          : { text: 'Review due soon', classes: 'govuk-tag--yellow' },
    })),
  };
}

/** The contacts from people whose named officer is the actor. */
export async function myQueue(ctx: ConductContext, actor: Actor) {
  needs(actor, 'complaints:read');
  if (actor.type !== 'user') return [];
  const rows = await ctx.repo.contactsOf({ officerId: actor.id });
  return rows.map(withFlagNames);
}

/** Active staff, to choose a named officer from. */
export async function staff(ctx: ConductContext, actor: Actor) {
  needs(actor, 'conduct:manage');
  return ctx.repo.staff();
}

/** A letter as a PDF, for post. */
export async function letterPdf(
  ctx: ConductContext,
  actor: Actor,
  id: string,
): Promise<{ filename: string; pdf: Buffer }> {
  needs(actor, 'complaints:read');
  const letter = isUuid(id) ? await ctx.repo.letter(id) : undefined;
  if (!letter) throw notFound('The letter');
  return {
    filename: `letter-${letter.created_at.toISOString().slice(0, 10)}.pdf`,
    pdf: letterPdfOf({ title: letter.subject, body: letter.body }),
  };
}

/** The restriction in force on a party of the case, for the API (staff only). */
export async function restrictionOfCase(ctx: ConductContext, actor: Actor, complaintId: string) {
  if (actor.authorityId !== null || !can(actor, 'complaints:read')) return null;
  const people = (await ctx.people.peopleOfCases([complaintId])).map((p) => p.personId);
  const record = (await ctx.repo.activeOf(people)).find((r) => r.kind === 'restriction');
  return record ? { id: record.id, terms: linesOf(record), reviewDate: record.review_on } : null;
}

/**
 * What an authority's portal case page says of a restriction, when the ombudsman decided the
 * authority must be told: only that contact goes through the named officer. Never the reasons or
 * the other terms. Null for staff, and when nothing is to be told.
 */
export async function portalNotice(
  ctx: ConductContext,
  actor: Actor,
  complaintId: string,
): Promise<{ role: string; officerName: string }[]> {
  if (actor.authorityId === null) return [];
  const onCase = await ctx.people.peopleOfCases([complaintId]);
  const told = (await ctx.repo.activeOf(onCase.map((p) => p.personId))).filter(
    (r) => r.kind === 'restriction' && r.tell_authority && r.officerName !== null,
  );
  const out: { role: string; officerName: string }[] = [];
  for (const r of told) {
    for (const p of await ctx.people.partiesOf(r.person_id)) {
      if (p.complaintId !== complaintId) continue;
      out.push({
        role: p.role === 'representative' ? 'the representative' : 'the complainant',
        officerName: r.officerName ?? '',
      });
    }
  }
  return out;
}

/** The case's parties with their people and what is in force on each, for the case's Contact tab. */
export async function ofCase(ctx: ConductContext, actor: Actor, complaintId: string) {
  const parties = await ctx.people.ofCase(actor, complaintId);
  const today = londonToday(ctx);
  const records = await ctx.repo.activeOf(parties.map((p) => p.personId));
  const [contacts, calls] = await Promise.all([
    ctx.repo.contactsOf({ complaintId }),
    ctx.repo.callsOf({ complaintId }),
  ]);
  return {
    calls: calls.map(withFlagNames),
    parties: parties.map((p) =>
      Object.assign({ records: records.filter((r) => r.person_id === p.personId).map((r) => shape(r, today)) }, p),
    ),
    contacts: contacts.map(withFlagNames),
    canManage: can(actor, 'conduct:manage'),
  };
}
