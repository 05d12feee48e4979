import type { OpenedDocument } from '../../platform/files/files.service.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { CLOSED, RESPONDED, audit, visible, type EnquiriesContext } from './context.ts';
import { onTime } from './domain.ts';
import type { EnquiriesRepository } from './enquiries.repository.ts';

/**
 * Saves the answer to one question. A link officer's answer is ready to send (or a draft); a
 * delegate's goes straight in or waits for a link officer's review, as the authority chose. A
 * delegate may answer only what they were given.
 */
export async function answer(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  questionId: string,
  text: string,
  ready = true,
): Promise<void> {
  const answer = text.trim();
  if (answer === '') throw invalid([{ field: `answer-${questionId}`, message: 'Enter the answer' }]);
  const row = await ctx.repo.findEnquiry(enquiryId);
  const access = await visible(ctx, actor, row);
  if (!row || access.scope === 'staff') throw forbidden();
  if (access.questionIds !== null && !access.questionIds.has(questionId)) throw notFound('The question');
  await ctx.repo.transaction(async (repo, trx) => {
    const locked = await repo.lockEnquiry(enquiryId);
    if (!locked) throw notFound('The enquiry');
    if (locked.status === 'closed') throw conflict(CLOSED);
    if (locked.status === 'responded') throw conflict(RESPONDED);
    const mode = await repo.delegateSubmission(locked.authority_id);
    const state =
      access.scope === 'delegate' ? (mode === 'direct' ? 'ready' : 'awaiting-review') : ready ? 'ready' : 'draft';
    const now = ctx.clock.now();
    const saved = await repo.saveAnswer(enquiryId, questionId, {
      answer,
      answer_state: state,
      answered_by: actor.type === 'user' ? actor.id : null,
      answered_at: now,
    });
    if (!saved) throw notFound('The question');
    if (access.scope === 'delegate') await completeDelegations(ctx, repo, enquiryId, actor.id, now);
    await audit(trx, actor, 'enquiry.answered', enquiryId, locked.authority_id);
  });
}

/** Marks a delegate's tasks on an enquiry done when everything they were given has an answer. */
async function completeDelegations(
  ctx: EnquiriesContext,
  repo: EnquiriesRepository,
  enquiryId: string,
  userId: string,
  now: Date,
): Promise<void> {
  const today = ctx.calendar.londonDate(now);
  const open = await repo.openDelegationsFor(enquiryId, userId);
  const questions = await repo.answerStates(enquiryId);
  for (const d of open) {
    const covered = questions.filter((q) => d.question_id === null || q.id === d.question_id);
    if (covered.every((q) => q.answer_state === 'ready' || q.answer_state === 'awaiting-review')) {
      await repo.completeDelegation(d.id, now, onTime(today, d.internal_due_on));
    }
  }
}

/**
 * Adds a document to the answer to one question: checked by content and stored with the case, by
 * whoever may answer that question, while the enquiry is open.
 */
export async function attachDocument(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  questionId: string,
  file: { content: Buffer; filename: string; field?: string },
): Promise<string> {
  const row = await ctx.repo.findEnquiry(enquiryId);
  const access = await visible(ctx, actor, row);
  if (!row || access.scope === 'staff') throw forbidden();
  if (access.questionIds !== null && !access.questionIds.has(questionId)) throw notFound('The question');
  return ctx.repo.transaction(async (repo, trx) => {
    const locked = await repo.lockEnquiry(enquiryId);
    if (!locked) throw notFound('The enquiry');
    if (locked.status === 'closed') throw conflict(CLOSED);
    if (locked.status === 'responded') throw conflict(RESPONDED);
    const question = await repo.findQuestion(questionId);
    if (!question || question.enquiry_id !== enquiryId) throw notFound('The question');
    const document = await ctx.files.store(trx, file.content, {
      filename: file.filename,
      complaintId: locked.complaint_id,
      authorityId: locked.authority_id,
      uploadedBy: actor,
      field: file.field ?? 'file',
    });
    await repo.insertAnswerDocument({
      question_id: questionId,
      document_id: document.id,
      authority_id: locked.authority_id,
    });
    await audit(trx, actor, 'enquiry.document-added', enquiryId, locked.authority_id);
    return document.id;
  });
}

/** A document given with an answer, for whoever may see that question. */
export async function openDocument(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  documentId: string,
): Promise<OpenedDocument> {
  const row = await ctx.repo.findEnquiry(enquiryId);
  const access = await visible(ctx, actor, row);
  const attached = (await ctx.repo.answerDocuments(enquiryId)).find((d) => d.document_id === documentId);
  if (!attached || (access.questionIds !== null && !access.questionIds.has(attached.question_id))) {
    throw notFound('The document');
  }
  return ctx.documents.open(actor, documentId);
}

/** A link officer accepts a delegate's answer after review. */
export async function acceptAnswer(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  questionId: string,
): Promise<void> {
  const row = await ctx.repo.findEnquiry(enquiryId);
  const access = await visible(ctx, actor, row);
  if (access.scope !== 'link-officer' || !row) throw forbidden();
  await ctx.repo.transaction(async (repo, trx) => {
    const locked = await repo.lockEnquiry(enquiryId);
    if (!locked || locked.status !== 'open') throw conflict(locked?.status === 'closed' ? CLOSED : RESPONDED);
    const accepted = await repo.acceptAnswer(enquiryId, questionId);
    if (!accepted) throw conflict('There is no answer waiting for review on that question');
    await audit(trx, actor, 'enquiry.answer-accepted', enquiryId, row.authority_id);
  });
}
