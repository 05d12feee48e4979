import { formatDate } from '../../platform/dates.ts';
import { notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import { staffOnly, visible, type EnquiriesContext } from './context.ts';
import {
  ENQUIRY_KIND_NAMES,
  REMINDER_NAMES,
  URGENCY_TAGS,
  showWorking,
  urgency,
  deadlineRuleSchema,
} from './domain.ts';

/** An enquiry as its page shows it, trimmed to what the actor may see. */
export async function get(ctx: EnquiriesContext, actor: Actor, id: string) {
  const row = await ctx.repo.findEnquiry(id);
  const access = await visible(ctx, actor, row);
  if (!row) throw notFound('The enquiry');
  const [questions, recipients, dueDates, extensions, reminders, delegations, submission] = await Promise.all([
    ctx.repo.questions(id),
    ctx.repo.recipients(id),
    ctx.repo.dueDates(id),
    ctx.repo.extensionRequests(id),
    ctx.repo.reminders(id),
    access.scope === 'delegate' ? Promise.resolve([]) : ctx.repo.delegations(id),
    ctx.repo.delegateSubmission(row.authority_id),
  ]);
  const documents = await ctx.repo.answerDocuments(id);
  const rule = deadlineRuleSchema.parse(row.due_rule);
  const today = londonToday(ctx);
  const soonBy = ctx.calendar.addWorkingDays(today, ctx.settings.reminderWorkingDays).date;
  const tag = row.status === 'open' ? URGENCY_TAGS[urgency(row.due_on, today, soonBy)] : null;
  const shownQuestions = questions.filter((q) => access.questionIds === null || access.questionIds.has(q.id));
  return {
    id: row.id,
    complaintId: row.complaint_id,
    complaintReference: row.complaint_reference,
    authorityId: row.authority_id,
    authorityName: row.authority_name,
    kind: row.kind,
    kindName: ENQUIRY_KIND_NAMES[row.kind],
    number: row.number,
    status: row.status,
    tag,
    statementOfComplaint: row.statement_of_complaint,
    documentsRequested: row.documents_requested,
    addressedTo: { name: row.addressed_to_name, jobTitle: row.addressed_to_job_title },
    sentAt: row.sent_at,
    sentOn: row.sent_on,
    dueDate: row.due_on,
    rule,
    working: showWorking(ctx.calendar, rule),
    respondedAt: row.responded_at,
    respondedOnTime: row.responded_on_time,
    closedAt: row.closed_at,
    closedReason: row.closed_reason,
    questions: shownQuestions.map((q) => ({
      id: q.id,
      position: q.position,
      text: q.text,
      answer: q.answer,
      answerState: q.answer_state,
      answeredBy: q.answered_by_name,
      answeredAt: q.answered_at,
      documents: documents
        .filter((d) => d.question_id === q.id)
        .map((d) => ({ id: d.document_id, filename: d.filename, size: d.size })),
      delegatedTo: delegations
        .filter((d) => d.question_id === q.id && d.completed_at === null && d.ended_at === null)
        .map((d) => d.delegate_name),
    })),
    recipients: access.scope === 'delegate' ? [] : recipients.map((r) => ({ email: r.email, as: r.recipient_as })),
    dueDates: dueDates.map((d) => ({
      dueDate: d.due_on,
      reason: d.reason,
      setAt: d.set_at,
      rule: deadlineRuleSchema.parse(d.rule),
    })),
    extensions: extensions.map((e) => ({
      id: e.id,
      reason: e.reason,
      requestedAt: e.requested_at,
      status: e.status,
      decidedAt: e.decided_at,
      decisionReason: e.decision_reason,
      previousDueDate: e.previous_due_on,
      newDueDate: e.new_due_on,
    })),
    pendingExtension: extensions.find((e) => e.status === 'pending')?.id ?? null,
    reminders: reminders.map((r) => ({
      kind: r.kind,
      name: REMINDER_NAMES[r.kind],
      dueDate: r.due_on,
      sentAt: r.sent_at,
    })),
    delegations: delegations.map((d) => ({
      id: d.id,
      questionId: d.question_id,
      delegateName: d.delegate_name,
      internalDueDate: d.internal_due_on,
      completedAt: d.completed_at,
      completedOnTime: d.completed_on_time,
      endedAt: d.ended_at,
    })),
    delegateSubmission: submission,
    scope: access.scope,
    /** Whether this actor may send the response to the ombudsman. */
    maySubmit:
      row.status === 'open' &&
      (access.scope === 'link-officer' ||
        (access.scope === 'delegate' && 'whole' in access && access.whole && submission === 'direct')),
  };
}

/** A complaint's enquiries and its allocation notice, for the case page. */
export async function forComplaint(ctx: EnquiriesContext, actor: Actor, complaintId: string) {
  staffOnly(actor, 'enquiries:read');
  const [rows, notice] = await Promise.all([
    ctx.repo.forComplaint(complaintId),
    ctx.repo.allocationNotice(complaintId),
  ]);
  return { enquiries: rows, allocationNotice: notice ?? null };
}

/** A complaint's enquiries and their responses as case timeline events. */
export async function timelineEvents(ctx: EnquiriesContext, complaintId: string): Promise<TimelineEvent[]> {
  const [rows, notice] = await Promise.all([
    ctx.repo.forComplaint(complaintId),
    ctx.repo.allocationNotice(complaintId),
  ]);
  const events: TimelineEvent[] = [];
  if (notice) {
    events.push({
      at: notice.sent_at,
      kind: 'correspondence',
      authorityVisible: true,
      label: 'Allocation notice sent to the authority',
      text: `Addressed to ${notice.addressed_to_name}`,
    });
  }
  for (const e of rows) {
    const name = e.kind === 'document-request' ? 'Document request' : `Enquiry ${e.number}`;
    events.push({
      at: e.sent_at,
      kind: 'enquiry',
      authorityVisible: true,
      label: `${name} sent`,
      text: `Due ${formatDate(e.due_on)}`,
      actorRole: 'Ombudsman',
      actor: { userId: e.sent_by, acting: ['enquiries:send'] },
      href: `/staff/enquiries/${e.id}`,
    });
    if (e.responded_at) {
      events.push({
        at: e.responded_at,
        kind: 'enquiry',
        authorityVisible: true,
        label: `${name} answered ${e.responded_on_time ? 'on time' : 'late'}`,
        actorRole: e.responded_by ? null : 'Authority',
        actor: { userId: e.responded_by, acting: ['enquiries:portal', 'enquiries:delegate'] },
        href: `/staff/enquiries/${e.id}`,
      });
    }
  }
  return events;
}
