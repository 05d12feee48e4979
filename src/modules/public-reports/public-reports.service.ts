import type { Kysely } from 'kysely';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import type { Actor } from '../accounts/domain.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { DraftForm, FinalOutcome } from '../decisions/domain.ts';
import type { DecisionsForReports, PublicReportsContext, PublicReportsSettings } from './context.ts';
import * as draft from './draft.ts';
import type { FurtherReason } from './domain.ts';
import * as final from './final.ts';
import * as lists from './lists.ts';
import { PublicReportsRepository } from './public-reports.repository.ts';
import * as reading from './reading.ts';
import * as reminders from './reminders.ts';
import * as steps from './steps.ts';
import * as timeline from './timeline.ts';

export type { DecisionsForReports, PublicReportsSettings } from './context.ts';
export type { Alerted } from './alerts.ts';
export type { ProposeInput } from './draft.ts';
export type { ReportView, StepView } from './reading.ts';
export type { StepEvidence } from './steps.ts';

/**
 * Public reports: proposing one on a case under investigation (with the criteria that apply), the
 * draft report issued as the draft decision with alerts to the authority's leaders, the final report
 * issued as the final decision, the statutory tracker that follows, further reports, reminders and
 * escalation, and the letter of satisfaction that closes it. Each use case is in its own file; this
 * class is their one door.
 */
export class PublicReportsService {
  private readonly ctx: PublicReportsContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    deps: {
      correspondence: CorrespondenceService;
      files: FilesService;
      decisions: DecisionsForReports;
    },
    settings: PublicReportsSettings,
  ) {
    this.ctx = {
      repo: new PublicReportsRepository(db),
      clock,
      calendar,
      correspondence: deps.correspondence,
      files: deps.files,
      decisions: deps.decisions,
      settings,
    };
  }

  // Proposing and the draft report.
  propose = (actor: Actor, complaintId: string, input: draft.ProposeInput) =>
    draft.propose(this.ctx, actor, complaintId, input);

  // The final report, and the decisions module's hooks run in its transactions.
  issueFinal = (
    actor: Actor,
    complaintId: string,
    input: {
      statement: string;
      outcome?: FinalOutcome;
      earlyConfirmed?: boolean | undefined;
      earlyReason?: string | null;
    },
  ) => final.issueFinal(this.ctx, actor, complaintId, input);
  startTracker = (
    trx: Tx,
    actor: Actor,
    e: { complaintId: string; finalDecisionId: string; form: DraftForm; decidedOn: string },
  ) => final.startTracker(this.ctx, trx, actor, e);
  openWork = (trx: Tx, complaintId: string) => final.openWork(this.ctx, trx, complaintId);

  // Statutory steps, further reports and the letter of satisfaction.
  completeStep = (actor: Actor, reportId: string, stepId: string, evidence: steps.StepEvidence | null) =>
    steps.completeStep(this.ctx, actor, reportId, stepId, evidence);
  furtherReport = (actor: Actor, reportId: string, input: { reason: FurtherReason; text: string }) =>
    steps.furtherReport(this.ctx, actor, reportId, input);
  satisfy = (actor: Actor, reportId: string, input: { text: string }) =>
    steps.satisfy(this.ctx, actor, reportId, input);

  // Reading.
  get = (actor: Actor, reportId: string) => reading.get(this.ctx, actor, reportId);
  forComplaint = (actor: Actor, complaintId: string) => reading.forComplaint(this.ctx, actor, complaintId);
  timelineEvents = (complaintId: string) => timeline.timelineEvents(this.ctx, complaintId);

  // Lists: the portal's reports and the home page's steps.
  listForAuthority = (actor: Actor, cursor?: string) => lists.listForAuthority(this.ctx, actor, cursor);
  stepsDue = (actor: Actor | null, authorityId: string, o: { dueBy?: IsoDate | null; limit: number }) =>
    lists.stepsDue(this.ctx, actor, authorityId, o);

  // The sweep, run by the worker.
  sweep = () => reminders.sweep(this.ctx);
}
