import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import { addDays, type IsoDate, type WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { decodeCursor, toPage } from '../../platform/pagination.ts';
import { z } from 'zod';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import { isLate, type DraftForm, type DraftSections, type FinalOutcome } from '../decisions/domain.ts';
import {
  ALERT_ROLE_NAMES,
  BODY_NAMES,
  CRITERION_NAMES,
  DRAFT_REPORT_COMMENT_DAYS,
  FURTHER_REASON_NAMES,
  REPORT_STATUS_NAMES,
  STEP_NAMES,
  STEP_STATUS_NAMES,
  planSteps,
  reminderThresholds,
  satisfactionBlocker,
  stepStatus,
  type AlertRole,
  type ConsideringBody,
  type FurtherReason,
  type ReportCriterion,
  type StepKind,
  type TrackerSettings,
} from './domain.ts';
import { PublicReportsRepository, type DueReminder, type ReportRow } from './public-reports.repository.ts';
import { formatDate } from '../../platform/dates.ts';
import { mayReadScope } from '../home/scope.ts';

/** What this module needs of the decisions module (its DecisionsService). */
export interface DecisionsForReports {
  issueDraftInTx(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: { sections: DraftSections; evidenceDocumentIds?: string[] },
    options: { form: DraftForm; commentDueOn?: string },
  ): Promise<{ draftId: string; version: number; commentDueOn: string }>;
  issueFinalInTx(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: {
      outcome: FinalOutcome;
      statement: string;
      earlyConfirmed?: boolean | undefined;
      earlyReason?: string | null;
    },
    options: { form: DraftForm },
  ): Promise<{ finalDecisionId: string }>;
  closeIfComplete(trx: Tx, actor: Actor, complaintId: string): Promise<boolean>;
}

export interface PublicReportsSettings extends TrackerSettings {
  baseUrl: string;
  /** Days before a step's due date that the link officers are reminded (0: none before the date). */
  reminderDays: number;
  /** Days after a step's due date that it is escalated to the chief executive. */
  escalationDays: number;
}

export interface Alerted {
  role: AlertRole;
  roleName: string;
  name: string;
  email: string;
  /** True when no officer holds the role and the chief executive was alerted in their place. */
  fallback: boolean;
}

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

export interface ProposeInput {
  criteria: ReportCriterion[];
  sections: DraftSections;
}

export interface StepEvidence {
  filename: string;
  bytes: Buffer;
  note?: string | null | undefined;
  body?: ConsideringBody | null | undefined;
}

const LIST_PAGE = 25;
const listCursor = z.tuple([z.string(), z.uuid()]);
const say = (date: IsoDate) => formatDate(date);

/**
 * Public reports: proposing one on a case under investigation (with the criteria that apply), the
 * draft report issued as the draft decision with alerts to the authority's leaders, the final report
 * issued as the final decision, the statutory tracker that follows, further reports, reminders and
 * escalation, and the letter of satisfaction that closes it.
 */
export class PublicReportsService {
  private readonly repo: PublicReportsRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly deps: {
      correspondence: CorrespondenceService;
      files: FilesService;
      decisions: DecisionsForReports;
    },
    private readonly settings: PublicReportsSettings,
  ) {
    this.repo = new PublicReportsRepository(db);
  }

  private today(): IsoDate {
    return this.calendar.londonDate(this.clock.now());
  }

  private manager(actor: Actor): void {
    if (actor.authorityId !== null || !can(actor, 'public-reports:manage')) throw forbidden();
  }

  private audit(trx: Tx, actor: Actor | null, action: string, recordId: string, authorityId: string) {
    return writeAudit(trx, {
      actor: actor ? auditActor(actor) : { type: 'system', id: null },
      action,
      recordType: 'public-report',
      recordId,
      authorityId,
      requestId: actor?.requestId ?? null,
    });
  }

  // Proposing and the draft report ------------------------------------------------------------------

  /**
   * Proposes a public report on a case under investigation and issues its draft: the draft report
   * takes the place of the draft decision (to the complainant and the authority, with a three-week
   * comment period) and the authority's chief executive, monitoring officer and head of service for
   * the case's service area are alerted by email and in the portal, each recorded.
   */
  async propose(actor: Actor, complaintId: string, input: ProposeInput) {
    this.manager(actor);
    const criteria = [...new Set(input.criteria)];
    if (criteria.length === 0)
      throw invalid([{ field: 'criteria', message: 'Select the criteria for a public report that apply' }]);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const complaint = await repo.lockComplaint(complaintId);
      if (!complaint) throw notFound('The complaint');
      if (await repo.openReport(complaintId)) throw conflict('This case already has a public report in progress');
      if (complaint.status !== 'investigation') {
        throw conflict('A public report can only be proposed on a case under investigation', [
          { field: 'criteria', message: 'A public report can only be proposed on a case under investigation' },
        ]);
      }
      const today = this.today();
      const draft = await this.deps.decisions.issueDraftInTx(
        trx,
        actor,
        complaintId,
        { sections: input.sections },
        { form: 'report', commentDueOn: addDays(today, DRAFT_REPORT_COMMENT_DAYS) },
      );
      const now = this.clock.now();
      const report = await repo.insertReport({
        complaint_id: complaintId,
        authority_id: complaint.authority_id,
        status: 'draft',
        criteria,
        draft_id: draft.draftId,
        comment_due_on: draft.commentDueOn,
        draft_issued_on: today,
        proposed_by: actor.type === 'user' ? actor.id : null,
        created_at: now,
        updated_at: now,
      });
      await this.audit(trx, actor, 'public-report.proposed', report.id, complaint.authority_id);
      const alerted = await this.alert(trx, actor, report, 'draft', 1, {
        subject: `Draft public report on complaint ${complaint.reference}`,
        text: [
          `The ombudsman proposes to issue a public report on complaint ${complaint.reference} about your authority.`,
          `The criteria for reporting: ${criteria.map((c) => CRITERION_NAMES[c]).join('; ')}.`,
          `The draft report has been sent to your link officers. Comments are due by ${say(draft.commentDueOn)}.`,
          `Read it in the authority portal: ${this.settings.baseUrl}/portal/public-reports/${report.id}`,
        ].join('\n\n'),
      });
      return { report: await this.view(trx, report.id), alerted, commentDueOn: draft.commentDueOn };
    });
  }

  /**
   * Alerts the chief executive, the monitoring officer and the head of service for the case's service
   * area (the chief executive standing in for a role nobody holds): one letter to the three, and a
   * record per recipient with the address and, where they have a portal account, who to mark seen.
   */
  private async alert(
    trx: Tx,
    actor: Actor,
    report: ReportRow,
    occasion: 'draft' | 'final' | 'further',
    round: number,
    letter: { subject: string; text: string },
  ): Promise<Alerted[]> {
    const repo = this.repo.with(trx);
    const complaint = await repo.complaint(report.complaint_id);
    if (!complaint) throw notFound('The complaint');
    const officers = await repo.seniorOfficers(report.authority_id);
    const ce = officers.find((o) => o.role === 'chief-executive');
    const holder = (role: AlertRole) =>
      role === 'head-of-service'
        ? officers.find((o) => o.role === role && o.service_area === complaint.service_area)
        : officers.find((o) => o.role === role);
    const alerted: Alerted[] = [];
    for (const role of ['chief-executive', 'monitoring-officer', 'head-of-service'] as const) {
      const officer = holder(role) ?? ce;
      if (!officer) continue;
      alerted.push({
        role,
        roleName: ALERT_ROLE_NAMES[role],
        name: officer.name,
        email: officer.email,
        fallback: officer.role !== role,
      });
    }
    if (alerted.length === 0) {
      throw conflict('The authority has no chief executive recorded: add one to its directory entry first');
    }
    const itemId = await this.deps.correspondence.write(trx, {
      complaintId: report.complaint_id,
      kind: 'public-report-alert',
      addressees: ['chief-executive', 'monitoring-officer', 'head-of-service'],
      subject: letter.subject,
      text: letter.text,
      actor,
    });
    const users = await repo.portalUsersByEmail(
      report.authority_id,
      alerted.map((a) => a.email.toLowerCase()),
    );
    const now = this.clock.now();
    for (const a of alerted) {
      await repo.insertAlert({
        report_id: report.id,
        authority_id: report.authority_id,
        occasion,
        round,
        role: a.role,
        officer_name: a.name,
        email: a.email,
        fallback: a.fallback,
        correspondence_item_id: itemId,
        portal_user_id: users.get(a.email.toLowerCase()) ?? null,
        created_at: now,
      });
    }
    await this.audit(trx, actor, `public-report.alerted-${occasion}`, report.id, report.authority_id);
    return alerted;
  }

  // The final report ---------------------------------------------------------------------------------

  /**
   * Issues the final report (the final decision of the case) on the case's draft report. Before the
   * draft's comment deadline it needs the confirmation and the reason, as any final decision does.
   */
  async issueFinal(
    actor: Actor,
    complaintId: string,
    input: {
      statement: string;
      outcome?: FinalOutcome;
      earlyConfirmed?: boolean | undefined;
      earlyReason?: string | null;
    },
  ) {
    this.manager(actor);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const open = await repo.openReport(complaintId);
      if (!open) {
        if (!(await repo.complaint(complaintId))) throw notFound('The complaint');
        throw conflict('Issue a draft report before the final report', [
          { field: 'statement', message: 'Issue a draft report before the final report' },
        ]);
      }
      const report = await repo.lockReport(open.id);
      if (!report || report.status !== 'draft') throw conflict('The final report has already been issued');
      await this.deps.decisions.issueFinalInTx(
        trx,
        actor,
        complaintId,
        {
          outcome: input.outcome ?? 'upheld-injustice',
          statement: input.statement,
          earlyConfirmed: input.earlyConfirmed,
          earlyReason: input.earlyReason ?? null,
        },
        { form: 'report' },
      );
      const issued = await repo.report(report.id);
      // The decisions module starts the tracker through the final-decision hook (startTracker).
      if (!issued || issued.status !== 'final') throw new Error('The final report did not start its statutory tracker');
      const complaint = await repo.complaint(complaintId);
      const alerted = await this.alert(trx, actor, issued, 'final', 1, {
        subject: `Final public report on complaint ${complaint?.reference ?? ''}`.trim(),
        text: [
          `The ombudsman has issued its public report on complaint ${complaint?.reference ?? ''} about your authority.`,
          'The law requires your authority to give public notice of it, make it available for public inspection, ' +
            'consider it and tell the ombudsman what action it has taken. The steps and their due dates are in the authority portal: ' +
            `${this.settings.baseUrl}/portal/public-reports/${issued.id}`,
        ].join('\n\n'),
      });
      return { report: await this.view(trx, issued.id), alerted };
    });
  }

  /**
   * The final-decision hook: a final decision of form 'report' makes the case's draft report final
   * and starts its statutory tracker (four steps with their due dates from the day it was decided).
   */
  async startTracker(
    trx: Tx,
    actor: Actor,
    e: { complaintId: string; finalDecisionId: string; form: DraftForm; decidedOn: string },
  ): Promise<void> {
    if (e.form !== 'report') return;
    const repo = this.repo.with(trx);
    const open = await repo.openReport(e.complaintId);
    if (!open || open.status !== 'draft') return;
    await repo.updateReport(open.id, {
      status: 'final',
      final_decision_id: e.finalDecisionId,
      final_issued_on: e.decidedOn,
      updated_at: this.clock.now(),
    });
    await this.addSteps(trx, open.id, open.authority_id, 1, e.decidedOn);
    await this.audit(trx, actor, 'public-report.final-issued', open.id, open.authority_id);
  }

  private async addSteps(trx: Tx, reportId: string, authorityId: string, round: number, issuedOn: IsoDate) {
    const now = this.clock.now();
    await this.repo.with(trx).insertSteps(
      planSteps(issuedOn, this.settings).map((s) => ({
        report_id: reportId,
        authority_id: authorityId,
        round,
        kind: s.kind,
        position: s.position,
        due_on: s.dueOn,
        due_rule: s.rule,
        created_at: now,
      })),
    );
  }

  /** The open-work check: a case with a public report not yet closed by a letter of satisfaction stays open. */
  async openWork(trx: Tx, complaintId: string): Promise<string | null> {
    return (await this.repo.with(trx).hasOpenReport(complaintId)) ? 'statutory steps outstanding' : null;
  }

  // Statutory steps ----------------------------------------------------------------------------------

  /**
   * Records a statutory step as done with its evidence (e.g. the newspaper notice, the minutes of the
   * meeting): by the authority in the portal, or by staff for it. The consideration step says who
   * considered the report. A step done after its due date is kept and shown as done late.
   */
  async completeStep(actor: Actor, reportId: string, stepId: string, evidence: StepEvidence | null) {
    const staff = actor.authorityId === null;
    if (staff ? !can(actor, 'public-reports:manage') : !can(actor, 'public-reports:portal')) throw forbidden();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const report = await repo.lockReport(reportId);
      if (!report || (!staff && report.authority_id !== actor.authorityId)) throw notFound('The public report');
      const step = await repo.lockStep(stepId);
      if (!step || step.report_id !== report.id) throw notFound('The step');
      if (report.status !== 'final' || step.round !== report.round)
        throw conflict('This step is no longer open: the report has moved on');
      if (step.completed_on) throw conflict('This step has already been recorded as done');
      if (!evidence) throw invalid([{ field: 'file', message: 'Select the evidence that the step is done' }]);
      if (step.kind === 'consideration' && !evidence.body)
        throw invalid([{ field: 'body', message: 'Select who considered the report' }]);
      const document = await this.deps.files.store(trx, evidence.bytes, {
        filename: evidence.filename,
        complaintId: report.complaint_id,
        authorityId: report.authority_id,
        description: `Evidence: ${STEP_NAMES[step.kind]}`,
        uploadedBy: actor,
      });
      const today = this.today();
      await repo.updateStep(step.id, {
        completed_on: today,
        completed_at: this.clock.now(),
        completed_by: actor.type === 'user' ? actor.id : null,
        evidence_document_id: document.id,
        note: evidence.note?.trim() || null,
        body: step.kind === 'consideration' ? (evidence.body ?? null) : null,
      });
      await this.audit(trx, actor, `public-report.step-done-${step.kind}`, report.id, report.authority_id);
      return { late: today > step.due_on };
    });
  }

  /**
   * A further report, when the authority has not responded or the ombudsman is not satisfied with
   * its action: the leaders are alerted again and a new round of statutory steps starts from today.
   */
  async furtherReport(actor: Actor, reportId: string, input: { reason: FurtherReason; text: string }) {
    this.manager(actor);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const report = await repo.lockReport(reportId);
      if (!report) throw notFound('The public report');
      if (report.status !== 'final')
        throw conflict(
          report.status === 'draft'
            ? 'A further report follows the final report: issue that first'
            : 'This report is closed with a letter of satisfaction',
        );
      const round = report.round + 1;
      const today = this.today();
      await repo.insertFurther({
        report_id: report.id,
        round,
        reason: input.reason,
        text_body: input.text,
        issued_on: today,
        issued_by: actor.type === 'user' ? actor.id : null,
        created_at: this.clock.now(),
      });
      const updated = await repo.updateReport(report.id, { round, updated_at: this.clock.now() });
      await this.addSteps(trx, report.id, report.authority_id, round, today);
      await this.audit(trx, actor, 'public-report.further-issued', report.id, report.authority_id);
      const complaint = await repo.complaint(report.complaint_id);
      const alerted = await this.alert(trx, actor, updated, 'further', round, {
        subject: `Further public report on complaint ${complaint?.reference ?? ''}`.trim(),
        text: [
          `The ombudsman has issued a further report on complaint ${complaint?.reference ?? ''}. ${FURTHER_REASON_NAMES[input.reason]}.`,
          input.text,
          'Your authority must again give public notice, make the report available, consider it and tell the ombudsman the action taken. ' +
            `The steps and their due dates: ${this.settings.baseUrl}/portal/public-reports/${report.id}`,
        ].join('\n\n'),
      });
      return { report: await this.view(trx, report.id), alerted };
    });
  }

  /**
   * The letter of satisfaction: once every statutory step of the current round is done, the ombudsman
   * writes to the chief executive and the report closes; the case closes too when nothing else is open.
   */
  async satisfy(actor: Actor, reportId: string, input: { text: string }) {
    this.manager(actor);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const report = await repo.lockReport(reportId);
      if (!report) throw notFound('The public report');
      const steps = (await repo.steps(report.id)).filter((s) => s.round === report.round);
      const blocker = satisfactionBlocker(
        report.status,
        steps.map((s) => ({ kind: s.kind, dueOn: s.due_on, completedOn: s.completed_on })),
      );
      if (blocker) throw conflict(blocker, [{ field: 'text', message: blocker }]);
      const today = this.today();
      await repo.updateReport(report.id, {
        status: 'satisfied',
        satisfied_on: today,
        satisfaction_text: input.text,
        updated_at: this.clock.now(),
      });
      const complaint = await repo.complaint(report.complaint_id);
      await this.deps.correspondence.write(trx, {
        complaintId: report.complaint_id,
        kind: 'message',
        addressees: ['chief-executive'],
        subject: `Letter of satisfaction: public report on complaint ${complaint?.reference ?? ''}`.trim(),
        text: input.text,
        actor,
      });
      await this.audit(trx, actor, 'public-report.satisfied', report.id, report.authority_id);
      const closed = await this.deps.decisions.closeIfComplete(trx, actor, report.complaint_id);
      return { closed };
    });
  }

  // Reading ------------------------------------------------------------------------------------------

  /** A report with its alerts, steps and history; authority users see only their own (others are not found). */
  async get(actor: Actor, reportId: string): Promise<ReportView> {
    const staff = actor.authorityId === null;
    if (staff ? !can(actor, 'complaints:read') : !can(actor, 'public-reports:portal'))
      throw notFound('The public report');
    const report = await this.repo.report(reportId);
    if (!report || (!staff && report.authority_id !== actor.authorityId)) throw notFound('The public report');
    if (!staff && actor.type === 'user') await this.repo.markAlertsSeen(report.id, actor.id, this.clock.now());
    return this.view(this.db, report.id);
  }

  /** The case's current report (or latest closed one) for the staff case page. */
  async forComplaint(actor: Actor, complaintId: string): Promise<ReportView | null> {
    if (actor.authorityId !== null || !can(actor, 'complaints:read')) throw forbidden();
    const [latest] = await this.repo.forComplaint(complaintId);
    return latest ? this.view(this.db, latest.id) : null;
  }

  /** The authority's public reports for the portal, newest first, with the next step due. */
  async listForAuthority(actor: Actor, cursor?: string) {
    if (actor.authorityId === null || !can(actor, 'public-reports:portal')) throw forbidden();
    const after = cursor ? decodeCursor(cursor, listCursor) : null;
    const rows = await this.repo.forAuthority(actor.authorityId, LIST_PAGE + 1, after);
    const page = toPage(rows, LIST_PAGE, (r) => [r.created_key, r.id]);
    return {
      ...page,
      items: page.items.map((r) => ({
        id: r.id,
        reference: r.reference,
        status: r.status,
        statusName: REPORT_STATUS_NAMES[r.status],
        draftIssuedOn: r.draft_issued_on,
        finalIssuedOn: r.final_issued_on,
        nextDueOn: r.next_due_on,
      })),
    };
  }

  private async view(db: Kysely<Database> | Tx, reportId: string): Promise<ReportView> {
    const repo = this.repo.with(db);
    const report = await repo.report(reportId);
    if (!report) throw notFound('The public report');
    const [complaint, alerts, steps, further, reminders] = await Promise.all([
      repo.complaint(report.complaint_id),
      repo.alerts(report.id),
      repo.steps(report.id),
      repo.further(report.id),
      repo.reminders(report.id),
    ]);
    const today = this.today();
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
      commentsOpen: !isLate(this.today(), report.comment_due_on),
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

  /** The case's public report as timeline events: proposal, alerts, final report, steps, further reports, satisfaction. */
  async timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    const reports = await this.repo.forComplaint(complaintId);
    const events: TimelineEvent[] = [];
    for (const r of reports) {
      const v = await this.view(this.db, r.id);
      const href = `/staff/complaints/${complaintId}/public-report`;
      events.push({
        at: r.created_at,
        kind: 'public-report',
        label: 'Public report proposed: draft report issued',
        text: `Criteria: ${v.criteria.map((c) => c.name).join('; ')}. Comments due by ${say(v.commentDueOn)}.`,
        actorRole: 'Investigator',
        authorityVisible: true,
        href,
      });
      const alertTimes = new Map<string, Date>();
      for (const a of (await this.repo.alerts(r.id)).filter((x) => x.occasion !== 'final')) {
        const key = `${a.occasion}-${a.round}`;
        if (!alertTimes.has(key)) alertTimes.set(key, a.created_at);
      }
      for (const [key, at] of alertTimes) {
        const names = v.alerts
          .filter((a) => `${a.occasion}-${a.round}` === key)
          .map((a) => `${a.roleName} (${a.name})`)
          .join(', ');
        events.push({
          at,
          kind: 'public-report',
          label: key.startsWith('draft')
            ? 'Authority’s leaders alerted to the draft report'
            : 'Authority’s leaders alerted to the further report',
          text: names,
          actorRole: 'Ombudsman',
          authorityVisible: true,
          href,
        });
      }
      for (const s of (await this.repo.steps(r.id)).filter((x) => x.completed_at)) {
        events.push({
          at: s.completed_at as Date,
          kind: 'public-report',
          label: `${STEP_NAMES[s.kind]}: done${s.completed_on && s.completed_on > s.due_on ? ' late' : ''}`,
          text: s.body ? `Considered by: ${BODY_NAMES[s.body]}` : s.note,
          actorRole: 'Authority',
          documents:
            s.evidence_document_id && s.evidence_filename
              ? [{ id: s.evidence_document_id, filename: s.evidence_filename }]
              : [],
          authorityVisible: true,
          href,
        });
      }
      for (const f of await this.repo.further(r.id)) {
        events.push({
          at: f.created_at,
          kind: 'public-report',
          label: 'Further report issued',
          text: FURTHER_REASON_NAMES[f.reason],
          actorRole: 'Investigator',
          authorityVisible: true,
          href,
        });
      }
      if (r.satisfied_on) {
        events.push({
          at: r.updated_at,
          kind: 'public-report',
          label: 'Letter of satisfaction: public report closed',
          actorRole: 'Investigator',
          authorityVisible: true,
          href,
        });
      }
    }
    return events;
  }

  // Reminders and escalation ------------------------------------------------------------------------

  /**
   * Writes every reminder and escalation due now, each once, as correspondence on its case: reminders
   * to the link officers before a step falls due and when it is overdue; an escalation letter to the
   * chief executive once it is overdue by the escalation period (the step is marked escalated for
   * staff). Safe to run on several workers at once: the reminder's unique key decides who writes it.
   */
  async sweep(): Promise<{ reminders: number }> {
    const now = this.clock.now();
    const t = reminderThresholds(this.today(), this.settings.reminderDays, this.settings.escalationDays);
    return this.db.transaction().execute(async (trx) => {
      const due = await this.repo.with(trx).recordDueReminders(t, now);
      for (const r of due) await this.writeReminder(trx, r, now);
      return { reminders: due.length };
    });
  }

  private async writeReminder(trx: Tx, r: DueReminder, now: Date): Promise<void> {
    const step = STEP_NAMES[r.stepKind];
    const link = `${this.settings.baseUrl}/portal/public-reports/${r.reportId}`;
    const escalation = r.kind === 'escalated';
    await this.deps.correspondence.write(trx, {
      complaintId: r.complaintId,
      kind: 'reminder',
      addressees: escalation ? ['chief-executive'] : ['link-officers'],
      subject: escalation
        ? `Escalation: public report on complaint ${r.reference}: ${step.toLowerCase()} is overdue`
        : r.kind === 'overdue'
          ? `Overdue: public report on complaint ${r.reference}: ${step.toLowerCase()}`
          : `Reminder: public report on complaint ${r.reference}: ${step.toLowerCase()} is due soon`,
      text: escalation
        ? `${r.authorityName} was due to complete this statutory step after the ombudsman's public report on complaint ${r.reference} by ${say(r.dueOn)}: ${step}. ` +
          `We have reminded your link officers and have no evidence that it is done. Please make sure it is done without further delay and the evidence sent: ${link}`
        : `${step}: due by ${say(r.dueOn)}${r.kind === 'overdue' ? ', and now overdue' : ''}, after the public report on complaint ${r.reference}.\n\n` +
          `Upload the evidence in the authority portal: ${link}`,
      actor: null,
    });
    await writeAudit(trx, {
      actor: { type: 'system', id: null },
      action: `public-report.reminder-${r.kind}`,
      recordType: 'public-report',
      recordId: r.reportId,
      authorityId: r.authorityId,
    });
    if (escalation) await this.repo.with(trx).updateStep(r.stepId, { escalated_at: now });
  }

  /**
   * An authority's statutory steps still to do on its public reports, soonest due first, with counts,
   * for its home page. `actor` null: the system.
   */
  async stepsDue(actor: Actor | null, authorityId: string, o: { dueBy?: IsoDate | null; limit: number }) {
    if (!mayReadScope(actor, { authorityId })) throw forbidden();
    if (actor && !can(actor, 'public-reports:portal')) throw forbidden();
    const today = this.today();
    const panel = await this.repo.stepsPanel(authorityId, { today, dueBy: o.dueBy ?? null, limit: o.limit });
    return {
      total: panel.total,
      late: panel.late,
      items: panel.rows.map((r) => ({
        id: r.id,
        reportId: r.report_id,
        stepName: STEP_NAMES[r.kind],
        reference: r.reference,
        dueDate: r.due_on,
        late: r.due_on < today,
      })),
    };
  }
}
