import type { Kysely } from 'kysely';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import type { Actor } from '../accounts/domain.ts';
import type { CaseDocuments } from '../complaints/case-documents.ts';
import type { ComplaintsService } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { HomeScope } from '../home/scope.ts';
import type { CaseCloser, RemediesContext, RemediesServiceSettings } from './context.ts';
import * as escalation from './escalation.ts';
import * as evidence from './evidence.ts';
import * as lists from './lists.ts';
import { RemedyListsRepository } from './lists.repository.ts';
import * as proposals from './proposals.ts';
import * as reading from './reading.ts';
import { RemediesRepository } from './remedies.repository.ts';
import * as reminders from './reminders.ts';
import { RemedyRemindersRepository } from './reminders.repository.ts';
import * as timeline from './timeline.ts';

export type { CaseCloser, RemediesServiceSettings } from './context.ts';
export type { DraftIssued, FinalDecided } from './proposals.ts';
export type { EvidenceView, RemedyView } from './reading.ts';
export type { EvidenceInput, ReviewInput } from './evidence.ts';
export type { ActionInput } from './escalation.ts';

/**
 * Remedies and compliance: proposed with a draft, agreed at the final decision, proven by the
 * authority's evidence (accepted or returned by a team coordinator), reminded before the date,
 * late after it, escalated to a casework manager, and each authority's compliance and on-time rates.
 * Each use case is in its own file; this class is their one door.
 */
export class RemediesService {
  private readonly ctx: RemediesContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    files: FilesService,
    documents: CaseDocuments,
    correspondence: CorrespondenceService,
    complaints: ComplaintsService,
    closer: CaseCloser,
    settings: RemediesServiceSettings,
  ) {
    this.ctx = {
      repo: new RemediesRepository(db),
      lists: new RemedyListsRepository(db),
      reminders: new RemedyRemindersRepository(db),
      clock,
      calendar,
      files,
      documents,
      correspondence,
      complaints,
      closer,
      settings,
    };
  }

  // Hooks from the decisions module, run in its transactions.
  proposeWithDraft = (trx: Tx, actor: Actor, e: proposals.DraftIssued) =>
    proposals.proposeWithDraft(this.ctx, trx, actor, e);
  agreeAtFinalDecision = (trx: Tx, actor: Actor, e: proposals.FinalDecided) =>
    proposals.agreeAtFinalDecision(this.ctx, trx, actor, e);
  openWork = (trx: Tx, complaintId: string) => proposals.openWork(this.ctx, trx, complaintId);

  // Reading.
  forComplaint = (actor: Actor, complaintId: string) => reading.forComplaint(this.ctx, actor, complaintId);
  get = (actor: Actor, id: string) => reading.get(this.ctx, actor, id);
  openDocument = (actor: Actor, remedyId: string, documentId: string) =>
    reading.openDocument(this.ctx, actor, remedyId, documentId);
  timelineEvents = (complaintId: string) => timeline.timelineEvents(this.ctx, complaintId);

  // Lists, rates and the home pages' panels.
  forAuthority = (actor: Actor, authorityId: string, limit = 200) =>
    lists.forAuthority(this.ctx, actor, authorityId, limit);
  workList = (actor: Actor, limit = 100) => lists.workList(this.ctx, actor, limit);
  rates = (actor: Actor, authorityId: string, to?: IsoDate) => lists.rates(this.ctx, actor, authorityId, to);
  homePanel = (actor: Actor | null, scope: HomeScope, o: { dueBy?: IsoDate | null; limit: number }) =>
    lists.homePanel(this.ctx, actor, scope, o);
  evidenceToCheck = (actor: Actor, limit = 5) => lists.evidenceToCheck(this.ctx, actor, limit);
  escalatedRemedies = (actor: Actor, limit = 5) => lists.escalatedRemedies(this.ctx, actor, limit);

  // Evidence and escalation.
  submitEvidence = (actor: Actor, remedyId: string, input: evidence.EvidenceInput) =>
    evidence.submitEvidence(this.ctx, actor, remedyId, input);
  reviewEvidence = (actor: Actor, remedyId: string, evidenceId: string, input: evidence.ReviewInput) =>
    evidence.reviewEvidence(this.ctx, actor, remedyId, evidenceId, input);
  takeAction = (actor: Actor, remedyId: string, input: escalation.ActionInput) =>
    escalation.takeAction(this.ctx, actor, remedyId, input);

  // The sweep, run by the worker.
  sweep = () => reminders.sweep(this.ctx);
}
