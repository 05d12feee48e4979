import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { ComplaintStatus, Database } from '../../platform/db/schema.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import type { Actor } from '../accounts/domain.ts';
import * as assessment from './assessment.ts';
import type { ListFilters } from './case-lists.repository.ts';
import * as caseList from './case-list.ts';
import type { AssessmentInput, NewComplaint } from './complaints.schemas.ts';
import type {
  CaseCorrespondence,
  CaseMarkerSource,
  ComplaintsContext,
  ComplaintsSettings,
  InvestigationStartedHook,
  TimelineSource,
} from './context.ts';
import type { ComplaintOutcome } from './domain.ts';
import * as drafts from './drafts.ts';
import * as intake from './intake.ts';
import * as moves from './moves.ts';
import * as reading from './reading.ts';

export { TIMELINE_KINDS } from './context.ts';
export type {
  CaseCorrespondence,
  CaseMarker,
  CaseMarkerSource,
  CaseSummary,
  CaseView,
  ComplaintsSettings,
  InvestigationStartedHook,
  QueueItem,
  TimelineActor,
  TimelineEvent,
  TimelineKind,
  TimelineSource,
} from './context.ts';

/**
 * Complaints from receipt to assessment: the public form and staff intake, references, the rules the
 * intake officer is shown, assessment decisions, document requests, the case page and lists.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class ComplaintsService {
  private readonly ctx: ComplaintsContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    files: FilesService,
    correspondence: CaseCorrespondence,
    /** The other modules' entries on a case's timeline (their manifests' `timeline`), filled at start-up. */
    timelineSources: readonly TimelineSource[],
    readonly settings: ComplaintsSettings,
  ) {
    this.ctx = {
      db,
      clock,
      calendar,
      files,
      correspondence,
      timelineSources,
      settings,
      investigationStartedHooks: [],
      markerSources: [],
    };
  }

  onInvestigationStarted(hook: InvestigationStartedHook): void {
    this.ctx.investigationStartedHooks.push(hook);
  }

  addCaseMarkers(source: CaseMarkerSource): void {
    this.ctx.markerSources.push(source);
  }

  // Receiving a complaint, and intake.
  authorityName = (id: string) => intake.authorityName(this.ctx, id);
  findings = (
    input: Pick<NewComplaint, 'authorityId' | 'authorityProcessFinished' | 'authorityComplainedOn' | 'awareOn'>,
  ) => intake.findings(this.ctx, input);
  receive = (actor: Actor | null, input: NewComplaint) => intake.receive(this.ctx, actor, input);
  openLinkedCase = (trx: Tx, actor: Actor, fromComplaintId: string, reason: string) =>
    intake.openLinkedCase(this.ctx, trx, actor, fromComplaintId, reason);
  startIntake = (actor: Actor, id: string) => intake.startIntake(this.ctx, actor, id);
  intake = (
    actor: Actor,
    id: string,
    input: { action: 'assessment' | 'premature'; reason: string | null; lateReason: string | null },
  ) => intake.intake(this.ctx, actor, id, input);

  // Moving a case on (decisions, remedies and public reports, in their own transactions).
  transition = (
    trx: Tx,
    actor: Actor | null,
    id: string,
    to: ComplaintStatus,
    change: { outcome?: ComplaintOutcome | null; reason?: string | null } = {},
  ) => moves.transition(this.ctx, trx, actor, id, to, change);

  // Assessment.
  assess = (actor: Actor, id: string, input: AssessmentInput) => assessment.assess(this.ctx, actor, id, input);
  allocate = (actor: Actor, id: string, investigatorId: string | null) =>
    assessment.allocate(this.ctx, actor, id, investigatorId);
  requestDocuments = (actor: Actor, id: string, description: string) =>
    assessment.requestDocuments(this.ctx, actor, id, description);
  addDocument = (
    actor: Actor,
    id: string,
    content: Buffer,
    meta: { filename: string; doNotDisclose: boolean; description: string | null },
  ) => assessment.addDocument(this.ctx, actor, id, content, meta);

  // Reading a case.
  caseMarkers = (actor: Actor, complaintIds: readonly string[]) => reading.caseMarkers(this.ctx, actor, complaintIds);
  getCase = (actor: Actor, id: string) => reading.getCase(this.ctx, actor, id);
  documents = (actor: Actor, id: string) => reading.documents(this.ctx, actor, id);
  documentRequests = (actor: Actor, id: string) => reading.documentRequests(this.ctx, actor, id);
  history = (actor: Actor, id: string) => reading.history(this.ctx, actor, id);
  timeline = (actor: Actor, id: string) => reading.timeline(this.ctx, actor, id);

  // The case list and the assessment queue.
  countOpenForAuthority = (actor: Actor, authorityId: string) =>
    caseList.countOpenForAuthority(this.ctx, actor, authorityId);
  list = (actor: Actor, filters: ListFilters, cursor: string | undefined, limit = 50) =>
    caseList.list(this.ctx, actor, filters, cursor, limit);
  queue = (actor: Actor, cursor: string | undefined, limit = 50) => caseList.queue(this.ctx, actor, cursor, limit);
  investigators = () => caseList.investigators(this.ctx);

  // The public form's drafts.
  readDraft = (token: string | undefined, db: DbOrTx = this.ctx.db) => drafts.readDraft(this.ctx, token, db);
  saveDraft = (token: string | undefined, answers: Record<string, unknown>, db: DbOrTx = this.ctx.db) =>
    drafts.saveDraft(this.ctx, token, answers, db);
  attachToDraft = (token: string | undefined, content: Buffer, filename: string) =>
    drafts.attachToDraft(this.ctx, token, content, filename);
  submitDraft = (token: string | undefined, input: Omit<NewComplaint, 'documentIds'>) =>
    drafts.submitDraft(this.ctx, token, input);
  sweepDrafts = () => drafts.sweepDrafts(this.ctx);
}
