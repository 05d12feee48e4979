import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { isLate } from '../decisions/domain.ts';
import type { Alerted } from './alerts.ts';
import type { PublicReportsContext } from './context.ts';
import {
  ALERT_ROLE_NAMES,
  BODY_NAMES,
  CRITERION_NAMES,
  FURTHER_REASON_NAMES,
  REPORT_STATUS_NAMES,
  STEP_NAMES,
  STEP_STATUS_NAMES,
  satisfactionBlocker,
  stepStatus,
  type ConsideringBody,
  type FurtherReason,
  type ReportCriterion,
  type StepKind,
} from './domain.ts';
import type { PublicReportsRepository, ReportRow } from './public-reports.repository.ts';

/* Reading a report: one with its alerts, steps and history, and the case's current one. */

export interface StepView {
  id: string;
  round: number;
  kind: StepKind;
  name: string;
  dueOn: IsoDate;
  dueRule: string;
  status: ReturnType<typeof stepStatus>;
  statusName: string;
  completedOn: IsoDate | null;
  note: string | null;
  body: ConsideringBody | null;
  bodyName: string | null;
  evidence: { id: string; filename: string } | null;
  escalatedAt: Date | null;
}

export interface ReportView {
  id: string;
  complaintId: string;
  reference: string;
  authorityId: string;
  authorityName: string;
  status: ReportRow['status'];
  statusName: string;
  criteria: { id: ReportCriterion; name: string }[];
  draftId: string | null;
  draftIssuedOn: IsoDate;
  commentDueOn: IsoDate;
  /** Whether comments on the draft may still come (today is not past the deadline): a final report then needs a reason. */
  commentsOpen: boolean;
  finalDecisionId: string | null;
  finalIssuedOn: IsoDate | null;
  round: number;
  satisfiedOn: IsoDate | null;
  satisfactionText: string | null;
  alerts: (Alerted & {
    occasion: 'draft' | 'final' | 'further';
    round: number;
    seenAt: Date | null;
    portal: boolean;
  })[];
  steps: StepView[];
  currentSteps: StepView[];
  further: { round: number; reason: FurtherReason; reasonName: string; text: string; issuedOn: IsoDate }[];
  reminders: { kind: string; stepName: string; round: number; dueOn: IsoDate; sentAt: Date }[];
  satisfactionBlocker: string | null;
}

/** A report with its alerts, steps and history; authority users see only their own (others are not found). */
export async function get(ctx: PublicReportsContext, actor: Actor, reportId: string): Promise<ReportView> {
  const staff = actor.authorityId === null;
  if (staff ? !can(actor, 'complaints:read') : !can(actor, 'public-reports:portal'))
    throw notFound('The public report');
  const report = await ctx.repo.report(reportId);
  if (!report || (!staff && report.authority_id !== actor.authorityId)) throw notFound('The public report');
  if (!staff && actor.type === 'user') await ctx.repo.markAlertsSeen(report.id, actor.id, ctx.clock.now());
  return view(ctx, ctx.repo, report.id);
}

/** The case's current report (or latest closed one) for the staff case page. */
export async function forComplaint(
  ctx: PublicReportsContext,
  actor: Actor,
  complaintId: string,
): Promise<ReportView | null> {
  if (actor.authorityId !== null || !can(actor, 'complaints:read')) throw forbidden();
  const [latest] = await ctx.repo.forComplaint(complaintId);
  return latest ? view(ctx, ctx.repo, latest.id) : null;
}

/** The report as shown, read through `repo` (bound to the change's transaction when there is one). */
export async function view(
  ctx: PublicReportsContext,
  repo: PublicReportsRepository,
  reportId: string,
): Promise<ReportView> {
  const report = await repo.report(reportId);
  if (!report) throw notFound('The public report');
  const [complaint, alerts, steps, further, reminders] = await Promise.all([
    repo.complaint(report.complaint_id),
    repo.alerts(report.id),
    repo.steps(report.id),
    repo.further(report.id),
    repo.reminders(report.id),
  ]);
  const today = londonToday(ctx);
  const stepViews: StepView[] = steps.map((s) => {
    const status = stepStatus({ kind: s.kind, dueOn: s.due_on, completedOn: s.completed_on }, today);
    return {
      id: s.id,
      round: s.round,
      kind: s.kind,
      name: STEP_NAMES[s.kind],
      dueOn: s.due_on,
      dueRule: s.due_rule,
      status,
      statusName: STEP_STATUS_NAMES[status],
      completedOn: s.completed_on,
      note: s.note,
      body: s.body,
      bodyName: s.body ? BODY_NAMES[s.body] : null,
      evidence:
        s.evidence_document_id && s.evidence_filename
          ? { id: s.evidence_document_id, filename: s.evidence_filename }
          : null,
      escalatedAt: s.escalated_at,
    };
  });
  const current = stepViews.filter((s) => s.round === report.round);
  return {
    id: report.id,
    complaintId: report.complaint_id,
    reference: complaint?.reference ?? '',
    authorityId: report.authority_id,
    authorityName: complaint?.authority_name ?? '',
    status: report.status,
    statusName: REPORT_STATUS_NAMES[report.status],
    criteria: (report.criteria as ReportCriterion[]).map((c) => ({ id: c, name: CRITERION_NAMES[c] })),
    draftId: report.draft_id,
    draftIssuedOn: report.draft_issued_on,
    commentDueOn: report.comment_due_on,
    commentsOpen: !isLate(londonToday(ctx), report.comment_due_on),
    finalDecisionId: report.final_decision_id,
    finalIssuedOn: report.final_issued_on,
    round: report.round,
    satisfiedOn: report.satisfied_on,
    satisfactionText: report.satisfaction_text,
    alerts: alerts.map((a) => ({
      occasion: a.occasion,
      round: a.round,
      role: a.role,
      roleName: ALERT_ROLE_NAMES[a.role],
      name: a.officer_name,
      email: a.email,
      fallback: a.fallback,
      portal: a.portal_user_id !== null,
      seenAt: a.seen_at,
    })),
    steps: stepViews,
    currentSteps: current,
    further: further.map((f) => ({
      round: f.round,
      reason: f.reason,
      reasonName: FURTHER_REASON_NAMES[f.reason],
      text: f.text_body,
      issuedOn: f.issued_on,
    })),
    reminders: reminders.map((m) => ({
      kind: m.kind,
      stepName: STEP_NAMES[m.step_kind],
      round: m.round,
      dueOn: m.due_on,
      sentAt: m.sent_at,
    })),
    satisfactionBlocker: satisfactionBlocker(
      report.status,
      current.map((s) => ({ kind: s.kind, dueOn: s.dueOn, completedOn: s.completedOn })),
    ),
  };
}
