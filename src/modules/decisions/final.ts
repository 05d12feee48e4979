import crypto from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { conflict, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { audit, hashToken, requireDrafter, showDate, type DecisionsContext } from './context.ts';
import {
  FINAL_OUTCOMES,
  FINAL_OUTCOME_NAMES,
  FORM_NAMES,
  isLate,
  type DraftForm,
  type FinalOutcome,
} from './domain.ts';

/* The final decision, and closing the case when no work is left open after it. */

/** A final decision (or final report) as issued. */
export interface FinalInput {
  outcome: FinalOutcome;
  statement: string;
  /** Confirms issuing it before the latest draft's comment deadline (needed only then). */
  earlyConfirmed?: boolean | undefined;
  /** Why it cannot wait for the comment deadline (needed only then). */
  earlyReason?: string | null;
}

export async function issueFinal(ctx: DecisionsContext, actor: Actor, complaintId: string, input: FinalInput) {
  return ctx.repo.transaction((_repo, trx) =>
    issueFinalInTx(ctx, trx, actor, complaintId, input, { form: 'decision' }),
  );
}

/**
 * The final decision (or final report): the outcome and statement sent to both parties, the hooks
 * run, then the case closes with the outcome, or moves to 'remedy' while work is open. Needs a
 * draft first, except to close after initial enquiries. Issued while the latest draft's comment
 * deadline has not passed (comments may still come, up to and on that day), it needs the
 * investigator's confirmation and the reason it cannot wait, which is kept with the decision.
 */
export async function issueFinalInTx(
  ctx: DecisionsContext,
  trx: Tx,
  actor: Actor,
  complaintId: string,
  input: FinalInput,
  options: { form: DraftForm },
): Promise<{ finalDecisionId: string; complainantLink: string; reviewDueOn: string }> {
  requireDrafter(actor, options.form);
  const problems: FieldError[] = [];
  if (!(FINAL_OUTCOMES as readonly string[]).includes(input.outcome))
    problems.push({ field: 'outcome', message: 'Choose the outcome' });
  const statement = (input.statement ?? '').trim();
  if (!statement) problems.push({ field: 'statement', message: 'Enter the decision statement' });
  if (problems.length > 0) throw invalid(problems);

  const repo = ctx.repo.with(trx);
  const complaint = await repo.lockComplaint(complaintId);
  if (!complaint) throw notFound('The complaint');
  if (await repo.final(complaintId)) throw conflict('A final decision has already been issued on this case');
  const draft = await repo.latestDraft(complaintId);
  if (complaint.status === 'investigation' && !draft) {
    if (input.outcome !== 'closed-after-initial-enquiries')
      throw conflict('Issue a draft decision first: both parties must be able to comment before the final decision', [
        { field: 'outcome', message: 'Issue a draft decision before the final decision' },
      ]);
  } else if (complaint.status !== 'decision') {
    throw conflict(
      `A final decision can only be made on a case under investigation (this case is ${complaint.status})`,
    );
  }
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  const name = FORM_NAMES[options.form].final;
  const early = draft !== undefined && !isLate(today, draft.comment_due_on);
  const earlyReason = (input.earlyReason ?? '').trim();
  if (early && draft) {
    const due = showDate(draft.comment_due_on);
    const problems: FieldError[] = [];
    if (input.earlyConfirmed !== true)
      problems.push({
        field: 'earlyConfirmed',
        message: `Confirm that the ${name.toLowerCase()} is to be issued before comments are due (${due})`,
      });
    if (!earlyReason)
      problems.push({ field: 'earlyReason', message: `Enter why it cannot wait until comments are due (${due})` });
    if (problems.length > 0) throw invalid(problems);
  }
  const reviewDueOn = ctx.calendar.addWorkingDays(today, ctx.settings.reviewWorkingDays).date;
  const token = crypto.randomBytes(32).toString('base64url');
  const finalDecisionId = await repo.insertFinal({
    complaint_id: complaintId,
    authority_id: complaint.authority_id,
    form: options.form,
    draft_id: draft?.id ?? null,
    outcome: input.outcome,
    statement,
    decided_by: actor.type === 'user' ? actor.id : null,
    decided_at: now,
    decided_on: today,
    review_due_on: reviewDueOn,
    complainant_token_hash: hashToken(token),
    early_reason: early ? earlyReason : null,
  });
  const outcomeName = FINAL_OUTCOME_NAMES[input.outcome];
  const complainantLink = `${ctx.settings.baseUrl}/decision/${token}`;
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'final-decision',
    addressees: ['complainant'],
    subject: `Our ${name.toLowerCase()} on your complaint`,
    text:
      `${name}: ${outcomeName}\n\n${statement}\n\n` +
      `If you think we made a mistake, you can ask for a review by ${showDate(reviewDueOn)} at ${complainantLink}`,
    actor,
  });
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'final-decision',
    addressees: ['chief-executive', 'link-officers'],
    letter: true,
    subject: `Our ${name.toLowerCase()} on complaint ${complaint.reference}`,
    text: `Dear Chief Executive,\n\n${name} on complaint ${complaint.reference}: ${outcomeName}\n\n${statement}`,
    actor,
  });
  for (const hook of ctx.hooks.final) {
    await hook(trx, actor, {
      complaintId,
      finalDecisionId,
      outcome: input.outcome,
      form: options.form,
      draftId: draft?.id ?? null,
      decidedOn: today,
    });
  }
  await audit(trx, actor, 'decision.final-issued', 'final-decision', finalDecisionId, complaint.authority_id);
  const reason = await openWorkReason(ctx, trx, complaintId);
  if (reason) {
    await ctx.complaints.transition(trx, actor, complaintId, 'decision');
    await ctx.complaints.transition(trx, actor, complaintId, 'remedy', { reason });
  } else {
    await ctx.complaints.transition(trx, actor, complaintId, 'closed', { outcome: input.outcome, reason: name });
  }
  return { finalDecisionId, complainantLink, reviewDueOn };
}

async function openWorkReason(ctx: DecisionsContext, trx: Tx, complaintId: string): Promise<string | null> {
  const reasons: string[] = [];
  for (const check of ctx.hooks.openWork) {
    const reason = await check(trx, complaintId);
    if (reason) reasons.push(reason);
  }
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/** Closes the case with the final decision's outcome when no work is open. True when it closed. */
export async function closeIfComplete(
  ctx: DecisionsContext,
  trx: Tx,
  actor: Actor,
  complaintId: string,
): Promise<boolean> {
  const repo = ctx.repo.with(trx);
  const complaint = await repo.lockComplaint(complaintId);
  if (!complaint || complaint.status === 'closed') return false;
  const final = await repo.final(complaintId);
  if (!final) return false;
  if (await openWorkReason(ctx, trx, complaintId)) return false;
  const review = await repo.review(final.id);
  const outcome = review?.result === 'decision-changed' && review.new_outcome ? review.new_outcome : final.outcome;
  await ctx.complaints.transition(trx, actor, complaintId, 'closed', {
    outcome,
    reason: `${FORM_NAMES[final.form].final}: all work complete`,
  });
  return true;
}

/** The final decision on a case, with the outcome a review changed it to when it did. */
export async function finalDecision(
  ctx: DecisionsContext,
  complaintId: string,
): Promise<{ id: string; outcome: FinalOutcome; statement: string; decidedOn: string; form: DraftForm } | null> {
  const final = await ctx.repo.final(complaintId);
  if (!final) return null;
  const review = await ctx.repo.review(final.id);
  const outcome = review?.result === 'decision-changed' && review.new_outcome ? review.new_outcome : final.outcome;
  return { id: final.id, outcome, statement: final.statement, decidedOn: final.decided_on, form: final.form };
}
