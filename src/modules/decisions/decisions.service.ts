import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, forbidden, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import { isCalendarDate } from '../../platform/input.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import type { ComplaintsService, TimelineEvent } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import { DecisionsRepository, type DraftRow } from './decisions.repository.ts';
import {
  CHANNEL_NAMES,
  FINAL_OUTCOMES,
  FINAL_OUTCOME_NAMES,
  FORM_NAMES,
  REMEDY_TYPES,
  SECTION_KEYS,
  SECTION_NAMES,
  diffSections,
  involved,
  isFault,
  isLate,
  remedyLine,
  reviewInTime,
  type CommentChannel,
  type CommentParty,
  type DraftForm,
  type DraftSections,
  type FinalOutcome,
  type RemedyProposal,
} from './domain.ts';
import { formatDate } from '../../platform/dates.ts';
import { mayReadScope, type HomeScope } from '../home/scope.ts';

export interface DecisionsSettings {
  baseUrl: string;
  /** Working days each party has to comment on a draft (DRAFT_COMMENT_WORKING_DAYS). */
  commentWorkingDays: number;
  /** Working days after a final decision in which the complainant may ask for a review (DECISION_REVIEW_WORKING_DAYS). */
  reviewWorkingDays: number;
}

export interface DraftIssuedEvent {
  complaintId: string;
  draftId: string;
  version: number;
  form: DraftForm;
  issuedOn: string;
  remedies: RemedyProposal[];
}
export type DraftIssuedHook = (trx: Tx, actor: Actor, e: DraftIssuedEvent) => Promise<void>;

/** A final decision (or final report) as issued. */
export interface FinalInput {
  outcome: FinalOutcome;
  statement: string;
  /** Confirms issuing it before the latest draft's comment deadline (needed only then). */
  earlyConfirmed?: boolean | undefined;
  /** Why it cannot wait for the comment deadline (needed only then). */
  earlyReason?: string | null;
}

export interface FinalDecisionEvent {
  complaintId: string;
  finalDecisionId: string;
  outcome: FinalOutcome;
  form: DraftForm;
  draftId: string | null;
  decidedOn: string;
}
export type FinalDecisionHook = (trx: Tx, actor: Actor, e: FinalDecisionEvent) => Promise<void>;
export type OpenWorkCheck = (trx: Tx, complaintId: string) => Promise<string | null>;

export interface IssueDraftInput {
  sections: DraftSections;
  evidenceDocumentIds?: string[];
  remedies?: RemedyProposal[];
}

export interface CommentInput {
  text?: string | null | undefined;
  noComments?: boolean | undefined;
}

const showDate = (d: IsoDate) => formatDate(d);
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const TOKEN_SHAPE = /^[\w-]{43}$/;

const sectionsOf = (d: DraftRow): DraftSections => ({
  complaint: d.complaint_text,
  findings: d.findings_text,
  proposedRemedy: d.proposed_remedy_text,
  decision: d.decision_text,
});

/**
 * Draft decisions (and draft reports) to both parties at once, with versions and the differences
 * between them; comments by portal, complainant link, email or staff entry, late ones kept and
 * marked late; the authority's record that people criticised were shown the draft; the final
 * decision, after which the case closes or waits for open work (remedies, statutory steps); and the
 * complainant's post-decision review, decided by a casework manager who was not involved.
 */
export class DecisionsService {
  private readonly repo: DecisionsRepository;
  private readonly draftHooks: DraftIssuedHook[] = [];
  private readonly finalHooks: FinalDecisionHook[] = [];
  private readonly openWork: OpenWorkCheck[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly complaints: ComplaintsService,
    private readonly correspondence: CorrespondenceService,
    readonly settings: DecisionsSettings,
  ) {
    this.repo = new DecisionsRepository(db);
  }

  // Hooks -----------------------------------------------------------------------------------------

  /** Runs inside the draft's transaction; a hook that throws rolls the whole draft back. */
  onDraftIssued(hook: DraftIssuedHook): void {
    this.draftHooks.push(hook);
  }

  /** Runs inside the final decision's transaction, before the case closes or moves to remedy. */
  onFinalDecision(hook: FinalDecisionHook): void {
    this.finalHooks.push(hook);
  }

  /** A check for work still open after the final decision; a reason keeps the case in 'remedy'. */
  addOpenWork(check: OpenWorkCheck): void {
    this.openWork.push(check);
  }

  private today(): IsoDate {
    return this.calendar.londonDate(this.clock.now());
  }

  private audit(
    trx: Tx,
    actor: Actor | null,
    action: string,
    recordType: string,
    recordId: string,
    authorityId: string,
  ) {
    return writeAudit(trx, {
      actor: actor ? auditActor(actor) : { type: 'system', id: null },
      action,
      recordType,
      recordId,
      authorityId,
      requestId: actor?.requestId ?? null,
    });
  }

  private requireStaff(actor: Actor, permission: 'decisions:write' | 'decisions:review' | 'complaints:read'): void {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  private requireDrafter(actor: Actor, form: DraftForm): void {
    if (actor.authorityId !== null) throw forbidden();
    if (!can(actor, 'decisions:write') && !(form === 'report' && can(actor, 'public-reports:manage')))
      throw forbidden();
  }

  // Drafts ----------------------------------------------------------------------------------------

  /** Issues a draft decision on a case under investigation (or a revised one), in its own transaction. */
  async issueDraft(actor: Actor, complaintId: string, input: IssueDraftInput) {
    return this.db
      .transaction()
      .execute((trx) => this.issueDraftInTx(trx, actor, complaintId, input, { form: 'decision' }));
  }

  /**
   * Issues a draft (decision or report) in the caller's transaction: the next version, the case
   * moved to 'decision', and the draft written at the same time to the complainant and to the
   * authority (addressed to the chief executive), each with the comment deadline.
   */
  async issueDraftInTx(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: IssueDraftInput,
    options: { form: DraftForm; commentDueOn?: string },
  ): Promise<{ draftId: string; version: number; commentDueOn: string; complainantLink: string }> {
    this.requireDrafter(actor, options.form);
    const problems: FieldError[] = [];
    const sections = {} as DraftSections;
    for (const key of SECTION_KEYS) {
      const text = (input.sections[key] ?? '').trim();
      sections[key] = text;
      if (text === '') problems.push({ field: key, message: `Enter ${SECTION_NAMES[key].toLowerCase()}` });
    }
    const remedies = input.remedies ?? [];
    remedies.forEach((r, i) => {
      if (!(REMEDY_TYPES as readonly string[]).includes(r.type))
        problems.push({ field: `remedies.${i}.type`, message: 'Choose the type of remedy' });
      if (!r.description?.trim())
        problems.push({ field: `remedies.${i}.description`, message: 'Describe what the authority should do' });
    });
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    if (options.commentDueOn !== undefined && !(options.commentDueOn > today))
      problems.push({ field: 'commentDueOn', message: 'The comment deadline must be after today' });
    if (problems.length > 0) throw invalid(problems);

    const repo = DecisionsRepository.in(trx);
    const complaint = await repo.lockComplaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    if (await repo.final(complaintId))
      throw conflict('A final decision has been issued on this case: no further drafts');
    if (complaint.status !== 'investigation' && complaint.status !== 'decision')
      throw conflict(`A draft can only be issued on a case under investigation (this case is ${complaint.status})`);

    const evidenceIds = [...new Set(input.evidenceDocumentIds ?? [])];
    const evidence = await repo.caseDocuments(complaintId, evidenceIds);
    if (evidence.length !== evidenceIds.length)
      throw invalid([{ field: 'evidenceDocumentIds', message: 'Choose evidence from this case’s documents' }]);

    const latest = await repo.latestDraft(complaintId);
    const version = (latest?.version ?? 0) + 1;
    const deadline = options.commentDueOn
      ? { date: options.commentDueOn, rule: { ruleId: 'chosen-date', date: options.commentDueOn } }
      : {
          date: this.calendar.addWorkingDays(today, this.settings.commentWorkingDays).date,
          rule: {
            ruleId: 'working-days-after-start',
            basis: 'default',
            workingDays: this.settings.commentWorkingDays,
            startDate: today,
            holidaySet: 'england-and-wales',
            closures: [...this.calendar.closures],
          },
        };
    const token = crypto.randomBytes(32).toString('base64url');
    await repo.supersede(complaintId, now);
    const draftId = await repo.insertDraft({
      complaint_id: complaintId,
      authority_id: complaint.authority_id,
      form: options.form,
      version,
      complaint_text: sections.complaint,
      findings_text: sections.findings,
      proposed_remedy_text: sections.proposedRemedy,
      decision_text: sections.decision,
      remedies: JSON.stringify(remedies),
      issued_by: actor.type === 'user' ? actor.id : null,
      issued_at: now,
      issued_on: today,
      comment_due_on: deadline.date,
      comment_due_rule: JSON.stringify(deadline.rule),
      complainant_token_hash: hashToken(token),
    });
    await repo.insertEvidence(evidenceIds.map((id, i) => ({ draft_id: draftId, document_id: id, position: i + 1 })));
    await this.complaints.transition(trx, actor, complaintId, 'decision', {
      reason: `${FORM_NAMES[options.form].draft} issued (version ${version})`,
    });

    const name = FORM_NAMES[options.form].draft;
    const revised = version > 1 ? `revised ${name.toLowerCase()} (version ${version})` : name.toLowerCase();
    const body = [
      ...SECTION_KEYS.map((k) => `${SECTION_NAMES[k]}\n\n${sections[k]}`),
      ...(remedies.length > 0
        ? [`Recommended remedies\n\n${remedies.map((r) => `- ${remedyLine(r)}`).join('\n')}`]
        : []),
      ...(evidence.length > 0 ? [`Evidence\n\n${evidence.map((d) => `- ${d.filename}`).join('\n')}`] : []),
    ].join('\n\n');
    const due = showDate(deadline.date);
    const complainantLink = `${this.settings.baseUrl}/decision/${token}`;
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'draft-decision',
      addressees: ['complainant'],
      subject: `Our ${revised} on your complaint`,
      text:
        `We have reached a ${revised} on your complaint. Please send us any comments by ${due}.\n\n` +
        `You can read it and comment, or tell us you have no comments, at ${complainantLink}\n\n${body}`,
      actor,
    });
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'draft-decision',
      addressees: ['chief-executive', 'link-officers'],
      letter: true,
      subject: `Our ${revised} on complaint ${complaint.reference}`,
      text:
        `Dear Chief Executive,\n\nWe enclose our ${revised} on complaint ${complaint.reference}. ` +
        `Please send us any comments by ${due}. Please also make sure anyone criticised in it has seen it, ` +
        `with the evidence, and record that you have done so.\n\n` +
        `Comment or record that there are no comments at ${this.settings.baseUrl}/portal/complaints/${complaintId}/decision\n\n${body}`,
      actor,
    });
    for (const hook of this.draftHooks) {
      await hook(trx, actor, { complaintId, draftId, version, form: options.form, issuedOn: today, remedies });
    }
    await this.audit(trx, actor, `decision.draft-issued`, 'draft-decision', draftId, complaint.authority_id);
    return { draftId, version, commentDueOn: deadline.date, complainantLink };
  }

  // Comments --------------------------------------------------------------------------------------

  private cleanComment(input: CommentInput): { text: string | null; noComments: boolean } {
    const noComments = input.noComments === true;
    const text = input.text?.trim() || null;
    if (!noComments && !text)
      throw invalid([{ field: 'text', message: 'Enter your comments, or tell us you have no comments' }]);
    if (text && text.length > 50_000)
      throw invalid([{ field: 'text', message: 'Comments must be 50,000 characters or fewer' }]);
    return { text: noComments ? null : text, noComments };
  }

  private async storeComment(
    draft: DraftRow,
    actor: Actor | null,
    party: CommentParty,
    channel: CommentChannel,
    input: CommentInput,
  ): Promise<{ id: string; late: boolean; dueOn: string }> {
    const { text, noComments } = this.cleanComment(input);
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    const late = isLate(today, draft.comment_due_on);
    const id = await this.db.transaction().execute(async (trx) => {
      const id = await DecisionsRepository.in(trx).insertComment({
        draft_id: draft.id,
        complaint_id: draft.complaint_id,
        authority_id: draft.authority_id,
        party,
        channel,
        no_comments: noComments,
        text,
        received_at: now,
        received_on: today,
        late,
        entered_by: actor?.type === 'user' ? actor.id : null,
      });
      await this.audit(
        trx,
        actor,
        late ? 'decision.comment-received-late' : 'decision.comment-received',
        'draft-comment',
        id,
        draft.authority_id,
      );
      return id;
    });
    return { id, late, dueOn: draft.comment_due_on };
  }

  /**
   * A comment on a draft (or "no comments"): from the authority through the portal or its API token,
   * or entered by staff for either party (received by email or otherwise). After the deadline it is
   * kept and marked late.
   */
  async comment(
    actor: Actor,
    draftId: string,
    input: CommentInput & { party?: CommentParty | undefined; channel?: 'email' | 'staff' | undefined },
  ) {
    const draft = await this.repo.draft(draftId);
    if (!draft) throw notFound('The draft');
    if (actor.authorityId !== null) {
      if (actor.authorityId !== draft.authority_id || !can(actor, 'decisions:portal')) throw notFound('The draft');
      return this.storeComment(draft, actor, 'authority', actor.type === 'token' ? 'api' : 'portal', input);
    }
    this.requireStaff(actor, 'decisions:write');
    if (input.party !== 'complainant' && input.party !== 'authority')
      throw invalid([{ field: 'party', message: 'Choose whose comments these are' }]);
    return this.storeComment(draft, actor, input.party, input.channel ?? 'staff', input);
  }

  /** The complainant's own link from the draft's letter: the draft as they see it. */
  async draftByLink(token: string) {
    if (!TOKEN_SHAPE.test(token)) throw notFound('The draft');
    const draft = await this.repo.draftByTokenHash(hashToken(token));
    if (!draft) throw notFound('The draft');
    const [complaint, comments, evidence, final] = await Promise.all([
      this.repo.complaint(draft.complaint_id),
      this.repo.comments(draft.complaint_id),
      this.repo.evidence([draft.id]),
      this.repo.final(draft.complaint_id),
    ]);
    return {
      draft: this.draftView(
        draft,
        evidence.filter((e) => !e.do_not_disclose),
      ),
      reference: complaint?.reference ?? '',
      authorityName: complaint?.authority_name ?? '',
      superseded: draft.superseded_at !== null,
      late: isLate(this.today(), draft.comment_due_on),
      finalIssued: final !== undefined,
      comments: comments
        .filter((c) => c.draft_id === draft.id && c.party === 'complainant')
        .map((c) => ({ at: c.received_at, noComments: c.no_comments, text: c.text, late: c.late })),
    };
  }

  /** The complainant comments (or has none) through the link in the draft's letter. */
  async commentByLink(token: string, input: CommentInput) {
    if (!TOKEN_SHAPE.test(token)) throw notFound('The draft');
    const draft = await this.repo.draftByTokenHash(hashToken(token));
    if (!draft) throw notFound('The draft');
    return this.storeComment(draft, null, 'complainant', 'complainant-link', input);
  }

  /** The authority records that the people criticised in a draft were shown it (and whether with the evidence). */
  async recordDisclosure(
    actor: Actor,
    draftId: string,
    input: { shownTo: string; shownOn: string; withEvidence: boolean },
  ): Promise<string> {
    const draft = await this.repo.draft(draftId);
    if (!draft) throw notFound('The draft');
    if (actor.authorityId !== null) {
      if (actor.authorityId !== draft.authority_id || !can(actor, 'decisions:portal')) throw notFound('The draft');
    } else this.requireStaff(actor, 'decisions:write');
    const problems: FieldError[] = [];
    const shownTo = input.shownTo.trim();
    if (!shownTo) problems.push({ field: 'shownTo', message: 'Enter who was shown the draft (names or roles)' });
    const today = this.today();
    if (!isCalendarDate(input.shownOn))
      problems.push({ field: 'shownOn', message: 'Enter the date they were shown it, as a real date' });
    else if (input.shownOn > today)
      problems.push({ field: 'shownOn', message: 'The date must be today or in the past' });
    else if (input.shownOn < draft.issued_on)
      problems.push({ field: 'shownOn', message: 'The date must be on or after the day the draft was issued' });
    if (problems.length > 0) throw invalid(problems);
    return this.db.transaction().execute(async (trx) => {
      const id = await DecisionsRepository.in(trx).insertDisclosure({
        draft_id: draft.id,
        complaint_id: draft.complaint_id,
        authority_id: draft.authority_id,
        shown_to: shownTo,
        shown_on: input.shownOn,
        with_evidence: input.withEvidence,
        recorded_by: actor.type === 'user' ? actor.id : null,
        recorded_at: this.clock.now(),
      });
      await this.audit(trx, actor, 'decision.criticised-shown-draft', 'draft-disclosure', id, draft.authority_id);
      return id;
    });
  }

  // Final decision --------------------------------------------------------------------------------

  async issueFinal(actor: Actor, complaintId: string, input: FinalInput) {
    return this.db
      .transaction()
      .execute((trx) => this.issueFinalInTx(trx, actor, complaintId, input, { form: 'decision' }));
  }

  /**
   * The final decision (or final report): the outcome and statement sent to both parties, the hooks
   * run, then the case closes with the outcome, or moves to 'remedy' while work is open. Needs a
   * draft first, except to close after initial enquiries. Issued while the latest draft's comment
   * deadline has not passed (comments may still come, up to and on that day), it needs the
   * investigator's confirmation and the reason it cannot wait, which is kept with the decision.
   */
  async issueFinalInTx(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: FinalInput,
    options: { form: DraftForm },
  ): Promise<{ finalDecisionId: string; complainantLink: string; reviewDueOn: string }> {
    this.requireDrafter(actor, options.form);
    const problems: FieldError[] = [];
    if (!(FINAL_OUTCOMES as readonly string[]).includes(input.outcome))
      problems.push({ field: 'outcome', message: 'Choose the outcome' });
    const statement = (input.statement ?? '').trim();
    if (!statement) problems.push({ field: 'statement', message: 'Enter the decision statement' });
    if (problems.length > 0) throw invalid(problems);

    const repo = DecisionsRepository.in(trx);
    const complaint = await repo.lockComplaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    if (await repo.final(complaintId)) throw conflict('A final decision has already been issued on this case');
    const draft = await repo.latestDraft(complaintId);
    if (complaint.status === 'investigation' && !draft) {
      if (input.outcome !== 'closed-after-initial-enquiries')
        throw conflict('Issue a draft decision first: both parties must be able to comment before the final decision', [
          { field: 'outcome', message: 'Issue a draft decision before the final decision' },
        ]);
    } else if (complaint.status !== 'decision') {
      throw conflict(
        `A final decision can only be made on a case under investigation (this case is ${complaint.status})`,
      );
    }
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    const name = FORM_NAMES[options.form].final;
    const early = draft !== undefined && !isLate(today, draft.comment_due_on);
    const earlyReason = (input.earlyReason ?? '').trim();
    if (early && draft) {
      const due = showDate(draft.comment_due_on);
      const problems: FieldError[] = [];
      if (input.earlyConfirmed !== true)
        problems.push({
          field: 'earlyConfirmed',
          message: `Confirm that the ${name.toLowerCase()} is to be issued before comments are due (${due})`,
        });
      if (!earlyReason)
        problems.push({ field: 'earlyReason', message: `Enter why it cannot wait until comments are due (${due})` });
      if (problems.length > 0) throw invalid(problems);
    }
    const reviewDueOn = this.calendar.addWorkingDays(today, this.settings.reviewWorkingDays).date;
    const token = crypto.randomBytes(32).toString('base64url');
    const finalDecisionId = await repo.insertFinal({
      complaint_id: complaintId,
      authority_id: complaint.authority_id,
      form: options.form,
      draft_id: draft?.id ?? null,
      outcome: input.outcome,
      statement,
      decided_by: actor.type === 'user' ? actor.id : null,
      decided_at: now,
      decided_on: today,
      review_due_on: reviewDueOn,
      complainant_token_hash: hashToken(token),
      early_reason: early ? earlyReason : null,
    });
    const outcomeName = FINAL_OUTCOME_NAMES[input.outcome];
    const complainantLink = `${this.settings.baseUrl}/decision/${token}`;
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'final-decision',
      addressees: ['complainant'],
      subject: `Our ${name.toLowerCase()} on your complaint`,
      text:
        `${name}: ${outcomeName}\n\n${statement}\n\n` +
        `If you think we made a mistake, you can ask for a review by ${showDate(reviewDueOn)} at ${complainantLink}`,
      actor,
    });
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'final-decision',
      addressees: ['chief-executive', 'link-officers'],
      letter: true,
      subject: `Our ${name.toLowerCase()} on complaint ${complaint.reference}`,
      text: `Dear Chief Executive,\n\n${name} on complaint ${complaint.reference}: ${outcomeName}\n\n${statement}`,
      actor,
    });
    for (const hook of this.finalHooks) {
      await hook(trx, actor, {
        complaintId,
        finalDecisionId,
        outcome: input.outcome,
        form: options.form,
        draftId: draft?.id ?? null,
        decidedOn: today,
      });
    }
    await this.audit(trx, actor, 'decision.final-issued', 'final-decision', finalDecisionId, complaint.authority_id);
    const reason = await this.openWorkReason(trx, complaintId);
    if (reason) {
      await this.complaints.transition(trx, actor, complaintId, 'decision');
      await this.complaints.transition(trx, actor, complaintId, 'remedy', { reason });
    } else {
      await this.complaints.transition(trx, actor, complaintId, 'closed', { outcome: input.outcome, reason: name });
    }
    return { finalDecisionId, complainantLink, reviewDueOn };
  }

  private async openWorkReason(trx: Tx, complaintId: string): Promise<string | null> {
    const reasons: string[] = [];
    for (const check of this.openWork) {
      const reason = await check(trx, complaintId);
      if (reason) reasons.push(reason);
    }
    return reasons.length > 0 ? reasons.join('; ') : null;
  }

  /** Closes the case with the final decision's outcome when no work is open. True when it closed. */
  async closeIfComplete(trx: Tx, actor: Actor, complaintId: string): Promise<boolean> {
    const repo = DecisionsRepository.in(trx);
    const complaint = await repo.lockComplaint(complaintId);
    if (!complaint || complaint.status === 'closed') return false;
    const final = await repo.final(complaintId);
    if (!final) return false;
    if (await this.openWorkReason(trx, complaintId)) return false;
    const review = await repo.review(final.id);
    const outcome = review?.result === 'decision-changed' && review.new_outcome ? review.new_outcome : final.outcome;
    await this.complaints.transition(trx, actor, complaintId, 'closed', {
      outcome,
      reason: `${FORM_NAMES[final.form].final}: all work complete`,
    });
    return true;
  }

  /** The final decision on a case, with the outcome a review changed it to when it did. */
  async finalDecision(
    complaintId: string,
  ): Promise<{ id: string; outcome: FinalOutcome; statement: string; decidedOn: string; form: DraftForm } | null> {
    const final = await this.repo.final(complaintId);
    if (!final) return null;
    const review = await this.repo.review(final.id);
    const outcome = review?.result === 'decision-changed' && review.new_outcome ? review.new_outcome : final.outcome;
    return { id: final.id, outcome, statement: final.statement, decidedOn: final.decided_on, form: final.form };
  }

  // Reviews ---------------------------------------------------------------------------------------

  private async storeReview(
    final: { id: string; complaint_id: string; authority_id: string; review_due_on: string },
    actor: Actor | null,
    channel: 'complainant-link' | 'staff',
    grounds: string,
  ): Promise<string> {
    const text = grounds.trim();
    if (!text) throw invalid([{ field: 'grounds', message: 'Tell us why you think the decision is wrong' }]);
    const today = this.today();
    if (!reviewInTime(today, final.review_due_on))
      throw conflict(`A review can no longer be asked for: the time to ask ended on ${showDate(final.review_due_on)}`, [
        { field: 'grounds', message: `The time to ask for a review ended on ${showDate(final.review_due_on)}` },
      ]);
    return this.db.transaction().execute(async (trx) => {
      const id = await DecisionsRepository.in(trx).insertReview({
        final_decision_id: final.id,
        complaint_id: final.complaint_id,
        authority_id: final.authority_id,
        channel,
        grounds: text,
        requested_at: this.clock.now(),
        requested_on: today,
        entered_by: actor?.type === 'user' ? actor.id : null,
      });
      if (!id) throw conflict('A review of this decision has already been asked for');
      await this.audit(trx, actor, 'decision.review-requested', 'decision-review', id, final.authority_id);
      return id;
    });
  }

  /** What the complainant's link from the final decision shows. */
  async finalByLink(token: string) {
    if (!TOKEN_SHAPE.test(token)) return null;
    const final = await this.repo.finalByTokenHash(hashToken(token));
    if (!final) return null;
    const [complaint, review] = await Promise.all([
      this.repo.complaint(final.complaint_id),
      this.repo.review(final.id),
    ]);
    return {
      reference: complaint?.reference ?? '',
      authorityName: complaint?.authority_name ?? '',
      form: final.form,
      formName: FORM_NAMES[final.form].final,
      outcomeName: FINAL_OUTCOME_NAMES[final.outcome],
      statement: final.statement,
      decidedOn: final.decided_on,
      reviewDueOn: final.review_due_on,
      inTime: reviewInTime(this.today(), final.review_due_on),
      review: review ? { requestedOn: review.requested_on, result: review.result, reason: review.result_reason } : null,
    };
  }

  /** The complainant asks for a review through the link in the final decision's letter, within the period. */
  async requestReviewByLink(token: string, grounds: string): Promise<string> {
    if (!TOKEN_SHAPE.test(token)) throw notFound('The decision');
    const final = await this.repo.finalByTokenHash(hashToken(token));
    if (!final) throw notFound('The decision');
    return this.storeReview(final, null, 'complainant-link', grounds);
  }

  /** Staff record a review request the complainant made another way (phone, letter, email). */
  async requestReview(actor: Actor, complaintId: string, grounds: string): Promise<string> {
    this.requireStaff(actor, 'decisions:write');
    const final = await this.repo.final(complaintId);
    if (!final) throw conflict('There is no final decision on this case to review');
    return this.storeReview(final, actor, 'staff', grounds);
  }

  /**
   * A casework manager who was not involved in the case decides a review: the decision stands, or it
   * changes to another outcome. Both parties are told.
   */
  async decideReview(
    actor: Actor,
    reviewId: string,
    input: {
      result: 'decision-stands' | 'decision-changed';
      reason: string;
      newOutcome?: FinalOutcome | null | undefined;
    },
  ): Promise<void> {
    this.requireStaff(actor, 'decisions:review');
    const problems: FieldError[] = [];
    if (input.result !== 'decision-stands' && input.result !== 'decision-changed')
      problems.push({ field: 'result', message: 'Choose whether the decision stands' });
    if (input.result === 'decision-changed' && !(FINAL_OUTCOMES as readonly string[]).includes(input.newOutcome ?? ''))
      problems.push({ field: 'newOutcome', message: 'Choose the new outcome' });
    const reason = input.reason.trim();
    if (!reason) problems.push({ field: 'reason', message: 'Enter the reasons for the review decision' });
    if (problems.length > 0) throw invalid(problems);
    await this.db.transaction().execute(async (trx) => {
      const repo = DecisionsRepository.in(trx);
      const review = await repo.reviewById(reviewId);
      if (!review) throw notFound('The review');
      if (review.result) throw conflict('This review has already been decided');
      if (involved(await repo.involvedPeople(review.complaint_id), actor.id))
        throw new DomainError(
          'forbidden',
          'You were involved in this case: a casework manager who was not involved must decide the review',
        );
      const newOutcome = input.result === 'decision-changed' ? (input.newOutcome ?? null) : null;
      await trx
        .updateTable('decision_reviews')
        .set({
          result: input.result,
          new_outcome: newOutcome,
          result_reason: reason,
          decided_by: actor.type === 'user' ? actor.id : null,
          decided_at: this.clock.now(),
        })
        .where('id', '=', reviewId)
        .execute();
      const summary =
        input.result === 'decision-stands'
          ? 'We have reviewed our final decision and it stands.'
          : `We have reviewed our final decision and changed its outcome to: ${newOutcome ? FINAL_OUTCOME_NAMES[newOutcome] : ''}.`;
      for (const addressees of [['complainant'], ['chief-executive', 'link-officers']] as const) {
        await this.correspondence.write(trx, {
          complaintId: review.complaint_id,
          kind: 'message',
          addressees,
          subject: 'The review of our final decision',
          text: `${summary}\n\n${reason}`,
          actor,
        });
      }
      await this.audit(trx, actor, `decision.review-${input.result}`, 'decision-review', reviewId, review.authority_id);
    });
  }

  // Reading ---------------------------------------------------------------------------------------

  private draftView(
    d: DraftRow & { issued_by_name?: string | null },
    evidence: readonly { id: string; filename: string }[],
  ) {
    return {
      id: d.id,
      version: d.version,
      form: d.form,
      formName: FORM_NAMES[d.form].draft,
      sections: SECTION_KEYS.map((k) => ({ key: k, name: SECTION_NAMES[k], text: sectionsOf(d)[k] })),
      remedies: (d.remedies as RemedyProposal[]).map((r) => ({ ...r, line: remedyLine(r) })),
      evidence: evidence.map((e) => ({ id: e.id, filename: e.filename })),
      issuedAt: d.issued_at,
      issuedOn: d.issued_on,
      issuedBy: d.issued_by_name ?? null,
      commentDueOn: d.comment_due_on,
      current: d.superseded_at === null,
    };
  }

  /** Who may read a case's decisions: staff who read complaints, and the case's own authority when it was told of the case. */
  private async readable(actor: Actor, complaintId: string) {
    const complaint = await this.repo.complaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    if (actor.authorityId === null) this.requireStaff(actor, 'complaints:read');
    else if (
      actor.authorityId !== complaint.authority_id ||
      !(await this.repo.caseTold(complaint.id)) ||
      !can(actor, 'decisions:portal')
    )
      throw notFound('The complaint');
    return complaint;
  }

  /**
   * Everything about a case's decision as the actor may see it. The authority sees the drafts, its
   * own comments and records, and the final decision; staff see both parties' comments too.
   */
  async caseDecision(actor: Actor, complaintId: string) {
    const complaint = await this.readable(actor, complaintId);
    const staff = actor.authorityId === null;
    const [drafts, comments, disclosures, final] = await Promise.all([
      this.repo.drafts(complaintId),
      this.repo.comments(complaintId),
      this.repo.disclosures(complaintId),
      this.repo.final(complaintId),
    ]);
    const evidence = await this.repo.evidence(drafts.map((d) => d.id));
    const review = final ? await this.repo.review(final.id) : undefined;
    const today = this.today();
    return {
      complaint: { id: complaint.id, reference: complaint.reference, status: complaint.status },
      drafts: drafts
        .map((d) => ({
          ...this.draftView(
            d,
            evidence.filter((e) => e.draft_id === d.id && (staff || !e.do_not_disclose)),
          ),
          late: isLate(today, d.comment_due_on),
          comments: comments
            .filter((c) => c.draft_id === d.id && (staff || c.party === 'authority'))
            .map((c) => ({
              id: c.id,
              party: c.party,
              partyName: c.party === 'authority' ? 'Authority' : 'Complainant',
              channel: c.channel,
              channelName: CHANNEL_NAMES[c.channel],
              noComments: c.no_comments,
              text: c.text,
              late: c.late,
              receivedAt: c.received_at,
              enteredBy: staff ? c.entered_by_name : null,
            })),
          disclosures: disclosures
            .filter((x) => x.draft_id === d.id)
            .map((x) => ({
              shownTo: x.shown_to,
              shownOn: x.shown_on,
              withEvidence: x.with_evidence,
              recordedAt: x.recorded_at,
              recordedBy: x.recorded_by_name,
            })),
        }))
        .reverse(),
      final: final
        ? {
            id: final.id,
            form: final.form,
            formName: FORM_NAMES[final.form].final,
            outcome: final.outcome,
            outcomeName: FINAL_OUTCOME_NAMES[final.outcome],
            statement: final.statement,
            decidedOn: final.decided_on,
            decidedBy: staff ? final.decided_by_name : null,
            reviewDueOn: final.review_due_on,
            reviewInTime: reviewInTime(today, final.review_due_on),
            earlyReason: staff ? final.early_reason : null,
          }
        : null,
      review: review
        ? {
            id: review.id,
            grounds: staff ? review.grounds : null,
            channel: review.channel,
            requestedOn: review.requested_on,
            result: review.result,
            newOutcomeName: review.new_outcome ? FINAL_OUTCOME_NAMES[review.new_outcome] : null,
            reason: review.result_reason,
            decidedBy: staff ? review.decided_by_name : null,
          }
        : null,
    };
  }

  /** One version of a draft with the differences from the version before it (or another chosen one). */
  async draftVersion(actor: Actor, complaintId: string, version: number, compareWith?: number) {
    await this.readable(actor, complaintId);
    const drafts = await this.repo.drafts(complaintId);
    const draft = drafts.find((d) => d.version === version);
    if (!draft) throw notFound('The draft');
    const otherVersion = compareWith ?? version - 1;
    const other = drafts.find((d) => d.version === otherVersion && d.version !== version);
    const evidence = await this.repo.evidence([draft.id]);
    return {
      draft: this.draftView(
        draft,
        evidence.filter((e) => actor.authorityId === null || !e.do_not_disclose),
      ),
      versions: drafts.map((d) => d.version),
      compareWith: other?.version ?? null,
      diff: other ? diffSections(sectionsOf(other), sectionsOf(draft)) : null,
    };
  }

  /** The draft's id for a version, for the API and links. */
  async draftIdOf(complaintId: string, version: number): Promise<string | null> {
    return (await this.repo.drafts(complaintId)).find((d) => d.version === version)?.id ?? null;
  }

  /**
   * Every finding of fault against the actor's authority decided in a period (inclusive), for the
   * monitoring officer's report to members.
   */
  async findings(actor: Actor, from: IsoDate, to: IsoDate) {
    if (actor.authorityId === null || !can(actor, 'findings:portal')) throw forbidden();
    const rows = await this.repo.findings(
      actor.authorityId,
      from,
      to,
      FINAL_OUTCOMES.filter((o) => isFault(o)),
    );
    return rows.map((r) => ({
      complaintId: r.complaint_id,
      reference: r.reference,
      serviceArea: r.service_area,
      decidedOn: r.decided_on,
      outcome: r.outcome,
      outcomeName: FINAL_OUTCOME_NAMES[r.outcome],
      formName: FORM_NAMES[r.form].final,
      statement: r.statement,
      remedies: ((r.remedies ?? []) as RemedyProposal[]).map(remedyLine),
    }));
  }

  /** The decision events of a case's timeline. */
  async timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    const [drafts, comments, disclosures, final] = await Promise.all([
      this.repo.drafts(complaintId),
      this.repo.comments(complaintId),
      this.repo.disclosures(complaintId),
      this.repo.final(complaintId),
    ]);
    const evidence = await this.repo.evidence(drafts.map((d) => d.id));
    const review = final ? await this.repo.review(final.id) : undefined;
    const base = `/staff/complaints/${complaintId}/decision`;
    const versionOf = new Map(drafts.map((d) => [d.id, d.version]));
    const events: TimelineEvent[] = [];
    for (const d of drafts) {
      events.push({
        at: d.issued_at,
        kind: 'draft',
        label: `${FORM_NAMES[d.form].draft} issued (version ${d.version}) to both parties`,
        text: `Comments due by ${showDate(d.comment_due_on)}`,
        actorRole: 'Investigator',
        by: d.issued_by_name,
        actor: { userId: d.issued_by, acting: ['decisions:write'] },
        documents: evidence
          .filter((e) => e.draft_id === d.id && !e.do_not_disclose)
          .map((e) => ({ id: e.id, filename: e.filename })),
        href: `${base}/drafts/${d.version}`,
        authorityVisible: true,
      });
    }
    for (const c of comments) {
      const who = c.party === 'authority' ? 'the authority' : 'the complainant';
      events.push({
        at: c.received_at,
        kind: 'comment',
        label: `${c.no_comments ? `No comments from ${who}` : `Comments from ${who}`} on version ${versionOf.get(c.draft_id) ?? '?'}${c.late ? ' (late)' : ''}`,
        text: CHANNEL_NAMES[c.channel],
        actorRole: c.party === 'authority' ? 'Authority' : 'Complainant',
        by: c.entered_by_name,
        actor: { userId: c.entered_by, acting: ['decisions:portal', 'decisions:write'] },
        href: base,
        authorityVisible: c.party === 'authority',
      });
    }
    for (const x of disclosures) {
      events.push({
        at: x.recorded_at,
        kind: 'draft',
        label: `The authority recorded that people criticised were shown the draft${x.with_evidence ? ' with the evidence' : ''}`,
        text: `Shown on ${showDate(x.shown_on)}`,
        actorRole: 'Authority',
        by: x.recorded_by_name,
        actor: { userId: x.recorded_by, acting: ['decisions:portal', 'decisions:write'] },
        href: base,
        authorityVisible: true,
      });
    }
    if (final) {
      events.push({
        at: final.decided_at,
        kind: 'decision',
        label: `${FORM_NAMES[final.form].final}: ${FINAL_OUTCOME_NAMES[final.outcome]}`,
        text: final.statement,
        actorRole: 'Investigator',
        by: final.decided_by_name,
        actor: { userId: final.decided_by, acting: ['decisions:write'] },
        href: base,
        authorityVisible: true,
      });
    }
    if (final?.early_reason) {
      events.push({
        at: final.decided_at,
        kind: 'decision',
        label: `${FORM_NAMES[final.form].final} issued before comments were due`,
        text: final.early_reason,
        actorRole: 'Investigator',
        by: final.decided_by_name,
        actor: { userId: final.decided_by, acting: ['decisions:write'] },
        href: base,
        authorityVisible: false,
      });
    }
    if (review) {
      events.push({
        at: review.requested_at,
        kind: 'review',
        label: 'Review of the final decision asked for',
        actorRole: 'Complainant',
        href: base,
        authorityVisible: false,
      });
      if (review.decided_at) {
        events.push({
          at: review.decided_at,
          kind: 'review',
          label:
            review.result === 'decision-changed' && review.new_outcome
              ? `Review decided: outcome changed to ${FINAL_OUTCOME_NAMES[review.new_outcome]}`
              : 'Review decided: the decision stands',
          text: review.result_reason,
          actorRole: 'Casework manager',
          by: review.decided_by_name,
          actor: { userId: review.decided_by, acting: ['decisions:review'] },
          href: base,
          authorityVisible: true,
        });
      }
    }
    return events;
  }

  /**
   * Current drafts waiting for the authority's comments, for a home page (an authority's, or an
   * investigator's cases), soonest comment deadline first, with counts. `actor` null: the system.
   */
  async awaitingComment(actor: Actor | null, scope: HomeScope, o: { dueBy?: IsoDate | null; limit: number }) {
    if (!mayReadScope(actor, scope)) throw forbidden();
    if (actor && actor.authorityId !== null && !can(actor, 'decisions:portal')) throw forbidden();
    const today = this.today();
    const panel = await this.repo.awaitingComment(scope, { today, dueBy: o.dueBy ?? null, limit: o.limit });
    return {
      total: panel.total,
      late: panel.late,
      items: panel.rows.map((r) => ({
        id: r.id,
        complaintId: r.complaint_id,
        version: r.version,
        formName: FORM_NAMES[r.form].draft,
        reference: r.reference,
        authorityName: r.authority_name,
        dueDate: r.due_on,
        late: r.due_on < today,
      })),
    };
  }

  /** Reviews of final decisions waiting for a casework manager, for the staff home. */
  async pendingReviews(actor: Actor, limit = 5) {
    this.requireStaff(actor, 'decisions:review');
    return this.repo.pendingReviews(limit);
  }
}
