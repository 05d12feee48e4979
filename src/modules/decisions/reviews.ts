import { DomainError, conflict, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { TOKEN_SHAPE, audit, hashToken, requireStaff, showDate, type DecisionsContext } from './context.ts';
import {
  FINAL_OUTCOMES,
  FINAL_OUTCOME_NAMES,
  FORM_NAMES,
  involved,
  reviewInTime,
  type FinalOutcome,
} from './domain.ts';

/*
 * The complainant's review of a final decision: asked for by link or recorded by staff, and
 * decided by a casework manager who was not involved in the case.
 */

async function storeReview(
  ctx: DecisionsContext,
  final: { id: string; complaint_id: string; authority_id: string; review_due_on: string },
  actor: Actor | null,
  channel: 'complainant-link' | 'staff',
  grounds: string,
): Promise<string> {
  const text = grounds.trim();
  if (!text) throw invalid([{ field: 'grounds', message: 'Tell us why you think the decision is wrong' }]);
  const today = londonToday(ctx);
  if (!reviewInTime(today, final.review_due_on))
    throw conflict(`A review can no longer be asked for: the time to ask ended on ${showDate(final.review_due_on)}`, [
      { field: 'grounds', message: `The time to ask for a review ended on ${showDate(final.review_due_on)}` },
    ]);
  return ctx.repo.transaction(async (repo, trx) => {
    const id = await repo.insertReview({
      final_decision_id: final.id,
      complaint_id: final.complaint_id,
      authority_id: final.authority_id,
      channel,
      grounds: text,
      requested_at: ctx.clock.now(),
      requested_on: today,
      entered_by: actor?.type === 'user' ? actor.id : null,
    });
    if (!id) throw conflict('A review of this decision has already been asked for');
    await audit(trx, actor, 'decision.review-requested', 'decision-review', id, final.authority_id);
    return id;
  });
}

/** What the complainant's link from the final decision shows. */
export async function finalByLink(ctx: DecisionsContext, token: string) {
  if (!TOKEN_SHAPE.test(token)) return null;
  const final = await ctx.repo.finalByTokenHash(hashToken(token));
  if (!final) return null;
  const [complaint, review] = await Promise.all([ctx.repo.complaint(final.complaint_id), ctx.repo.review(final.id)]);
  return {
    reference: complaint?.reference ?? '',
    authorityName: complaint?.authority_name ?? '',
    form: final.form,
    formName: FORM_NAMES[final.form].final,
    outcomeName: FINAL_OUTCOME_NAMES[final.outcome],
    statement: final.statement,
    decidedOn: final.decided_on,
    reviewDueOn: final.review_due_on,
    inTime: reviewInTime(londonToday(ctx), final.review_due_on),
    review: review ? { requestedOn: review.requested_on, result: review.result, reason: review.result_reason } : null,
  };
}

/** The complainant asks for a review through the link in the final decision's letter, within the period. */
export async function requestReviewByLink(ctx: DecisionsContext, token: string, grounds: string): Promise<string> {
  if (!TOKEN_SHAPE.test(token)) throw notFound('The decision');
  const final = await ctx.repo.finalByTokenHash(hashToken(token));
  if (!final) throw notFound('The decision');
  return storeReview(ctx, final, null, 'complainant-link', grounds);
}

/** Staff record a review request the complainant made another way (phone, letter, email). */
export async function requestReview(
  ctx: DecisionsContext,
  actor: Actor,
  complaintId: string,
  grounds: string,
): Promise<string> {
  requireStaff(actor, 'decisions:write');
  const final = await ctx.repo.final(complaintId);
  if (!final) throw conflict('There is no final decision on this case to review');
  return storeReview(ctx, final, actor, 'staff', grounds);
}

/**
 * A casework manager who was not involved in the case decides a review: the decision stands, or it
 * changes to another outcome. Both parties are told.
 */
export async function decideReview(
  ctx: DecisionsContext,
  actor: Actor,
  reviewId: string,
  input: {
    result: 'decision-stands' | 'decision-changed';
    reason: string;
    newOutcome?: FinalOutcome | null | undefined;
  },
): Promise<void> {
  requireStaff(actor, 'decisions:review');
  const problems: FieldError[] = [];
  if (input.result !== 'decision-stands' && input.result !== 'decision-changed')
    problems.push({ field: 'result', message: 'Choose whether the decision stands' });
  if (input.result === 'decision-changed' && !(FINAL_OUTCOMES as readonly string[]).includes(input.newOutcome ?? ''))
    problems.push({ field: 'newOutcome', message: 'Choose the new outcome' });
  const reason = input.reason.trim();
  if (!reason) problems.push({ field: 'reason', message: 'Enter the reasons for the review decision' });
  if (problems.length > 0) throw invalid(problems);
  await ctx.repo.transaction(async (repo, trx) => {
    const review = await repo.reviewById(reviewId);
    if (!review) throw notFound('The review');
    if (review.result) throw conflict('This review has already been decided');
    if (involved(await repo.involvedPeople(review.complaint_id), actor.id))
      throw new DomainError(
        'forbidden',
        'You were involved in this case: a casework manager who was not involved must decide the review',
      );
    const newOutcome = input.result === 'decision-changed' ? (input.newOutcome ?? null) : null;
    await repo.decideReview(reviewId, {
      result: input.result,
      new_outcome: newOutcome,
      result_reason: reason,
      decided_by: actor.type === 'user' ? actor.id : null,
      decided_at: ctx.clock.now(),
    });
    const summary =
      input.result === 'decision-stands'
        ? 'We have reviewed our final decision and it stands.'
        : `We have reviewed our final decision and changed its outcome to: ${newOutcome ? FINAL_OUTCOME_NAMES[newOutcome] : ''}.`;
    for (const addressees of [['complainant'], ['chief-executive', 'link-officers']] as const) {
      await ctx.correspondence.write(trx, {
        complaintId: review.complaint_id,
        kind: 'message',
        addressees,
        subject: 'The review of our final decision',
        text: `${summary}\n\n${reason}`,
        actor,
      });
    }
    await audit(trx, actor, `decision.review-${input.result}`, 'decision-review', reviewId, review.authority_id);
  });
}
