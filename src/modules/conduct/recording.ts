import type { Tx } from '../../platform/db/database.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import type { PersonParty } from '../people/people.service.ts';
import type { ConductRepository, RecordWithNames } from './conduct.repository.ts';
import { audit, isUuid, linesOf, needs, policy, termColumns, userIdOf, type ConductContext } from './context.ts';
import { defaultReviewOn, recordProblems, type RecordInput, type Terms } from './domain.ts';
import { decisionLetter } from './letter-texts.ts';

// Recording a warning or a restriction, and the letter that tells the person of it or of a review.

/** The terms of a warning: none. */
const NO_TERMS: Terms = {
  channels: [],
  namedOfficerId: null,
  callTimes: null,
  maxCallMinutes: null,
  writtenOnly: false,
  weeklyContactCap: null,
  settledComplaintId: null,
  tellAuthority: false,
};

/** How a letter addresses the person: by the name on their latest case. */
export const addresseeOf = (parties: readonly PersonParty[]): string => parties[0]?.name ?? 'Sir or Madam';

/** Records a warning or a restriction on a person and sends the decision letter. Bad input changes nothing. */
export async function record(
  ctx: ConductContext,
  actor: Actor,
  personId: string,
  input: RecordInput,
): Promise<{ id: string; reviewDate: string; letterId: string }> {
  needs(actor, 'conduct:manage', 'Only a casework manager may record a warning or a restriction');
  if (!(await ctx.people.exists(personId))) throw notFound('The person');
  // Read before the transaction: the library reads on its own connection.
  const policyUrl = (await policy(ctx))?.url ?? null;
  return ctx.repo.transaction(async (repo) => {
    const trx = repo.db as Tx;
    const today = londonToday(ctx);
    const active = await repo.activeOf([personId]);
    const officer =
      input.namedOfficerId !== null && isUuid(input.namedOfficerId)
        ? await repo.activeStaff(input.namedOfficerId)
        : undefined;
    const parties = await ctx.people.partiesOf(personId, trx);
    const problems = recordProblems(input, {
      today,
      warned: await repo.warned(personId),
      restricted: active.some((r) => r.kind === 'restriction'),
      officerActive: officer !== undefined,
      settledIsTheirs: parties.some((p) => p.complaintId === input.settledComplaintId),
    });
    if (problems.length > 0) throw invalid(problems);
    const reviewOn = input.reviewOn ?? defaultReviewOn(today);
    const now = ctx.clock.now();
    const restriction = input.kind === 'restriction';
    const id = await repo.insertRecord(
      Object.assign(termColumns(restriction ? input : NO_TERMS), {
        person_id: personId,
        kind: input.kind,
        reason: input.reason,
        staff_safety_risk: input.staffSafetyRisk,
        no_warning_reason: input.noWarningReason,
        starts_on: today,
        review_on: reviewOn,
        recorded_by: userIdOf(actor),
        created_at: now,
        updated_at: now,
      }),
    );
    const record = await repo.record(id);
    if (!record) throw notFound('The record');
    const letter = decisionLetter({
      policyUrl,
      name: addresseeOf(parties),
      kind: input.kind,
      reason: input.reason,
      terms: linesOf(record),
      startsOn: today,
      reviewOn,
    });
    const letterId = await sendLetter(ctx, repo, actor, record, parties, null, letter);
    await audit(
      repo,
      actor,
      restriction ? 'conduct.restriction-recorded' : 'conduct.warning-recorded',
      'conduct-record',
      id,
    );
    return { id, reviewDate: reviewOn, letterId };
  });
}

/**
 * The letter goes once: by email through the correspondence of an open case where the person is
 * the only party with an email address (so nobody else receives it), else it is printed for post.
 * It is recorded on every open case of theirs (their latest case when none is open).
 */
export async function sendLetter(
  ctx: ConductContext,
  repo: ConductRepository,
  actor: Actor | null,
  record: RecordWithNames,
  parties: readonly PersonParty[],
  reviewId: string | null,
  letter: { subject: string; text: string },
): Promise<string> {
  const open = parties.filter((p) => p.status !== 'closed');
  const cases = [...new Set((open.length > 0 ? open : parties.slice(0, 1)).map((p) => p.complaintId))];
  const partyIds = parties.map((p) => p.partyId);
  let itemId: string | null = null;
  for (const complaintId of cases) {
    if (await repo.onlyTheirEmail(complaintId, partyIds)) {
      itemId = await ctx.correspondence.write(repo.db, {
        complaintId,
        kind: 'message',
        addressees: ['complainant'],
        subject: letter.subject,
        text: letter.text,
        actor,
        letter: true,
      });
      break;
    }
  }
  return repo.insertLetter(
    {
      record_id: record.id,
      review_id: reviewId,
      subject: letter.subject,
      body: letter.text,
      item_id: itemId,
      created_at: ctx.clock.now(),
    },
    cases,
  );
}
