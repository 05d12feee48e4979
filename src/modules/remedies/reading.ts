import type { OpenedDocument } from '../../platform/files/files.service.ts';
import { notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { REMEDY_TYPE_NAMES, pounds } from '../decisions/domain.ts';
import { mayRead, type RemediesContext } from './context.ts';
import {
  EVIDENCE_STATUS_NAMES,
  MANAGER_ACTION_NAMES,
  REMEDY_STATUS_NAMES,
  isLate,
  type RemedyStatus,
} from './domain.ts';
import type { ActionRow, EvidenceRow, RemedyRow } from './remedies.repository.ts';

/* Reading remedies: a case's, one with its evidence and actions, and the documents sent as evidence. */

export interface EvidenceView {
  id: string;
  description: string;
  documentId: string | null;
  documentFilename: string | null;
  submittedAt: Date;
  submittedOn: string;
  submittedBy: string | null;
  late: boolean;
  status: EvidenceRow['status'];
  statusName: string;
  reviewedAt: Date | null;
  reviewedBy: string | null;
  reviewReason: string | null;
}

export interface RemedyView {
  id: string;
  complaintId: string;
  authorityId: string;
  draftId: string;
  draftVersion: number;
  position: number;
  type: RemedyRow['type'];
  typeName: string;
  description: string;
  amountPence: number | null;
  amount: string | null;
  status: RemedyStatus;
  statusName: string;
  proposedDueOn: string | null;
  proposedWorkingDays: number | null;
  agreedAt: Date | null;
  dueOn: string | null;
  agreedDueOn: string | null;
  late: boolean;
  compliedAt: Date | null;
  compliedOn: string | null;
  compliedOnTime: boolean | null;
  escalatedAt: Date | null;
  linkedComplaintId: string | null;
  waitingForReview: boolean;
  evidence: EvidenceView[];
  actions: (Omit<ActionRow, 'taken_by' | 'taken_by_name'> & { actionName: string; takenBy: string | null })[];
}

async function views(ctx: RemediesContext, rows: RemedyRow[], actor: Actor): Promise<RemedyView[]> {
  const ids = rows.map((r) => r.id);
  const [evidence, actions] = await Promise.all([ctx.repo.evidence(ids), ctx.repo.actions(ids)]);
  const today = londonToday(ctx);
  const staff = actor.authorityId === null;
  return rows.map((r) => {
    const ev = evidence.filter((e) => e.remedy_id === r.id);
    return {
      id: r.id,
      complaintId: r.complaint_id,
      authorityId: r.authority_id,
      draftId: r.draft_id,
      draftVersion: r.draft_version,
      position: r.position,
      type: r.type,
      typeName: REMEDY_TYPE_NAMES[r.type],
      description: r.description,
      amountPence: r.amount_pence === null ? null : r.amount_pence,
      amount: r.amount_pence === null ? null : pounds(r.amount_pence),
      status: r.status,
      statusName: REMEDY_STATUS_NAMES[r.status],
      proposedDueOn: r.proposed_due_on,
      proposedWorkingDays: r.proposed_working_days,
      agreedAt: r.agreed_at,
      dueOn: r.due_on,
      agreedDueOn: r.agreed_due_on,
      late: isLate(r.status, r.due_on, today) || r.complied_on_time === false,
      compliedAt: r.complied_at,
      compliedOn: r.complied_on,
      compliedOnTime: r.complied_on_time,
      escalatedAt: staff ? r.escalated_at : null,
      linkedComplaintId: staff ? r.linked_complaint_id : null,
      waitingForReview: ev.some((e) => e.status === 'submitted'),
      evidence: ev.map((e) => ({
        id: e.id,
        description: e.description,
        documentId: e.document_id,
        documentFilename: e.document_filename,
        submittedAt: e.submitted_at,
        submittedOn: e.submitted_on,
        submittedBy: e.submitted_by_name,
        late: e.late,
        status: e.status,
        statusName: EVIDENCE_STATUS_NAMES[e.status],
        reviewedAt: e.reviewed_at,
        reviewedBy: staff ? e.reviewed_by_name : null,
        reviewReason: e.review_reason,
      })),
      // A casework manager's actions are internal, except that more time was agreed.
      actions: actions
        .filter((a) => a.remedy_id === r.id && (staff || a.action === 'more-time'))
        .map(({ taken_by: _by, taken_by_name, ...a }) => ({
          ...a,
          note: staff ? a.note : '',
          actionName: MANAGER_ACTION_NAMES[a.action],
          takenBy: staff ? taken_by_name : null,
        })),
    };
  });
}

/** A case's remedies as the actor may see them (an authority sees agreed ones only, of its own cases). */
export async function forComplaint(ctx: RemediesContext, actor: Actor, complaintId: string): Promise<RemedyView[]> {
  const complaint = await ctx.repo.complaint(complaintId);
  if (
    !complaint ||
    !mayRead(actor, complaint.authority_id) ||
    (actor.authorityId !== null && !(await ctx.repo.caseTold(complaint.id)))
  )
    throw notFound('The complaint');
  let rows = await ctx.repo.forComplaint(complaintId);
  if (actor.authorityId !== null) rows = rows.filter((r) => ['agreed', 'complied', 'not-satisfied'].includes(r.status));
  return views(ctx, rows, actor);
}

/** One remedy with its case, evidence and actions. */
export async function get(ctx: RemediesContext, actor: Actor, id: string) {
  const row = await ctx.repo.find(id);
  if (!row || !mayRead(actor, row.authority_id)) throw notFound('The remedy');
  if (actor.authorityId !== null && !['agreed', 'complied', 'not-satisfied'].includes(row.status))
    throw notFound('The remedy');
  const [view] = await views(ctx, [row], actor);
  if (!view) throw notFound('The remedy');
  return {
    ...view,
    reference: row.reference,
    authorityName: row.authority_name,
    complaintStatus: row.complaint_status,
  };
}

export async function openDocument(
  ctx: RemediesContext,
  actor: Actor,
  remedyId: string,
  documentId: string,
): Promise<OpenedDocument> {
  const remedy = await get(ctx, actor, remedyId);
  if (!remedy.evidence.some((e) => e.documentId === documentId)) throw notFound('The document');
  return ctx.documents.open(actor, documentId);
}
