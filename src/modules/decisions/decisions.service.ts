import type { Kysely } from 'kysely';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Actor } from '../accounts/domain.ts';
import type { ComplaintsService } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { HomeScope } from '../home/scope.ts';
import * as comments from './comments.ts';
import type {
  DecisionsContext,
  DecisionsSettings,
  DraftIssuedHook,
  FinalDecisionHook,
  OpenWorkCheck,
} from './context.ts';
import { DecisionsRepository } from './decisions.repository.ts';
import type { CommentParty, DraftForm, FinalOutcome } from './domain.ts';
import * as drafts from './drafts.ts';
import * as final from './final.ts';
import * as lists from './lists.ts';
import { DecisionListsRepository } from './lists.repository.ts';
import * as reading from './reading.ts';
import * as reviews from './reviews.ts';
import * as timeline from './timeline-events.ts';

export type {
  DecisionsSettings,
  DraftIssuedEvent,
  DraftIssuedHook,
  FinalDecisionEvent,
  FinalDecisionHook,
  OpenWorkCheck,
} from './context.ts';
export type { IssueDraftInput } from './drafts.ts';
export type { CommentInput } from './comments.ts';
export type { FinalInput } from './final.ts';

/**
 * Draft decisions (and draft reports) to both parties at once, with versions and the differences
 * between them; comments by portal, complainant link, email or staff entry, late ones kept and
 * marked late; the authority's record that people criticised were shown the draft; the final
 * decision, after which the case closes or waits for open work (remedies, statutory steps); and the
 * complainant's post-decision review, decided by a casework manager who was not involved.
 * Each use case is in its own file; this class is their one door.
 */
export class DecisionsService {
  private readonly ctx: DecisionsContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    complaints: ComplaintsService,
    correspondence: CorrespondenceService,
    readonly settings: DecisionsSettings,
  ) {
    this.ctx = {
      repo: new DecisionsRepository(db),
      lists: new DecisionListsRepository(db),
      clock,
      calendar,
      complaints,
      correspondence,
      settings,
      hooks: { draft: [], final: [], openWork: [] },
    };
  }

  // Hooks.

  /** Runs inside the draft's transaction; a hook that throws rolls the whole draft back. */
  onDraftIssued = (hook: DraftIssuedHook): void => {
    this.ctx.hooks.draft.push(hook);
  };

  /** Runs inside the final decision's transaction, before the case closes or moves to remedy. */
  onFinalDecision = (hook: FinalDecisionHook): void => {
    this.ctx.hooks.final.push(hook);
  };

  /** A check for work still open after the final decision; a reason keeps the case in 'remedy'. */
  addOpenWork = (check: OpenWorkCheck): void => {
    this.ctx.hooks.openWork.push(check);
  };

  // Drafts.
  issueDraft = (actor: Actor, complaintId: string, input: drafts.IssueDraftInput) =>
    drafts.issueDraft(this.ctx, actor, complaintId, input);
  issueDraftInTx = (
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: drafts.IssueDraftInput,
    options: { form: DraftForm; commentDueOn?: string },
  ) => drafts.issueDraftInTx(this.ctx, trx, actor, complaintId, input, options);

  // Comments and the record that the people criticised were shown the draft.
  comment = (
    actor: Actor,
    draftId: string,
    input: comments.CommentInput & { party?: CommentParty | undefined; channel?: 'email' | 'staff' | undefined },
  ) => comments.comment(this.ctx, actor, draftId, input);
  draftByLink = (token: string) => comments.draftByLink(this.ctx, token);
  commentByLink = (token: string, input: comments.CommentInput) => comments.commentByLink(this.ctx, token, input);
  recordDisclosure = (
    actor: Actor,
    draftId: string,
    input: { shownTo: string; shownOn: string; withEvidence: boolean },
  ) => comments.recordDisclosure(this.ctx, actor, draftId, input);

  // The final decision and closing the case.
  issueFinal = (actor: Actor, complaintId: string, input: final.FinalInput) =>
    final.issueFinal(this.ctx, actor, complaintId, input);
  issueFinalInTx = (
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: final.FinalInput,
    options: { form: DraftForm },
  ) => final.issueFinalInTx(this.ctx, trx, actor, complaintId, input, options);
  closeIfComplete = (trx: Tx, actor: Actor, complaintId: string) =>
    final.closeIfComplete(this.ctx, trx, actor, complaintId);
  finalDecision = (complaintId: string) => final.finalDecision(this.ctx, complaintId);

  // Reviews.
  finalByLink = (token: string) => reviews.finalByLink(this.ctx, token);
  requestReviewByLink = (token: string, grounds: string) => reviews.requestReviewByLink(this.ctx, token, grounds);
  requestReview = (actor: Actor, complaintId: string, grounds: string) =>
    reviews.requestReview(this.ctx, actor, complaintId, grounds);
  decideReview = (
    actor: Actor,
    reviewId: string,
    input: {
      result: 'decision-stands' | 'decision-changed';
      reason: string;
      newOutcome?: FinalOutcome | null | undefined;
    },
  ) => reviews.decideReview(this.ctx, actor, reviewId, input);

  // Reading.
  caseDecision = (actor: Actor, complaintId: string) => reading.caseDecision(this.ctx, actor, complaintId);
  draftVersion = (actor: Actor, complaintId: string, version: number, compareWith?: number) =>
    reading.draftVersion(this.ctx, actor, complaintId, version, compareWith);
  draftIdOf = (complaintId: string, version: number) => reading.draftIdOf(this.ctx, complaintId, version);
  timelineEvents = (complaintId: string) => timeline.timelineEvents(this.ctx, complaintId);

  // Lists: the findings and the home pages' panels.
  findings = (actor: Actor, from: IsoDate, to: IsoDate) => lists.findings(this.ctx, actor, from, to);
  awaitingComment = (actor: Actor | null, scope: HomeScope, o: { dueBy?: IsoDate | null; limit: number }) =>
    lists.awaitingComment(this.ctx, actor, scope, o);
  pendingReviews = (actor: Actor, limit = 5) => lists.pendingReviews(this.ctx, actor, limit);
}
