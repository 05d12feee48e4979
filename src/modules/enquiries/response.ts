import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { CLOSED, RESPONDED, audit, staffOnly, visible, type EnquiriesContext } from './context.ts';
import { onTime } from './domain.ts';
import { get } from './reading.ts';

export interface AnswerInput {
  questionId: string;
  answer: string;
}

/**
 * Sends the authority's response to the ombudsman: every question must have an answer ready
 * (answers given here are saved first). Marks the enquiry responded, on time or late.
 */
export async function submitResponse(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  answers: AnswerInput[] = [],
): Promise<{ onTime: boolean; respondedAt: Date }> {
  const row = await ctx.repo.findEnquiry(enquiryId);
  if (!row || actor.authorityId === null || actor.authorityId !== row.authority_id) throw notFound('The enquiry');
  const access = await visible(ctx, actor, row);
  const detail = await get(ctx, actor, enquiryId);
  if (!detail.maySubmit && row.status === 'open') {
    throw forbidden(
      access.scope === 'delegate'
        ? 'Your link officer sends the response to the ombudsman'
        : 'You cannot send this response',
    );
  }
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  return ctx.repo.transaction(async (repo, trx) => {
    const locked = await repo.lockEnquiry(enquiryId);
    if (!locked) throw notFound('The enquiry');
    if (locked.status === 'closed') throw conflict(CLOSED);
    if (locked.status === 'responded') throw conflict(RESPONDED);
    const questions = await repo.answerStates(enquiryId);
    const ids = new Set(questions.map((q) => q.id));
    for (const a of answers) {
      if (!ids.has(a.questionId))
        throw invalid([{ field: 'answers', message: `There is no question ${a.questionId} on this enquiry` }]);
      if (a.answer.trim() === '') throw invalid([{ field: 'answers', message: 'Every answer needs some text' }]);
      await repo.saveResponseAnswer(a.questionId, {
        answer: a.answer.trim(),
        answer_state: 'ready',
        answered_by: actor.type === 'user' ? actor.id : null,
        answered_at: now,
      });
    }
    const given = new Set(answers.map((a) => a.questionId));
    const missing = questions.filter((q) => !given.has(q.id) && q.answer_state !== 'ready');
    if (missing.length > 0) {
      throw conflict(
        `Every question needs an answer ready to send: ${missing.length} ${missing.length === 1 ? 'is' : 'are'} not ready (unanswered, a draft, or waiting for review)`,
      );
    }
    const inTime = onTime(today, locked.due_on);
    await repo.updateEnquiry(enquiryId, {
      status: 'responded',
      responded_at: now,
      responded_by: actor.type === 'user' ? actor.id : null,
      responded_on_time: inTime,
    });
    await repo.refusePendingExtension(enquiryId, now, 'The response arrived');
    await repo.endOpenDelegations(enquiryId, now);
    await audit(trx, actor, 'enquiry.responded', enquiryId, locked.authority_id);
    return { onTime: inTime, respondedAt: now };
  });
}

/** Staff close an enquiry that no longer needs an answer (the case moved on). */
export async function close(ctx: EnquiriesContext, actor: Actor, enquiryId: string, reason: string): Promise<void> {
  staffOnly(actor, 'enquiries:send');
  if (reason.trim() === '') throw invalid([{ field: 'closeReason', message: 'Enter why the enquiry is being closed' }]);
  await ctx.repo.transaction(async (repo, trx) => {
    const row = await repo.lockEnquiry(enquiryId);
    if (!row) throw notFound('The enquiry');
    if (row.status !== 'open') throw conflict('Only an open enquiry can be closed');
    await repo.updateEnquiry(enquiryId, { status: 'closed', closed_at: ctx.clock.now(), closed_reason: reason.trim() });
    await repo.refusePendingExtension(enquiryId, ctx.clock.now(), 'The enquiry was closed');
    await repo.endOpenDelegations(enquiryId, ctx.clock.now());
    await audit(trx, actor, 'enquiry.closed', enquiryId, row.authority_id);
  });
}
