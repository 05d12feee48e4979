import { addDays } from '../../platform/calendar/calendar.ts';
import { conflict, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { audit, isUuid, linesOf, needs, policy, termColumns, userIdOf, type ConductContext } from './context.ts';
import {
  callTimesProblems,
  hasTerms,
  KIND_NAMES,
  REMINDER_DAYS,
  reviewDateProblems,
  tellAuthorityProblems,
  type ReviewOutcome,
  type Terms,
} from './domain.ts';
import { reviewLetter } from './letter-texts.ts';
import { addresseeOf, sendLetter } from './recording.ts';
import { londonToday } from '../../platform/calendar/today.ts';

// Reviews of a warning or restriction, and the reminders that they are due.

export interface ReviewInput {
  outcome: ReviewOutcome;
  reason: string;
  reviewOn: string | null;
  /** New terms, for a variation. */
  terms: Terms | null;
}

/** A review: extend (a new date), vary (new terms, and a new date if given) or lift. Each sends a letter. */
export async function review(
  ctx: ConductContext,
  actor: Actor,
  recordId: string,
  input: ReviewInput,
): Promise<{ id: string; status: 'active' | 'lifted'; reviewDate: string | null; letterId: string }> {
  needs(actor, 'conduct:manage', 'Only a casework manager may review a warning or a restriction');
  if (!isUuid(recordId)) throw notFound('The restriction');
  // Read before the transaction: the library reads on its own connection.
  const policyUrl = (await policy(ctx))?.url ?? null;
  return ctx.repo.transaction(async (repo) => {
    const locked = await repo.lockRecord(recordId);
    if (!locked) throw notFound('The restriction');
    if (locked.status === 'lifted') throw conflict('It has been lifted already: record a new one if it is needed');
    const record = await repo.record(recordId);
    if (!record) throw notFound('The restriction');
    const today = londonToday(ctx);
    const problems: FieldError[] = [];
    if (input.outcome === 'extend' && input.reviewOn === null) {
      problems.push({ field: 'reviewDate', message: 'Enter the new review date' });
    }
    if (input.outcome !== 'lift' && input.reviewOn !== null)
      problems.push(...reviewDateProblems(input.reviewOn, today));
    if (input.outcome === 'vary') {
      if (record.kind === 'warning')
        problems.push({ field: 'outcome', message: 'A warning has no terms to vary: extend or lift it' });
      else if (!input.terms || !hasTerms(input.terms))
        problems.push({ field: 'terms', message: 'Choose at least one restriction' });
      if (input.terms) problems.push(...tellAuthorityProblems(input.terms));
      if (input.terms?.callTimes) problems.push(...callTimesProblems(input.terms.callTimes));
      if (input.terms?.namedOfficerId) {
        const officerActive =
          isUuid(input.terms.namedOfficerId) && (await repo.activeStaff(input.terms.namedOfficerId)) !== undefined;
        if (!officerActive)
          problems.push({
            field: 'namedOfficerId',
            message: 'Choose an active member of staff as the named officer',
          });
      }
    }
    if (problems.length > 0) throw invalid(problems);
    const parties = await ctx.people.partiesOf(record.person_id, repo.db);
    if (input.terms?.settledComplaintId && !parties.some((p) => p.complaintId === input.terms?.settledComplaintId)) {
      throw invalid([
        { field: 'settledComplaintId', message: 'Choose one of this person’s complaints as the settled matter' },
      ]);
    }
    const now = ctx.clock.now();
    const lifted = input.outcome === 'lift';
    const reviewOn = lifted ? null : (input.reviewOn ?? record.review_on);
    const reviewId = await repo.insertReview({
      record_id: recordId,
      outcome: input.outcome,
      reason: input.reason,
      previous_review_on: record.review_on,
      review_on: reviewOn,
      terms_before: input.outcome === 'vary' ? linesOf(record).join('\n') : null,
      reviewed_by: userIdOf(actor),
      reviewed_at: now,
    });
    const terms = input.outcome === 'vary' && input.terms ? input.terms : null;
    await repo.updateRecord(recordId, {
      ...(lifted
        ? { status: 'lifted' as const, lifted_at: now }
        : { review_on: reviewOn ?? record.review_on, reminded_at: null }),
      ...(terms ? termColumns(terms) : {}),
      updated_at: now,
    });
    const after = await repo.record(recordId);
    if (!after) throw notFound('The restriction');
    const letter = reviewLetter({
      policyUrl,
      name: addresseeOf(parties),
      kind: record.kind,
      outcome: input.outcome,
      reason: input.reason,
      terms: linesOf(after),
      reviewOn,
    });
    const letterId = await sendLetter(ctx, repo, actor, after, parties, reviewId, letter);
    await audit(
      repo,
      actor,
      `conduct.${input.outcome === 'lift' ? 'lifted' : input.outcome === 'extend' ? 'extended' : 'varied'}`,
      'conduct-record',
      recordId,
    );
    return { id: recordId, status: lifted ? 'lifted' : 'active', reviewDate: reviewOn, letterId };
  });
}

/**
 * Reminds the casework manager who recorded each warning or restriction (every active casework
 * manager when no active person did, e.g. one recorded through the API) of the reviews due within
 * the reminder's days and any overdue, once per review date.
 */
export async function remindReviewsDue(ctx: ConductContext): Promise<number> {
  const today = londonToday(ctx);
  const due = await ctx.repo.reviewsToRemind(addDays(today, REMINDER_DAYS));
  let sent = 0;
  for (const row of due) {
    await ctx.repo.transaction(async (repo) => {
      if (!(await repo.markReminded(row.id, ctx.clock.now()))) return;
      const overdue = row.review_on < today;
      const what = KIND_NAMES[row.kind].toLowerCase();
      const managers =
        row.email !== null && row.display_name !== null
          ? [{ email: row.email, display_name: row.display_name }]
          : await repo.caseworkManagers();
      for (const manager of managers) {
        await repo.enqueueMail({
          kind: 'conduct.review-reminder',
          to: manager.email,
          subject: `${overdue ? 'Review overdue' : 'Review due'}: a ${what} to review by ${row.review_on}`,
          text: [
            `Dear ${manager.display_name},`,
            `A ${what} is to be reviewed by ${row.review_on}${overdue ? ', which has passed' : ''}.`,
            'Review it: extend it (with the reason and a new date), vary its terms, or lift it. The person is sent a letter with the outcome.',
            `${ctx.settings.baseUrl}/staff/restrictions/${row.id}`,
          ].join('\n\n'),
          idempotencyKey: `conduct-review:${row.id}:${row.review_on}:${manager.email}`,
          automatic: true,
        });
      }
      sent++;
    });
  }
  return sent;
}
