import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import { addDays, type IsoDate, type WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { FilesService, OpenedDocument } from '../../platform/files/files.service.ts';
import type { CaseDocuments } from '../complaints/case-documents.ts';
import { ROLE_NAMES, auditActor, can, type Actor } from '../accounts/domain.ts';
import type { ComplaintsService, TimelineEvent } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import {
  REMEDY_TYPE_NAMES,
  isFault,
  pounds,
  type DraftForm,
  type FinalOutcome,
  type RemedyProposal,
} from '../decisions/domain.ts';
import {
  EVIDENCE_STATUS_NAMES,
  MANAGER_ACTION_NAMES,
  REMEDY_STATUS_NAMES,
  agreedDueDate,
  checkProposals,
  complianceRates,
  evidenceLate,
  isLate,
  sweepThresholds,
  type ComplianceRates,
  type ManagerAction,
  type RemedySettings,
  type RemedyStatus,
} from './domain.ts';
import { RemediesRepository, type ActionRow, type EvidenceRow, type RemedyRow } from './remedies.repository.ts';
import { sumCounts, sweepInParts } from '../../platform/db/sweep-parts.ts';
import { formatDate } from '../../platform/dates.ts';
import { mayReadScope, type HomeScope } from '../home/scope.ts';

export interface RemediesServiceSettings extends RemedySettings {
  baseUrl: string;
}

/** The decisions module's part: closing a case when no work is left on it. */
export interface CaseCloser {
  closeIfComplete(trx: Tx, actor: Actor, complaintId: string): Promise<boolean>;
}

export interface DraftIssued {
  complaintId: string;
  draftId: string;
  version: number;
  form: DraftForm;
  issuedOn: string;
  remedies: RemedyProposal[];
}

export interface FinalDecided {
  complaintId: string;
  finalDecisionId: string;
  outcome: FinalOutcome;
  form: DraftForm;
  draftId: string | null;
  decidedOn: string;
}

export interface EvidenceInput {
  description: string;
  file?: { content: Buffer; filename: string; field?: string } | null;
}

export type ReviewInput = { decision: 'accept' } | { decision: 'return'; reason: string };

export interface ActionInput {
  action: ManagerAction;
  note: string;
  newDueOn?: IsoDate | null;
}

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

/** The remedy sweep: four parts, so that workers running it at once share it (sweepInParts). */
const SWEEP = { lockClass: 7_240_333, parts: 4 };
const dayName = formatDate;

const NOT_AGREED = 'This remedy has not been agreed: evidence is taken only for remedies agreed in a final decision';
const DONE = 'This remedy has already been complied with';
const CLOSED = 'This remedy is closed: it was found not complete and not satisfied';

/**
 * Remedies and compliance: proposed with a draft, agreed at the final decision, proven by the
 * authority's evidence (accepted or returned by a team coordinator), reminded before the date,
 * late after it, escalated to a casework manager, and each authority's compliance and on-time rates.
 */
export class RemediesService {
  private readonly repo: RemediesRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly files: FilesService,
    private readonly documents: CaseDocuments,
    private readonly correspondence: CorrespondenceService,
    private readonly complaints: ComplaintsService,
    private readonly closer: CaseCloser,
    private readonly settings: RemediesServiceSettings,
  ) {
    this.repo = new RemediesRepository(db);
  }

  private today(): IsoDate {
    return this.calendar.londonDate(this.clock.now());
  }

  private audit(trx: Tx, actor: Actor, action: string, recordId: string, authorityId: string) {
    return writeAudit(trx, {
      actor: auditActor(actor),
      action,
      recordType: 'remedy',
      recordId,
      authorityId,
      requestId: actor.requestId ?? null,
    });
  }

  private staff(actor: Actor, permission: 'remedies:read' | 'remedies:review' | 'remedies:escalate'): void {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  /** Staff with remedies:read see every remedy; an authority's users and tokens only their own (others are not found). */
  private mayRead(actor: Actor, authorityId: string): boolean {
    if (actor.authorityId === null) return can(actor, 'remedies:read');
    return actor.authorityId === authorityId && can(actor, 'remedies:portal');
  }

  // Hooks from the decisions module -------------------------------------------------------------------

  /**
   * The remedies proposed with a draft (decision or report), kept with that draft's version; those
   * of earlier drafts are replaced. Runs in the draft's transaction: a bad proposal (a due date in
   * the past, a financial payment with no amount) throws and nothing of the draft is kept.
   */
  async proposeWithDraft(trx: Tx, actor: Actor, e: DraftIssued): Promise<void> {
    const problems = checkProposals(e.remedies, e.issuedOn);
    if (problems.length > 0) throw invalid(problems, 'A proposed remedy needs correcting');
    const complaint = await trx
      .selectFrom('complaints')
      .select(['id', 'authority_id'])
      .where('id', '=', e.complaintId)
      .executeTakeFirst();
    if (!complaint) throw notFound('The complaint');
    const repo = this.repo.with(trx);
    await repo.supersedeProposals(e.complaintId, e.draftId);
    const now = this.clock.now();
    const ids = await repo.insert(
      e.remedies.map((p, i) => ({
        complaint_id: e.complaintId,
        authority_id: complaint.authority_id,
        draft_id: e.draftId,
        draft_version: e.version,
        position: i + 1,
        type: p.type,
        description: p.description.trim(),
        amount_pence: p.type === 'financial' ? (p.amountPence ?? null) : null,
        proposed_working_days: p.dueInWorkingDays ?? null,
        proposed_due_on: p.dueDate ?? null,
        proposed_at: now,
      })),
    );
    for (const id of ids) await this.audit(trx, actor, 'remedy.proposed', id, complaint.authority_id);
  }

  /**
   * At the final decision the remedies of the decided draft are agreed, each with its due date,
   * when fault was found; otherwise they are withdrawn. Proposals of other drafts are replaced.
   */
  async agreeAtFinalDecision(trx: Tx, actor: Actor, e: FinalDecided): Promise<void> {
    const repo = this.repo.with(trx);
    await repo.supersedeProposals(e.complaintId, e.draftId);
    if (e.draftId === null) return;
    const proposals = (await repo.proposalsOf(e.draftId)).filter((p) => p.complaint_id === e.complaintId);
    const now = this.clock.now();
    for (const p of proposals) {
      if (isFault(e.outcome)) {
        const due = agreedDueDate(
          this.calendar,
          e.decidedOn,
          { dueOn: p.proposed_due_on, workingDays: p.proposed_working_days },
          this.settings.dueWorkingDays,
        );
        await trx
          .updateTable('remedies')
          .set({
            status: 'agreed',
            agreed_at: now,
            due_on: due.dueOn,
            agreed_due_on: due.dueOn,
            due_rule: JSON.stringify(due.rule),
          })
          .where('id', '=', p.id)
          .execute();
        await this.audit(trx, actor, 'remedy.agreed', p.id, p.authority_id);
      } else {
        await trx.updateTable('remedies').set({ status: 'withdrawn', closed_at: now }).where('id', '=', p.id).execute();
        await this.audit(trx, actor, 'remedy.withdrawn', p.id, p.authority_id);
      }
    }
  }

  /** The open-work check: a case with agreed remedies not yet complied with stays open. */
  async openWork(trx: Tx, complaintId: string): Promise<string | null> {
    const n = await this.repo.with(trx).countOutstanding(complaintId);
    return n > 0 ? 'Remedies outstanding' : null;
  }

  // Reading ------------------------------------------------------------------------------------------

  private async views(rows: RemedyRow[], actor: Actor): Promise<RemedyView[]> {
    const ids = rows.map((r) => r.id);
    const [evidence, actions] = await Promise.all([this.repo.evidence(ids), this.repo.actions(ids)]);
    const today = this.today();
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
  async forComplaint(actor: Actor, complaintId: string): Promise<RemedyView[]> {
    const complaint = await this.db
      .selectFrom('complaints')
      .select(['id', 'authority_id', 'outcome'])
      .where('id', '=', complaintId)
      .executeTakeFirst();
    if (
      !complaint ||
      !this.mayRead(actor, complaint.authority_id) ||
      (actor.authorityId !== null && !(await this.repo.caseTold(complaint.id)))
    )
      throw notFound('The complaint');
    let rows = await this.repo.forComplaint(complaintId);
    if (actor.authorityId !== null)
      rows = rows.filter((r) => ['agreed', 'complied', 'not-satisfied'].includes(r.status));
    return this.views(rows, actor);
  }

  /** One remedy with its case, evidence and actions. */
  async get(actor: Actor, id: string) {
    const row = await this.repo.find(id);
    if (!row || !this.mayRead(actor, row.authority_id)) throw notFound('The remedy');
    if (actor.authorityId !== null && !['agreed', 'complied', 'not-satisfied'].includes(row.status))
      throw notFound('The remedy');
    const [view] = await this.views([row], actor);
    if (!view) throw notFound('The remedy');
    return {
      ...view,
      reference: row.reference,
      authorityName: row.authority_name,
      complaintStatus: row.complaint_status,
    };
  }

  /** An authority's agreed remedies for the portal, those still to do first. */
  async forAuthority(actor: Actor, authorityId: string, limit = 200) {
    if (!this.mayRead(actor, authorityId)) throw notFound('The authority');
    const rows = await this.repo.forAuthority(authorityId, limit);
    const today = this.today();
    return rows.map((r) => ({
      id: r.id,
      complaintId: r.complaint_id,
      reference: r.reference,
      typeName: REMEDY_TYPE_NAMES[r.type],
      description: r.description,
      status: r.status,
      statusName: REMEDY_STATUS_NAMES[r.status],
      dueOn: r.due_on,
      late: isLate(r.status, r.due_on, today),
    }));
  }

  /** Staff work lists: evidence waiting for review, remedies escalated, remedies late. */
  async workList(actor: Actor, limit = 100) {
    this.staff(actor, 'remedies:read');
    const [awaitingReview, escalated, late] = await Promise.all([
      this.repo.awaitingReview(limit),
      this.repo.escalated(limit),
      this.repo.late(this.today(), limit),
    ]);
    const name = (t: RemedyRow['type']) => REMEDY_TYPE_NAMES[t];
    return {
      awaitingReview: awaitingReview.map((r) => ({ ...r, typeName: name(r.type) })),
      escalated: escalated.map((r) => ({ ...r, typeName: name(r.type) })),
      late: late.map((r) => ({ ...r, typeName: name(r.type) })),
    };
  }

  /**
   * An authority's compliance rate and on-time rate over the year to `to` (default today): the
   * remedies that fell due in it or were complied with in it, computed from the records.
   */
  async rates(
    actor: Actor,
    authorityId: string,
    to?: IsoDate,
  ): Promise<ComplianceRates & { from: IsoDate; to: IsoDate }> {
    if (!this.mayRead(actor, authorityId)) throw notFound('The authority');
    const end = to ?? this.today();
    const from = addDays(`${String(Number(end.slice(0, 4)) - 1)}${end.slice(4)}`, 1);
    const counts = await this.repo.counts(authorityId, from, end);
    return { ...complianceRates(counts), from, to: end };
  }

  async openDocument(actor: Actor, remedyId: string, documentId: string): Promise<OpenedDocument> {
    const remedy = await this.get(actor, remedyId);
    if (!remedy.evidence.some((e) => e.documentId === documentId)) throw notFound('The document');
    return this.documents.open(actor, documentId);
  }

  // Evidence -----------------------------------------------------------------------------------------

  /**
   * The authority's evidence of compliance, by its own users or tokens only: a description and
   * optionally a document, marked late when it arrives after the due date. One piece waits for
   * review at a time; staff are not told here but see it in their work list.
   */
  async submitEvidence(actor: Actor, remedyId: string, input: EvidenceInput): Promise<{ id: string; late: boolean }> {
    if (actor.authorityId === null || !can(actor, 'remedies:portal'))
      throw forbidden('Only the authority sends evidence of compliance');
    const found = await this.repo.find(remedyId);
    if (!found || found.authority_id !== actor.authorityId)
      throw notFound('The remedy (evidence is taken only for your own authority’s remedies)');
    const description = input.description.trim();
    if (description.length === 0)
      throw invalid([{ field: 'description', message: 'Describe what was done and how the evidence shows it' }]);
    return this.db.transaction().execute(async (trx) => {
      const remedy = await this.repo.with(trx).lock(remedyId);
      if (!remedy) throw notFound('The remedy');
      if (remedy.status === 'complied') throw conflict(DONE);
      if (remedy.status === 'not-satisfied') throw conflict(CLOSED);
      if (remedy.status !== 'agreed' || remedy.due_on === null) throw conflict(NOT_AGREED);
      if (await this.repo.with(trx).waitingEvidence(remedyId))
        throw conflict('Evidence for this remedy is already waiting for review: wait for the decision on it');
      const now = this.clock.now();
      const today = this.calendar.londonDate(now);
      const document = input.file
        ? await this.files.store(trx, input.file.content, {
            filename: input.file.filename,
            complaintId: remedy.complaint_id,
            authorityId: remedy.authority_id,
            uploadedBy: actor,
            description: 'Evidence of compliance with a remedy',
            field: input.file.field ?? 'file',
          })
        : null;
      const late = evidenceLate(today, remedy.due_on);
      const row = await trx
        .insertInto('remedy_evidence')
        .values({
          remedy_id: remedy.id,
          complaint_id: remedy.complaint_id,
          authority_id: remedy.authority_id,
          description,
          document_id: document?.id ?? null,
          submitted_by: actor.type === 'user' ? actor.id : null,
          submitted_by_token: actor.type === 'token' ? actor.id : null,
          submitted_at: now,
          submitted_on: today,
          late,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.audit(trx, actor, 'remedy.evidence-submitted', remedy.id, remedy.authority_id);
      return { id: row.id, late };
    });
  }

  /**
   * A team coordinator's review of evidence: accepted (the remedy is complied with, on time when the
   * evidence arrived by the due date; the case closes when nothing else is outstanding) or returned
   * with reasons. The authority's link officers are told either way.
   */
  async reviewEvidence(
    actor: Actor,
    remedyId: string,
    evidenceId: string,
    input: ReviewInput,
  ): Promise<{ remedyStatus: RemedyStatus; evidenceStatus: 'accepted' | 'returned'; caseClosed: boolean }> {
    this.staff(actor, 'remedies:review');
    if (input.decision === 'return' && input.reason.trim() === '')
      throw invalid([{ field: 'reason', message: 'Give the reasons the evidence is returned' }]);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const remedy = await repo.lock(remedyId);
      if (!remedy) throw notFound('The remedy');
      const evidence = await repo.lockEvidence(evidenceId);
      if (!evidence || evidence.remedy_id !== remedyId) throw notFound('The evidence');
      if (evidence.status !== 'submitted') throw conflict(`This evidence has already been ${evidence.status}`);
      if (remedy.status !== 'agreed' || remedy.due_on === null)
        throw conflict(remedy.status === 'complied' ? DONE : CLOSED);
      const now = this.clock.now();
      const reference = await this.reference(trx, remedy.complaint_id);
      const what = `${REMEDY_TYPE_NAMES[remedy.type]}: ${remedy.description}`;
      if (input.decision === 'return') {
        const reason = input.reason.trim();
        await trx
          .updateTable('remedy_evidence')
          .set({
            status: 'returned',
            reviewed_by: actor.type === 'user' ? actor.id : null,
            reviewed_at: now,
            review_reason: reason,
          })
          .where('id', '=', evidenceId)
          .execute();
        await this.audit(trx, actor, 'remedy.evidence-returned', remedy.id, remedy.authority_id);
        await this.correspondence.write(trx, {
          complaintId: remedy.complaint_id,
          kind: 'message',
          addressees: ['link-officers'],
          subject: `Evidence of compliance returned: complaint ${reference}`,
          text: [
            `We have looked at the evidence sent for this remedy on complaint ${reference}:`,
            what,
            '',
            'It does not yet show the remedy has been carried out, for these reasons:',
            reason,
            '',
            `The remedy was due on ${dayName(remedy.due_on)}. Please send further evidence in the authority portal: ${this.settings.baseUrl}/portal/remedies/${remedy.id}`,
          ].join('\n'),
          actor,
        });
        return { remedyStatus: 'agreed', evidenceStatus: 'returned', caseClosed: false };
      }
      const onTime = !evidenceLate(evidence.submitted_on, remedy.due_on);
      await trx
        .updateTable('remedy_evidence')
        .set({ status: 'accepted', reviewed_by: actor.type === 'user' ? actor.id : null, reviewed_at: now })
        .where('id', '=', evidenceId)
        .execute();
      await trx
        .updateTable('remedies')
        .set({
          status: 'complied',
          complied_at: now,
          complied_on: evidence.submitted_on,
          complied_on_time: onTime,
          escalated_at: null,
          closed_at: now,
        })
        .where('id', '=', remedy.id)
        .execute();
      await this.audit(trx, actor, 'remedy.evidence-accepted', remedy.id, remedy.authority_id);
      await this.correspondence.write(trx, {
        complaintId: remedy.complaint_id,
        kind: 'message',
        addressees: ['link-officers'],
        subject: `Remedy complied with: complaint ${reference}`,
        text: [
          `Thank you. We have accepted the evidence that this remedy on complaint ${reference} has been carried out:`,
          what,
          '',
          onTime
            ? 'It was carried out by the due date.'
            : `It was due on ${dayName(remedy.due_on)} and is recorded as late.`,
        ].join('\n'),
        actor,
      });
      const caseClosed =
        (await repo.countOutstanding(remedy.complaint_id)) === 0
          ? await this.closer.closeIfComplete(trx, actor, remedy.complaint_id)
          : false;
      return { remedyStatus: 'complied', evidenceStatus: 'accepted', caseClosed };
    });
  }

  private async reference(trx: Tx, complaintId: string): Promise<string> {
    const row = await trx
      .selectFrom('complaints')
      .select('reference')
      .where('id', '=', complaintId)
      .executeTakeFirstOrThrow();
    return row.reference;
  }

  // Escalation -----------------------------------------------------------------------------------------

  /**
   * A casework manager's action on a remedy not complied with, recorded with a note: writing to the
   * chief executive (the letter goes out), more time (exceptional: a reason and a later date),
   * a case conference, considering a public report, or the outcome "not complete and not
   * satisfied", which closes the remedy and opens a new case linked to this one.
   */
  async takeAction(actor: Actor, remedyId: string, input: ActionInput): Promise<{ linkedComplaintId: string | null }> {
    this.staff(actor, 'remedies:escalate');
    const note = input.note.trim();
    const problems = [];
    if (note.length === 0)
      problems.push({
        field: 'note',
        message:
          input.action === 'more-time' ? 'Give the exceptional reason for more time' : 'Enter a note of what was done',
      });
    if (input.action === 'more-time' && !input.newDueOn)
      problems.push({ field: 'newDueOn', message: 'Enter the new due date' });
    if (problems.length > 0) throw invalid(problems);
    return this.db.transaction().execute(async (trx) => {
      const remedy = await this.repo.with(trx).lock(remedyId);
      if (!remedy) throw notFound('The remedy');
      if (remedy.status !== 'agreed' || remedy.due_on === null)
        throw conflict(remedy.status === 'complied' ? DONE : remedy.status === 'not-satisfied' ? CLOSED : NOT_AGREED);
      const now = this.clock.now();
      const today = this.calendar.londonDate(now);
      const reference = await this.reference(trx, remedy.complaint_id);
      let linked: string | null = null;
      let newDue: string | null = null;
      switch (input.action) {
        case 'more-time': {
          newDue = input.newDueOn ?? null;
          if (newDue === null || newDue <= today || newDue <= remedy.due_on)
            throw invalid([
              { field: 'newDueOn', message: 'The new due date must be after today and after the current due date' },
            ]);
          if (!this.calendar.isWorkingDay(newDue))
            throw invalid([{ field: 'newDueOn', message: 'The new due date must be a working day' }]);
          await trx
            .updateTable('remedies')
            .set({
              due_on: newDue,
              escalated_at: null,
              due_rule: JSON.stringify({
                ruleId: 'more-time',
                startDate: remedy.due_on,
                workingDays: this.calendar.workingDaysBetween(remedy.due_on, newDue),
                holidaySet: 'england-and-wales',
                closures: [...this.calendar.closures],
              }),
            })
            .where('id', '=', remedy.id)
            .execute();
          await this.correspondence.write(trx, {
            complaintId: remedy.complaint_id,
            kind: 'message',
            addressees: ['link-officers'],
            subject: `More time agreed for a remedy: complaint ${reference}`,
            text: `Exceptionally, we have agreed more time for this remedy on complaint ${reference}:\n${REMEDY_TYPE_NAMES[remedy.type]}: ${remedy.description}\n\nIt is now due on ${dayName(newDue)}.`,
            actor,
          });
          break;
        }
        case 'wrote-to-chief-executive':
          await this.correspondence.write(trx, {
            complaintId: remedy.complaint_id,
            kind: 'message',
            addressees: ['chief-executive'],
            letter: true,
            subject: `Remedy not complied with: complaint ${reference}`,
            text: [
              `The council agreed to carry out this remedy on complaint ${reference} by ${dayName(remedy.due_on)}:`,
              `${REMEDY_TYPE_NAMES[remedy.type]}: ${remedy.description}`,
              '',
              'We have not received evidence that it has been done.',
              '',
              note,
            ].join('\n'),
            actor,
          });
          break;
        case 'not-satisfied': {
          linked = await this.complaints.openLinkedCase(
            trx,
            actor,
            remedy.complaint_id,
            `Remedy not complete and not satisfied on complaint ${reference}`,
          );
          await trx
            .updateTable('remedies')
            .set({ status: 'not-satisfied', closed_at: now, escalated_at: null, linked_complaint_id: linked })
            .where('id', '=', remedy.id)
            .execute();
          break;
        }
        case 'case-conference':
        case 'consider-public-report':
          break;
      }
      await trx
        .insertInto('remedy_actions')
        .values({
          remedy_id: remedy.id,
          complaint_id: remedy.complaint_id,
          authority_id: remedy.authority_id,
          action: input.action,
          note,
          previous_due_on: input.action === 'more-time' ? remedy.due_on : null,
          new_due_on: newDue,
          linked_complaint_id: linked,
          taken_by: actor.type === 'user' ? actor.id : null,
          taken_at: now,
        })
        .execute();
      await this.audit(trx, actor, `remedy.action-${input.action}`, remedy.id, remedy.authority_id);
      if (input.action === 'not-satisfied' && (await this.repo.with(trx).countOutstanding(remedy.complaint_id)) === 0)
        await this.closer.closeIfComplete(trx, actor, remedy.complaint_id);
      return { linkedComplaintId: linked };
    });
  }

  // Timeline -----------------------------------------------------------------------------------------

  /** A case's remedies, evidence and managers' actions as timeline events. */
  async timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    const rows = (await this.repo.forComplaint(complaintId)).filter((r) => r.status !== 'superseded');
    const ids = rows.map((r) => r.id);
    const [evidence, actions] = await Promise.all([this.repo.evidence(ids), this.repo.actions(ids)]);
    const today = this.today();
    const events: TimelineEvent[] = [];
    const href = `/staff/complaints/${complaintId}/remedies`;
    for (const r of rows) {
      const what = `${REMEDY_TYPE_NAMES[r.type]}${r.amount_pence ? ` (${pounds(r.amount_pence)})` : ''}: ${r.description}`;
      if (r.agreed_at && r.due_on) {
        events.push({
          at: r.agreed_at,
          kind: 'remedy',
          label: `Remedy agreed, due ${dayName(r.agreed_due_on ?? r.due_on)}`,
          text: what,
          actorRole: 'Ombudsman',
          href,
          authorityVisible: true,
        });
        const lateSince =
          r.due_on < today && (r.status === 'agreed' || (r.complied_on !== null && r.complied_on > r.due_on));
        if (lateSince) {
          events.push({
            at: new Date(`${addDays(r.due_on, 1)}T00:00:00Z`),
            kind: 'remedy',
            label: 'Remedy late: past its due date without accepted evidence',
            text: what,
            href,
            authorityVisible: true,
          });
        }
      } else if (r.status === 'withdrawn' && r.closed_at) {
        events.push({
          at: r.closed_at,
          kind: 'remedy',
          label: 'Proposed remedy withdrawn: no fault found',
          text: what,
          href,
          authorityVisible: true,
        });
      }
      if (r.escalated_at)
        events.push({
          at: r.escalated_at,
          kind: 'remedy',
          label: 'Remedy escalated to a casework manager',
          text: what,
          href,
          authorityVisible: false,
        });
    }
    for (const e of evidence) {
      const docs = e.document_id && e.document_filename ? [{ id: e.document_id, filename: e.document_filename }] : [];
      events.push({
        at: e.submitted_at,
        kind: 'evidence',
        label: `Evidence of compliance sent${e.late ? ' late' : ''}`,
        text: e.description,
        actorRole: e.submitted_by_token ? 'Authority (API)' : ROLE_NAMES['link-officer'],
        by: e.submitted_by_name,
        actor: { userId: e.submitted_by, acting: ['remedies:portal'] },
        documents: docs,
        href,
        authorityVisible: true,
      });
      if (e.reviewed_at && e.status !== 'submitted') {
        events.push({
          at: e.reviewed_at,
          kind: 'evidence',
          label: e.status === 'accepted' ? 'Evidence accepted: remedy complied with' : 'Evidence returned',
          text: e.review_reason,
          actorRole: ROLE_NAMES['team-coordinator'],
          by: e.reviewed_by_name,
          actor: { userId: e.reviewed_by, acting: ['remedies:review'] },
          href,
          authorityVisible: true,
        });
      }
    }
    for (const a of actions) {
      events.push({
        at: a.taken_at,
        kind: 'remedy',
        label: MANAGER_ACTION_NAMES[a.action] + (a.new_due_on ? `: now due ${dayName(a.new_due_on)}` : ''),
        text:
          a.action === 'not-satisfied' && a.linked_reference
            ? `${a.note} New case ${a.linked_reference} opened.`
            : a.note,
        actorRole: ROLE_NAMES['casework-manager'],
        by: a.taken_by_name,
        actor: { userId: a.taken_by, acting: ['remedies:escalate'] },
        href,
        authorityVisible: a.action === 'more-time' || a.action === 'wrote-to-chief-executive',
      });
    }
    return events;
  }

  // The sweep ------------------------------------------------------------------------------------------

  /**
   * Writes every reminder due now (before the date, then late) as correspondence to the case's
   * link officers, and escalates remedies long past their date to the casework managers' list, each
   * once. Safe to run on several workers at once, and they share the work: the remedies are split
   * into four parts by id (sweepInParts). A part is all or nothing.
   */
  async sweep(): Promise<{ reminders: number; items: number; escalated: number }> {
    const now = this.clock.now();
    const t = sweepThresholds(this.calendar, this.calendar.londonDate(now), this.settings);
    const parts = await sweepInParts(this.db, SWEEP, async (trx, part) => {
      const result = await this.repo.with(trx).sweep(t, now, this.settings.baseUrl, part);
      if (result.items !== result.reminders)
        throw new Error(`The remedy sweep wrote ${result.items} items for ${result.reminders} reminders`);
      return result;
    });
    return sumCounts(parts, { reminders: 0, items: 0, escalated: 0 });
  }

  /**
   * Agreed remedies not yet complied with, for a home page (an authority's, or an investigator's
   * cases), soonest due first, with counts. `actor` null: the system.
   */
  async homePanel(actor: Actor | null, scope: HomeScope, o: { dueBy?: IsoDate | null; limit: number }) {
    if (!mayReadScope(actor, scope)) throw forbidden();
    if (actor && actor.authorityId !== null && !can(actor, 'remedies:portal')) throw forbidden();
    const today = this.today();
    const panel = await this.repo.homePanel(scope, { today, dueBy: o.dueBy ?? null, limit: o.limit });
    return {
      total: panel.total,
      late: panel.late,
      items: panel.rows.map((r) => ({
        id: r.id,
        complaintId: r.complaint_id,
        typeName: REMEDY_TYPE_NAMES[r.type],
        description: r.description,
        reference: r.reference,
        authorityName: r.authority_name,
        dueDate: r.due_on,
        late: r.due_on < today,
        evidenceWaiting: r.evidence_waiting,
      })),
    };
  }

  /** Evidence waiting for a coordinator's check, oldest first, and how much there is, for the staff home. */
  async evidenceToCheck(actor: Actor, limit = 5) {
    this.staff(actor, 'remedies:read');
    const [rows, total] = await Promise.all([this.repo.awaitingReview(limit), this.repo.countAwaitingReview()]);
    return { total, items: rows.map((r) => Object.assign({ typeName: REMEDY_TYPE_NAMES[r.type] }, r)) };
  }

  /** Remedies escalated to a casework manager, for the staff home. */
  async escalatedRemedies(actor: Actor, limit = 5) {
    this.staff(actor, 'remedies:read');
    const rows = await this.repo.escalated(limit);
    return rows.map((r) => Object.assign({ typeName: REMEDY_TYPE_NAMES[r.type] }, r));
  }
}
