import { writeAudit } from '../../platform/audit/audit.ts';
import { formatDate } from '../../platform/dates.ts';
import { DomainError, invalid, type FieldError } from '../../platform/errors.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { ComplaintsRepository } from './complaints.repository.ts';
import type { AssessmentInput } from './complaints.schemas.ts';
import { isUuid, lockOpen, requireStaff, type ComplaintsContext } from './context.ts';
import { tellOfOutcome } from './closing.ts';
import {
  ALLOCATION_STATUSES,
  ASSESSMENT_OUTCOME_NAMES,
  QUEUE_STATUSES,
  closingOutcome,
  needsReason,
} from './domain.ts';
import { move } from './moves.ts';

// Assessment: the decision, allocation to an investigator, documents asked of the authority and added to the case.

/**
 * The assessment decision, the one set of rules for the staff page and the API. Investigate moves
 * the case to investigation, allocated to the investigator given or else unallocated (a late
 * complaint needs the reason it may go ahead); every other outcome closes the case, needs a reason
 * and is told to the complainant, and to the authority unless the authority is never told of it.
 * A case still at intake (or received) passes through assessment first, each step recorded.
 */
export async function assess(ctx: ComplaintsContext, actor: Actor, id: string, input: AssessmentInput): Promise<void> {
  requireStaff(actor, 'complaints:assess');
  const problems: FieldError[] = [];
  if (needsReason(input.outcome) && !input.reason)
    problems.push({ field: 'reason', message: 'Enter the reason for the decision' });
  // The investigator is optional: without one the case goes to investigation unallocated.
  if (input.outcome === 'investigate' && !(await mayBeAllocated(ctx, input.investigatorId)))
    problems.push({ field: 'investigatorId', message: 'Select an investigator from the list' });
  if (problems.length > 0) throw invalid(problems);
  await ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockOpen(trx, id);
    if (!QUEUE_STATUSES.includes(complaint.status))
      throw new DomainError('conflict', 'The complaint has already been assessed');
    const outcome = closingOutcome(input.outcome);
    if (outcome === null) {
      if (complaint.late && !complaint.late_reason && !input.lateReason)
        throw invalid([{ field: 'lateReason', message: 'The complaint is late: enter the reason it may go ahead' }]);
      await move(ctx, trx, actor, complaint, 'investigation', {
        through: 'assessment',
        reason: input.reason ?? ASSESSMENT_OUTCOME_NAMES.investigate,
        set: {
          investigator_id: input.investigatorId,
          ...(input.lateReason ? { late_reason: input.lateReason } : {}),
        },
      });
      for (const hook of ctx.investigationStartedHooks) await hook(trx, complaint.id);
      return;
    }
    await move(ctx, trx, actor, complaint, 'closed', { through: 'assessment', outcome, reason: input.reason });
    await tellOfOutcome(ctx, trx, actor, complaint, input.outcome, input.reason);
  });
}

/** Whether a case may be allocated to this user (null: left unallocated): an active investigator or casework manager. */
async function mayBeAllocated(ctx: ComplaintsContext, investigatorId: string | null): Promise<boolean> {
  if (investigatorId === null) return true;
  return isUuid(investigatorId) && (await ComplaintsRepository.in(ctx.db).isInvestigator(investigatorId)) !== undefined;
}

/**
 * Allocates a case under investigation (or later) to an investigator, or to another one. A case
 * investigated without one waits unallocated until then (the case list's "Not allocated" filter).
 * Audited; the authority is not told (its letters never name the investigator).
 */
export async function allocate(
  ctx: ComplaintsContext,
  actor: Actor,
  id: string,
  investigatorId: string | null,
): Promise<void> {
  requireStaff(actor, 'complaints:assess');
  if (investigatorId === null) throw invalid([{ field: 'investigatorId', message: 'Select an investigator' }]);
  if (!(await mayBeAllocated(ctx, investigatorId)))
    throw invalid([{ field: 'investigatorId', message: 'Select an investigator from the list' }]);
  await ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockOpen(trx, id);
    if (!ALLOCATION_STATUSES.includes(complaint.status))
      throw new DomainError(
        'conflict',
        complaint.status === 'closed'
          ? 'The complaint is closed: it cannot be allocated'
          : 'The complaint has not been assessed yet: allocate it with the assessment decision',
      );
    if (complaint.investigator_id === investigatorId) return;
    await ComplaintsRepository.in(trx).updateComplaint(complaint.id, {
      investigator_id: investigatorId,
      updated_at: ctx.clock.now(),
    });
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: complaint.investigator_id === null ? 'complaint.allocated' : 'complaint.reallocated',
      recordType: 'complaint',
      recordId: complaint.id,
      authorityId: complaint.authority_id,
      requestId: actor.requestId ?? null,
    });
  });
}

/** Asks the authority for documents at assessment: a request with a due date in working days, sent to its link officers. */
export async function requestDocuments(
  ctx: ComplaintsContext,
  actor: Actor,
  id: string,
  description: string,
): Promise<{ dueOn: string }> {
  requireStaff(actor, 'complaints:assess');
  return ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockOpen(trx, id);
    if (complaint.status === 'closed') throw new DomainError('conflict', 'The complaint is closed');
    const now = ctx.clock.now();
    const { date: dueOn } = ctx.calendar.addWorkingDays(
      ctx.calendar.londonDate(now),
      ctx.settings.documentRequestWorkingDays,
    );
    await ComplaintsRepository.in(trx).insertDocumentRequest({
      complaint_id: complaint.id,
      authority_id: complaint.authority_id,
      description,
      due_on: dueOn,
      requested_by: actor.type === 'user' ? actor.id : null,
      requested_at: now,
    });
    await ctx.correspondence.write(trx, {
      complaintId: complaint.id,
      kind: 'enquiry',
      addressees: ['link-officers'],
      actor,
      subject: `Complaint ${complaint.reference}: documents requested by ${formatDate(dueOn)}`,
      text: [
        'Dear link officer,',
        '',
        `We are assessing complaint ${complaint.reference}. Please send us the following by ${formatDate(dueOn)}:`,
        '',
        description,
        '',
        `Case page: ${ctx.settings.baseUrl}/portal/complaints/${complaint.id}`,
      ].join('\n'),
    });
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'complaint.documents-requested',
      recordType: 'complaint',
      recordId: complaint.id,
      authorityId: complaint.authority_id,
      requestId: actor.requestId ?? null,
    });
    return { dueOn };
  });
}

/** Adds a document to a case (staff). */
export async function addDocument(
  ctx: ComplaintsContext,
  actor: Actor,
  id: string,
  content: Buffer,
  meta: { filename: string; doNotDisclose: boolean; description: string | null },
) {
  requireStaff(actor, 'complaints:read');
  return ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockOpen(trx, id);
    return ctx.files.store(trx, content, {
      filename: meta.filename,
      complaintId: complaint.id,
      authorityId: complaint.authority_id,
      doNotDisclose: meta.doNotDisclose,
      description: meta.description,
      uploadedBy: actor,
    });
  });
}
