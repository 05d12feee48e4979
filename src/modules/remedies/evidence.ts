import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { REMEDY_TYPE_NAMES } from '../decisions/domain.ts';
import { CLOSED, DONE, NOT_AGREED, audit, dayName, staffOnly, type RemediesContext } from './context.ts';
import { evidenceLate, type RemedyStatus } from './domain.ts';

/* Evidence of compliance: sent by the authority, accepted or returned by a team coordinator. */

export interface EvidenceInput {
  description: string;
  file?: { content: Buffer; filename: string; field?: string } | null;
}

export type ReviewInput = { decision: 'accept' } | { decision: 'return'; reason: string };

/**
 * The authority's evidence of compliance, by its own users or tokens only: a description and
 * optionally a document, marked late when it arrives after the due date. One piece waits for
 * review at a time; staff are not told here but see it in their work list.
 */
export async function submitEvidence(
  ctx: RemediesContext,
  actor: Actor,
  remedyId: string,
  input: EvidenceInput,
): Promise<{ id: string; late: boolean }> {
  if (actor.authorityId === null || !can(actor, 'remedies:portal'))
    throw forbidden('Only the authority sends evidence of compliance');
  const found = await ctx.repo.find(remedyId);
  if (!found || found.authority_id !== actor.authorityId)
    throw notFound('The remedy (evidence is taken only for your own authority’s remedies)');
  const description = input.description.trim();
  if (description.length === 0)
    throw invalid([{ field: 'description', message: 'Describe what was done and how the evidence shows it' }]);
  return ctx.repo.transaction(async (repo, trx) => {
    const remedy = await repo.lock(remedyId);
    if (!remedy) throw notFound('The remedy');
    if (remedy.status === 'complied') throw conflict(DONE);
    if (remedy.status === 'not-satisfied') throw conflict(CLOSED);
    if (remedy.status !== 'agreed' || remedy.due_on === null) throw conflict(NOT_AGREED);
    if (await repo.waitingEvidence(remedyId))
      throw conflict('Evidence for this remedy is already waiting for review: wait for the decision on it');
    const now = ctx.clock.now();
    const today = ctx.calendar.londonDate(now);
    const document = input.file
      ? await ctx.files.store(trx, input.file.content, {
          filename: input.file.filename,
          complaintId: remedy.complaint_id,
          authorityId: remedy.authority_id,
          uploadedBy: actor,
          description: 'Evidence of compliance with a remedy',
          field: input.file.field ?? 'file',
        })
      : null;
    const late = evidenceLate(today, remedy.due_on);
    const id = await repo.insertEvidence({
      remedy_id: remedy.id,
      complaint_id: remedy.complaint_id,
      authority_id: remedy.authority_id,
      description,
      document_id: document?.id ?? null,
      submitted_by: actor.type === 'user' ? actor.id : null,
      submitted_by_token: actor.type === 'token' ? actor.id : null,
      submitted_at: now,
      submitted_on: today,
      late,
    });
    await audit(repo, actor, 'remedy.evidence-submitted', remedy.id, remedy.authority_id);
    return { id, late };
  });
}

/**
 * A team coordinator's review of evidence: accepted (the remedy is complied with, on time when the
 * evidence arrived by the due date; the case closes when nothing else is outstanding) or returned
 * with reasons. The authority's link officers are told either way.
 */
export async function reviewEvidence(
  ctx: RemediesContext,
  actor: Actor,
  remedyId: string,
  evidenceId: string,
  input: ReviewInput,
): Promise<{ remedyStatus: RemedyStatus; evidenceStatus: 'accepted' | 'returned'; caseClosed: boolean }> {
  staffOnly(actor, 'remedies:review');
  if (input.decision === 'return' && input.reason.trim() === '')
    throw invalid([{ field: 'reason', message: 'Give the reasons the evidence is returned' }]);
  return ctx.repo.transaction(async (repo, trx) => {
    const remedy = await repo.lock(remedyId);
    if (!remedy) throw notFound('The remedy');
    const evidence = await repo.lockEvidence(evidenceId);
    if (!evidence || evidence.remedy_id !== remedyId) throw notFound('The evidence');
    if (evidence.status !== 'submitted') throw conflict(`This evidence has already been ${evidence.status}`);
    if (remedy.status !== 'agreed' || remedy.due_on === null)
      throw conflict(remedy.status === 'complied' ? DONE : CLOSED);
    const now = ctx.clock.now();
    const reference = await repo.reference(remedy.complaint_id);
    const what = `${REMEDY_TYPE_NAMES[remedy.type]}: ${remedy.description}`;
    if (input.decision === 'return') {
      const reason = input.reason.trim();
      await repo.updateEvidence(evidenceId, {
        status: 'returned',
        reviewed_by: actor.type === 'user' ? actor.id : null,
        reviewed_at: now,
        review_reason: reason,
      });
      await audit(repo, actor, 'remedy.evidence-returned', remedy.id, remedy.authority_id);
      await ctx.correspondence.write(trx, {
        complaintId: remedy.complaint_id,
        kind: 'message',
        addressees: ['link-officers'],
        subject: `Evidence of compliance returned: complaint ${reference}`,
        text: [
          `We have looked at the evidence sent for this remedy on complaint ${reference}:`,
          what,
          '',
          'It does not yet show the remedy has been carried out, for these reasons:',
          reason,
          '',
          `The remedy was due on ${dayName(remedy.due_on)}. Please send further evidence in the authority portal: ${ctx.settings.baseUrl}/portal/remedies/${remedy.id}`,
        ].join('\n'),
        actor,
      });
      return { remedyStatus: 'agreed', evidenceStatus: 'returned', caseClosed: false };
    }
    const onTime = !evidenceLate(evidence.submitted_on, remedy.due_on);
    await repo.updateEvidence(evidenceId, {
      status: 'accepted',
      reviewed_by: actor.type === 'user' ? actor.id : null,
      reviewed_at: now,
    });
    await repo.update(remedy.id, {
      status: 'complied',
      complied_at: now,
      complied_on: evidence.submitted_on,
      complied_on_time: onTime,
      escalated_at: null,
      closed_at: now,
    });
    await audit(repo, actor, 'remedy.evidence-accepted', remedy.id, remedy.authority_id);
    await ctx.correspondence.write(trx, {
      complaintId: remedy.complaint_id,
      kind: 'message',
      addressees: ['link-officers'],
      subject: `Remedy complied with: complaint ${reference}`,
      text: [
        `Thank you. We have accepted the evidence that this remedy on complaint ${reference} has been carried out:`,
        what,
        '',
        onTime
          ? 'It was carried out by the due date.'
          : `It was due on ${dayName(remedy.due_on)} and is recorded as late.`,
      ].join('\n'),
      actor,
    });
    const caseClosed =
      (await repo.countOutstanding(remedy.complaint_id)) === 0
        ? await ctx.closer.closeIfComplete(trx, actor, remedy.complaint_id)
        : false;
    return { remedyStatus: 'complied', evidenceStatus: 'accepted', caseClosed };
  });
}
