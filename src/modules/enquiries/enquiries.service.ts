import type { TimelineEvent } from '../complaints/complaints.service.ts';
import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage } from '../../platform/pagination.ts';
import { z } from 'zod';
import { calendarDate } from '../../platform/input.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import type { AuthoritiesService } from '../authorities/authorities.service.ts';
import type { CorrespondenceRecipient } from '../link-officers/domain.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import type { FilesService, OpenedDocument } from '../../platform/files/files.service.ts';
import type { CaseDocuments } from '../complaints/case-documents.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import {
  ENQUIRY_KIND_NAMES,
  REMINDER_NAMES,
  URGENCY_TAGS,
  cleanQuestions,
  deadlineAfter,
  extendedDeadline,
  onTime,
  onTimeRate,
  showWorking,
  sweepThresholds,
  urgency,
  type DeadlineRule,
  type DelegateSubmission,
  type EnquiryKind,
  type EnquirySettings,
  type ExtensionChoice,
} from './domain.ts';
import { allocationMail, enquiryMail, extensionDecisionMail } from './enquiries.mail.ts';
import { EnquiriesRepository, type EnquiryRow } from './enquiries.repository.ts';
import { sumCounts, sweepInParts } from '../../platform/db/sweep-parts.ts';
import { formatDate } from '../../platform/dates.ts';
import { mayReadScope, type HomeScope } from '../home/scope.ts';

export interface EnquiriesServiceSettings extends EnquirySettings {
  baseUrl: string;
}

export interface SendEnquiryInput {
  kind: EnquiryKind;
  questions: string[];
  documentsRequested?: string | null | undefined;
  statementOfComplaint?: string | null | undefined;
  dueInWorkingDays?: number | null | undefined;
}

export interface SentEnquiry {
  id: string;
  sentAt: Date;
  dueDate: IsoDate;
  addressedTo: { name: string; jobTitle: string | null };
  recipients: { email: string; as: CorrespondenceRecipient['as'] }[];
}

export interface AnswerInput {
  questionId: string;
  answer: string;
}

/** The reminder sweep: four parts, so that workers running it at once share it (sweepInParts). */
const SWEEP = { lockClass: 7_240_332, parts: 4 };
const INBOX_PAGE = 50;
const inboxCursor = z.tuple([calendarDate(), z.uuid()]);

const CLOSED = 'This enquiry is closed: it no longer takes responses or requests';
const RESPONDED = 'The response to this enquiry has already been sent to the ombudsman';

/**
 * Enquiries to authorities: sending them from a template to the chief executive via the link
 * officers, deadlines with their working, extensions, answers (by link officers and their
 * delegates), the response, reminders and escalation.
 */
export class EnquiriesService {
  private readonly repo: EnquiriesRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly authorities: AuthoritiesService,
    private readonly linkOfficers: LinkOfficersService,
    private readonly files: FilesService,
    private readonly documents: CaseDocuments,
    private readonly correspondence: CorrespondenceService,
    private readonly settings: EnquiriesServiceSettings,
  ) {
    this.repo = new EnquiriesRepository(db);
  }

  private today(): IsoDate {
    return this.calendar.londonDate(this.clock.now());
  }

  private audit(trx: Tx, actor: Actor, action: string, recordId: string, authorityId: string) {
    return writeAudit(trx, {
      actor: auditActor(actor),
      action,
      recordType: 'enquiry',
      recordId,
      authorityId,
      requestId: actor.requestId ?? null,
    });
  }

  private staffOnly(actor: Actor, permission: 'enquiries:read' | 'enquiries:send'): void {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  // Sending ----------------------------------------------------------------------------------------

  /** What the compose page needs: the case, the addressee, whether this is the first enquiry. */
  async composeContext(actor: Actor, complaintId: string) {
    this.staffOnly(actor, 'enquiries:send');
    const complaint = await this.repo.findComplaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    const authority = await this.authorities.findAuthority(complaint.authority_id);
    const first = (await this.repo.nextNumber(complaintId)) === 1;
    return {
      complaint: {
        id: complaint.id,
        reference: complaint.reference,
        status: complaint.status,
        summary: complaint.summary,
        authorityName: complaint.authority_name,
      },
      inInvestigation: complaint.status === 'investigation',
      first,
      chiefExecutive: authority?.chiefExecutive ?? null,
      defaults: this.settings.dueWorkingDays,
    };
  }

  /**
   * Sends an enquiry on a complaint under investigation: addressed to the authority's chief
   * executive, delivered to whoever takes its correspondence today, due a number of working days
   * after today (the kind's default unless chosen). The first enquiry carries the statement of complaint.
   */
  async send(actor: Actor, complaintId: string, input: SendEnquiryInput): Promise<SentEnquiry> {
    this.staffOnly(actor, 'enquiries:send');
    const complaint = await this.repo.findComplaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    const questions = cleanQuestions(input.questions);
    const problems = [];
    if (questions.length === 0) problems.push({ field: 'questions', message: 'Enter at least one question' });
    const days = input.dueInWorkingDays ?? this.settings.dueWorkingDays[input.kind];
    if (!Number.isInteger(days) || days < 1 || days > 260)
      problems.push({ field: 'dueInWorkingDays', message: 'Enter a number of working days from 1 to 260' });
    if (problems.length > 0) throw invalid(problems);

    const authority = await this.authorities.findAuthority(complaint.authority_id);
    const ce = authority?.chiefExecutive;
    if (!authority || !ce) {
      throw conflict('The authority has no chief executive recorded: add one to the authority before sending');
    }
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    // Resolved before the transaction: the link officers' service reads through its own handle.
    const recipients = await this.linkOfficers.correspondenceRecipients(complaint.authority_id, today);
    if (recipients.length === 0) throw conflict('The authority has nowhere to send correspondence');
    const deadline = deadlineAfter(this.calendar, today, days, input.dueInWorkingDays == null ? 'default' : 'chosen');
    const addressedTo = [ce.title, ce.name].filter((p) => p && p.trim() !== '').join(' ');

    const id = await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const locked = await repo.lockComplaint(complaintId);
      if (!locked) throw notFound('The complaint');
      if (locked.status !== 'investigation') {
        throw conflict('Enquiries can only be sent while the complaint is under investigation');
      }
      const number = await repo.nextNumber(complaintId);
      const statement =
        number === 1
          ? input.statementOfComplaint?.trim() || complaint.summary
          : input.statementOfComplaint?.trim() || null;
      const enquiryId = await repo.insertEnquiry({
        complaint_id: complaintId,
        authority_id: complaint.authority_id,
        kind: input.kind,
        number,
        statement_of_complaint: statement,
        documents_requested: input.documentsRequested?.trim() || null,
        addressed_to_name: addressedTo,
        addressed_to_job_title: ce.jobTitle,
        sent_by: actor.type === 'user' ? actor.id : null,
        sent_at: now,
        sent_on: today,
        due_on: deadline.dueDate,
        due_working_days: days,
        due_rule: JSON.stringify(deadline.rule),
      });
      await repo.insertQuestions(
        questions.map((text, i) => ({
          enquiry_id: enquiryId,
          authority_id: complaint.authority_id,
          position: i + 1,
          text,
        })),
      );
      await repo.insertRecipients(
        recipients.map((r, i) => ({
          enquiry_id: enquiryId,
          authority_id: complaint.authority_id,
          position: i + 1,
          email: r.email,
          recipient_as: r.as,
          link_officer_id: r.linkOfficerId ?? null,
        })),
      );
      await repo.insertDueDate({
        enquiry_id: enquiryId,
        authority_id: complaint.authority_id,
        due_on: deadline.dueDate,
        rule: JSON.stringify(deadline.rule),
        reason: 'sent',
        set_by: actor.type === 'user' ? actor.id : null,
        set_at: now,
      });
      await this.deliverEnquiry(trx, actor, complaintId, {
        enquiryId,
        number,
        complaintReference: complaint.reference,
        authorityName: complaint.authority_name,
        addressedTo,
        statementOfComplaint: statement,
        questions,
        documentsRequested: input.documentsRequested?.trim() || null,
        dueDate: deadline.dueDate,
      });
      await this.audit(trx, actor, 'enquiry.sent', enquiryId, complaint.authority_id);
      return enquiryId;
    });
    return {
      id,
      sentAt: now,
      dueDate: deadline.dueDate,
      addressedTo: { name: addressedTo, jobTitle: ce.jobTitle },
      recipients: recipients.map((r) => ({ email: r.email, as: r.as })),
    };
  }

  /**
   * Writes an enquiry as correspondence on the case: a letter to the chief executive, delivered to
   * whoever takes the authority's correspondence when it goes. The one place an enquiry goes out.
   */
  private async deliverEnquiry(
    trx: Tx,
    actor: Actor | null,
    complaintId: string,
    letter: Omit<Parameters<typeof enquiryMail>[0], 'link'>,
  ): Promise<void> {
    const written = enquiryMail({ ...letter, link: `${this.settings.baseUrl}/portal/enquiries/${letter.enquiryId}` });
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'enquiry',
      addressees: ['link-officers'],
      letter: true,
      actor,
      ...written,
    });
  }

  /**
   * The notification letter when a complaint is allocated for investigation: the authority may
   * comment. Sent once per complaint (a second call does nothing). Call it after the complaint's
   * change has committed, or enqueue the `enquiries.notify-allocation` job in that transaction.
   */
  async notifyAllocation(complaintId: string): Promise<boolean> {
    const complaint = await this.repo.findComplaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    if (await this.repo.allocationNotice(complaintId)) return false;
    const authority = await this.authorities.findAuthority(complaint.authority_id);
    const ce = authority?.chiefExecutive;
    const addressedTo = ce ? [ce.title, ce.name].filter((p) => p && p.trim() !== '').join(' ') : 'Chief Executive';
    const recipients = await this.linkOfficers.correspondenceRecipients(complaint.authority_id, this.today());
    return this.db.transaction().execute(async (trx) => {
      const notice = await trx
        .insertInto('allocation_notices')
        .values({
          complaint_id: complaintId,
          authority_id: complaint.authority_id,
          addressed_to_name: addressedTo,
          sent_at: this.clock.now(),
        })
        .onConflict((oc) => oc.column('complaint_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!notice) return false;
      await this.repo.with(trx).insertRecipients(
        recipients.map((r, i) => ({
          notice_id: notice.id,
          authority_id: complaint.authority_id,
          position: i + 1,
          email: r.email,
          recipient_as: r.as,
          link_officer_id: r.linkOfficerId ?? null,
        })),
      );
      await this.deliverAllocationNotice(trx, complaintId, {
        complaintReference: complaint.reference,
        authorityName: complaint.authority_name,
        addressedTo,
        summary: complaint.summary,
      });
      await writeAudit(trx, {
        actor: { type: 'system', id: null },
        action: 'complaint.allocation-notice-sent',
        recordType: 'complaint',
        recordId: complaintId,
        authorityId: complaint.authority_id,
      });
      return true;
    });
  }

  /** Writes the allocation notice as a letter on the case, to the chief executive via the link officers. The one place it goes out. */
  private async deliverAllocationNotice(
    trx: Tx,
    complaintId: string,
    letter: Parameters<typeof allocationMail>[0],
  ): Promise<void> {
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'message',
      addressees: ['link-officers'],
      letter: true,
      actor: null,
      ...allocationMail(letter),
    });
  }

  // Reading ----------------------------------------------------------------------------------------

  /**
   * Who may see an enquiry: staff with read access; the authority's link officers and tokens; a
   * delegate only when given the enquiry or one of its questions. Anyone else: not found.
   */
  private async visible(actor: Actor, row: EnquiryRow | undefined) {
    if (!row) throw notFound('The enquiry');
    if (actor.authorityId === null) {
      if (!can(actor, 'enquiries:read')) throw forbidden();
      return { scope: 'staff' as const, questionIds: null };
    }
    if (actor.authorityId !== row.authority_id) throw notFound('The enquiry');
    if (actor.roles.includes('link-officer')) return { scope: 'link-officer' as const, questionIds: null };
    if (actor.roles.includes('delegate') && actor.type === 'user') {
      const given = await this.repo.delegationsFor(row.id, actor.id);
      if (given.length === 0) throw notFound('The enquiry');
      const whole = given.some((d) => d.question_id === null);
      return {
        scope: 'delegate' as const,
        questionIds: whole ? null : new Set(given.map((d) => d.question_id).filter((q): q is string => q !== null)),
        whole,
      };
    }
    throw notFound('The enquiry');
  }

  /** An enquiry as its page shows it, trimmed to what the actor may see. */
  async get(actor: Actor, id: string) {
    const row = await this.repo.findEnquiry(id);
    const access = await this.visible(actor, row);
    if (!row) throw notFound('The enquiry');
    const [questions, recipients, dueDates, extensions, reminders, delegations, submission] = await Promise.all([
      this.repo.questions(id),
      this.repo.recipients(id),
      this.repo.dueDates(id),
      this.repo.extensionRequests(id),
      this.repo.reminders(id),
      access.scope === 'delegate' ? Promise.resolve([]) : this.repo.delegations(id),
      this.repo.delegateSubmission(row.authority_id),
    ]);
    const documents = await this.repo.answerDocuments(id);
    const rule = row.due_rule as unknown as DeadlineRule;
    const today = this.today();
    const soonBy = this.calendar.addWorkingDays(today, this.settings.reminderWorkingDays).date;
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
      working: showWorking(this.calendar, rule),
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
        rule: d.rule as unknown as DeadlineRule,
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

  /** The portal inbox: open enquiries, soonest due first (a delegate's: only those given to them). */
  async inbox(actor: Actor, cursor?: string) {
    if (actor.authorityId === null) throw forbidden();
    const delegateOnly = !actor.roles.includes('link-officer');
    if (delegateOnly && !actor.roles.includes('delegate')) throw forbidden();
    const today = this.today();
    const soonBy = this.calendar.addWorkingDays(today, this.settings.reminderWorkingDays).date;
    const after = cursor ? decodeCursor(cursor, inboxCursor) : null;
    const who = delegateOnly ? actor.id : null;
    const { rows, total, notices } = await this.repo.inboxPage(
      actor.authorityId,
      who,
      INBOX_PAGE + 1,
      after,
      delegateOnly || after ? 0 : 10,
    );
    const page = toPage(rows, INBOX_PAGE, (r) => [r.due_on, r.id]);
    return {
      today,
      total,
      nextCursor: page.nextCursor,
      items: page.items.map((r) => ({
        id: r.id,
        number: r.number,
        kindName: ENQUIRY_KIND_NAMES[r.kind],
        complaintReference: r.complaint_reference,
        sentAt: r.sent_at,
        dueDate: r.due_on,
        questions: r.questions,
        ready: r.ready,
        tag: URGENCY_TAGS[urgency(r.due_on, today, soonBy)],
      })),
      notices: notices.map((n) => ({
        name: REMINDER_NAMES[n.kind],
        enquiryId: n.enquiry_id,
        number: n.number,
        reference: n.reference,
        dueDate: n.due_on,
        sentAt: n.sent_at,
      })),
    };
  }

  /** A complaint's enquiries and its allocation notice, for the case page. */
  async forComplaint(actor: Actor, complaintId: string) {
    this.staffOnly(actor, 'enquiries:read');
    const [rows, notice] = await Promise.all([
      this.repo.forComplaint(complaintId),
      this.repo.allocationNotice(complaintId),
    ]);
    return { enquiries: rows, allocationNotice: notice ?? null };
  }

  /** A complaint's enquiries and their responses as case timeline events. */
  async timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    const [rows, notice] = await Promise.all([
      this.repo.forComplaint(complaintId),
      this.repo.allocationNotice(complaintId),
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

  /** How many of an authority's enquiries are past their due date without a response. */
  async countOverdueForAuthority(actor: Actor, authorityId: string): Promise<number> {
    this.staffOnly(actor, 'enquiries:read');
    return this.repo.countOverdueForAuthority(authorityId, this.today());
  }

  /** Overdue open enquiries for the staff dashboard. */
  async overdue(actor: Actor, limit = 10) {
    this.staffOnly(actor, 'enquiries:read');
    const today = this.today();
    const [items, total] = await Promise.all([this.repo.overdue(today, limit), this.repo.countOverdue(today)]);
    return {
      total,
      items: items.map((r) => ({
        id: r.id,
        number: r.number,
        reference: r.reference,
        authorityName: r.authority_name,
        dueDate: r.due_on,
        workingDaysOverdue: this.calendar.workingDaysBetween(r.due_on, today),
      })),
    };
  }

  // Home pages -------------------------------------------------------------------------------------

  /**
   * Open enquiries for a home page (an authority's, or an investigator's cases), soonest due first, with
   * counts. `actor` null: the system (the weekly email).
   */
  async homePanel(actor: Actor | null, scope: HomeScope, o: { dueBy?: IsoDate | null; limit: number }) {
    if (!mayReadScope(actor, scope)) throw forbidden();
    if (actor && actor.authorityId !== null && !actor.roles.includes('link-officer')) throw forbidden();
    const today = this.today();
    const soonBy = this.calendar.addWorkingDays(today, this.settings.reminderWorkingDays).date;
    const panel = await this.repo.homePanel(scope, { today, soonBy, dueBy: o.dueBy ?? null, limit: o.limit });
    return {
      total: panel.total,
      overdue: panel.overdue,
      soon: panel.soon,
      items: panel.rows.map((r) => ({
        id: r.id,
        number: r.number,
        kindName: ENQUIRY_KIND_NAMES[r.kind],
        reference: r.reference,
        authorityName: r.authority_name,
        dueDate: r.due_on,
        tag: URGENCY_TAGS[urgency(r.due_on, today, soonBy)],
      })),
    };
  }

  /**
   * Delegated tasks still open at an authority, soonest due first (a delegate's: only their own), with
   * how many are out and how many late. `actor` null: the system.
   */
  async delegatedTasks(actor: Actor | null, authorityId: string, o: { dueBy?: IsoDate | null; limit: number }) {
    if (!mayReadScope(actor, { authorityId })) throw forbidden();
    let delegateUserId: string | null = null;
    if (actor && !actor.roles.includes('link-officer')) {
      if (!actor.roles.includes('delegate') || actor.type !== 'user') throw forbidden();
      delegateUserId = actor.id;
    }
    const today = this.today();
    const panel = await this.repo.delegationPanel(authorityId, {
      today,
      dueBy: o.dueBy ?? null,
      limit: o.limit,
      delegateUserId,
    });
    return {
      total: panel.total,
      late: panel.late,
      items: panel.rows.map((r) => ({
        id: r.id,
        enquiryId: r.enquiry_id,
        number: r.number,
        reference: r.reference,
        delegateName: r.delegate_name,
        question: r.question_position,
        dueDate: r.due_on,
        late: r.due_on < today,
      })),
    };
  }

  /**
   * An authority's on-time rate for enquiry responses since `from` (the start of its year): responses
   * answered by their deadline out of responses due (see the repository for what counts).
   */
  async onTimeSince(actor: Actor | null, authorityId: string, from: IsoDate) {
    if (!mayReadScope(actor, { authorityId })) throw forbidden();
    const today = this.today();
    const figures = await this.repo.onTimeFigures(authorityId, from, today);
    return { from, to: today, due: figures.due, onTime: figures.onTime, rate: onTimeRate(figures.due, figures.onTime) };
  }

  /** Extension requests waiting for a decision, for the staff home. */
  async pendingExtensions(actor: Actor, limit = 5) {
    this.staffOnly(actor, 'enquiries:read');
    return this.repo.pendingExtensions(limit);
  }

  // Extensions -------------------------------------------------------------------------------------

  /** The authority asks for more time, with its reason. One undecided request at a time. */
  async requestExtension(actor: Actor, enquiryId: string, reason: string): Promise<string> {
    const trimmed = reason.trim();
    if (trimmed === '') throw invalid([{ field: 'reason', message: 'Enter why the authority needs more time' }]);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.lockEnquiry(enquiryId);
      if (!row || actor.authorityId === null || actor.authorityId !== row.authority_id) throw notFound('The enquiry');
      if (!actor.roles.includes('link-officer')) throw forbidden('Only a link officer can ask for more time');
      if (row.status === 'closed') throw conflict(CLOSED);
      if (row.status === 'responded') throw conflict(RESPONDED);
      const pending = await trx
        .selectFrom('enquiry_extension_requests')
        .select('id')
        .where('enquiry_id', '=', enquiryId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (pending) throw conflict('The authority has already asked for more time: wait for the ombudsman’s decision');
      const inserted = await trx
        .insertInto('enquiry_extension_requests')
        .values({
          enquiry_id: enquiryId,
          authority_id: row.authority_id,
          reason: trimmed,
          requested_by: actor.type === 'user' ? actor.id : null,
          requested_by_token: actor.type === 'token' ? actor.id : null,
          requested_at: this.clock.now(),
          previous_due_on: row.due_on,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.audit(trx, actor, 'enquiry.extension-requested', enquiryId, row.authority_id);
      return inserted.id;
    });
  }

  /** The investigator grants (a new date) or refuses (with a reason) a pending request. */
  async decideExtension(
    actor: Actor,
    enquiryId: string,
    requestId: string,
    decision: { grant: true; choice: ExtensionChoice; reason: string } | { grant: false; reason: string },
  ): Promise<void> {
    this.staffOnly(actor, 'enquiries:send');
    const reason = decision.reason.trim();
    if (reason === '') throw invalid([{ field: 'reason', message: 'Enter the reason for the decision' }]);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.lockEnquiry(enquiryId);
      if (!row) throw notFound('The enquiry');
      const request = await trx
        .selectFrom('enquiry_extension_requests')
        .selectAll()
        .where('id', '=', requestId)
        .where('enquiry_id', '=', enquiryId)
        .forUpdate()
        .executeTakeFirst();
      if (!request) throw notFound('The request for more time');
      if (request.status !== 'pending') throw conflict('This request has already been decided');
      const now = this.clock.now();
      let newDue: string | null = null;
      if (decision.grant) {
        if (row.status !== 'open') throw conflict(row.status === 'closed' ? CLOSED : RESPONDED);
        const result = extendedDeadline(this.calendar, row.due_on, decision.choice);
        if (!result.ok) throw invalid([{ field: result.field, message: result.message }]);
        newDue = result.deadline.dueDate;
        await trx
          .updateTable('enquiries')
          .set({ due_on: newDue, due_rule: JSON.stringify(result.deadline.rule) })
          .where('id', '=', enquiryId)
          .execute();
        await repo.insertDueDate({
          enquiry_id: enquiryId,
          authority_id: row.authority_id,
          due_on: newDue,
          rule: JSON.stringify(result.deadline.rule),
          reason: 'extension',
          extension_request_id: requestId,
          set_by: actor.type === 'user' ? actor.id : null,
          set_at: now,
        });
      }
      await trx
        .updateTable('enquiry_extension_requests')
        .set({
          status: decision.grant ? 'granted' : 'refused',
          decided_by: actor.type === 'user' ? actor.id : null,
          decided_at: now,
          decision_reason: reason,
          new_due_on: newDue,
        })
        .where('id', '=', requestId)
        .execute();
      const reference = (await repo.findComplaint(row.complaint_id))?.reference ?? '';
      await this.deliverExtensionDecision(trx, actor, row.complaint_id, {
        number: row.number,
        complaintReference: reference,
        granted: decision.grant,
        newDueDate: newDue,
        reason,
        link: `${this.settings.baseUrl}/portal/enquiries/${enquiryId}`,
      });
      await this.audit(
        trx,
        actor,
        decision.grant ? 'enquiry.extension-granted' : 'enquiry.extension-refused',
        enquiryId,
        row.authority_id,
      );
    });
  }

  /** Tells the authority's link officers of a decision on more time, as correspondence on the case. The one place it goes out. */
  private async deliverExtensionDecision(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    letter: Parameters<typeof extensionDecisionMail>[0],
  ): Promise<void> {
    await this.correspondence.write(trx, {
      complaintId,
      kind: 'message',
      addressees: ['link-officers'],
      actor,
      ...extensionDecisionMail(letter),
    });
  }

  /** Staff close an enquiry that no longer needs an answer (the case moved on). */
  async close(actor: Actor, enquiryId: string, reason: string): Promise<void> {
    this.staffOnly(actor, 'enquiries:send');
    if (reason.trim() === '')
      throw invalid([{ field: 'closeReason', message: 'Enter why the enquiry is being closed' }]);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.with(trx).lockEnquiry(enquiryId);
      if (!row) throw notFound('The enquiry');
      if (row.status !== 'open') throw conflict('Only an open enquiry can be closed');
      await trx
        .updateTable('enquiries')
        .set({ status: 'closed', closed_at: this.clock.now(), closed_reason: reason.trim() })
        .where('id', '=', enquiryId)
        .execute();
      await trx
        .updateTable('enquiry_extension_requests')
        .set({ status: 'refused', decided_at: this.clock.now(), decision_reason: 'The enquiry was closed' })
        .where('enquiry_id', '=', enquiryId)
        .where('status', '=', 'pending')
        .execute();
      await this.repo.with(trx).endOpenDelegations(enquiryId, this.clock.now());
      await this.audit(trx, actor, 'enquiry.closed', enquiryId, row.authority_id);
    });
  }

  // Answers, delegation and the response ---------------------------------------------------------

  /**
   * Saves the answer to one question. A link officer's answer is ready to send (or a draft); a
   * delegate's goes straight in or waits for a link officer's review, as the authority chose. A
   * delegate may answer only what they were given.
   */
  async answer(actor: Actor, enquiryId: string, questionId: string, text: string, ready = true): Promise<void> {
    const answer = text.trim();
    if (answer === '') throw invalid([{ field: `answer-${questionId}`, message: 'Enter the answer' }]);
    const row = await this.repo.findEnquiry(enquiryId);
    const access = await this.visible(actor, row);
    if (!row || access.scope === 'staff') throw forbidden();
    if (access.questionIds !== null && !access.questionIds.has(questionId)) throw notFound('The question');
    await this.db.transaction().execute(async (trx) => {
      const locked = await this.repo.with(trx).lockEnquiry(enquiryId);
      if (!locked) throw notFound('The enquiry');
      if (locked.status === 'closed') throw conflict(CLOSED);
      if (locked.status === 'responded') throw conflict(RESPONDED);
      const mode = await this.repo.with(trx).delegateSubmission(locked.authority_id);
      const state =
        access.scope === 'delegate' ? (mode === 'direct' ? 'ready' : 'awaiting-review') : ready ? 'ready' : 'draft';
      const now = this.clock.now();
      const updated = await trx
        .updateTable('enquiry_questions')
        .set({ answer, answer_state: state, answered_by: actor.type === 'user' ? actor.id : null, answered_at: now })
        .where('id', '=', questionId)
        .where('enquiry_id', '=', enquiryId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw notFound('The question');
      if (access.scope === 'delegate') await this.completeDelegations(trx, enquiryId, actor.id, now);
      await this.audit(trx, actor, 'enquiry.answered', enquiryId, locked.authority_id);
    });
  }

  /** Marks a delegate's tasks on an enquiry done when everything they were given has an answer. */
  private async completeDelegations(trx: Tx, enquiryId: string, userId: string, now: Date): Promise<void> {
    const today = this.calendar.londonDate(now);
    const open = await trx
      .selectFrom('enquiry_delegations')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .where('delegate_user_id', '=', userId)
      .where('completed_at', 'is', null)
      .execute();
    const questions = await trx
      .selectFrom('enquiry_questions')
      .select(['id', 'answer_state'])
      .where('enquiry_id', '=', enquiryId)
      .execute();
    for (const d of open) {
      const covered = questions.filter((q) => d.question_id === null || q.id === d.question_id);
      if (covered.every((q) => q.answer_state === 'ready' || q.answer_state === 'awaiting-review')) {
        await trx
          .updateTable('enquiry_delegations')
          .set({ completed_at: now, completed_on_time: onTime(today, d.internal_due_on) })
          .where('id', '=', d.id)
          .execute();
      }
    }
  }

  /**
   * Adds a document to the answer to one question: checked by content and stored with the case, by
   * whoever may answer that question, while the enquiry is open.
   */
  async attachDocument(
    actor: Actor,
    enquiryId: string,
    questionId: string,
    file: { content: Buffer; filename: string; field?: string },
  ): Promise<string> {
    const row = await this.repo.findEnquiry(enquiryId);
    const access = await this.visible(actor, row);
    if (!row || access.scope === 'staff') throw forbidden();
    if (access.questionIds !== null && !access.questionIds.has(questionId)) throw notFound('The question');
    return this.db.transaction().execute(async (trx) => {
      const locked = await this.repo.with(trx).lockEnquiry(enquiryId);
      if (!locked) throw notFound('The enquiry');
      if (locked.status === 'closed') throw conflict(CLOSED);
      if (locked.status === 'responded') throw conflict(RESPONDED);
      const question = await this.repo.with(trx).findQuestion(questionId);
      if (!question || question.enquiry_id !== enquiryId) throw notFound('The question');
      const document = await this.files.store(trx, file.content, {
        filename: file.filename,
        complaintId: locked.complaint_id,
        authorityId: locked.authority_id,
        uploadedBy: actor,
        field: file.field ?? 'file',
      });
      await trx
        .insertInto('enquiry_answer_documents')
        .values({ question_id: questionId, document_id: document.id, authority_id: locked.authority_id })
        .execute();
      await this.audit(trx, actor, 'enquiry.document-added', enquiryId, locked.authority_id);
      return document.id;
    });
  }

  /** A document given with an answer, for whoever may see that question. */
  async openDocument(actor: Actor, enquiryId: string, documentId: string): Promise<OpenedDocument> {
    const row = await this.repo.findEnquiry(enquiryId);
    const access = await this.visible(actor, row);
    const attached = (await this.repo.answerDocuments(enquiryId)).find((d) => d.document_id === documentId);
    if (!attached || (access.questionIds !== null && !access.questionIds.has(attached.question_id))) {
      throw notFound('The document');
    }
    return this.documents.open(actor, documentId);
  }

  /** A link officer accepts a delegate's answer after review. */
  async acceptAnswer(actor: Actor, enquiryId: string, questionId: string): Promise<void> {
    const row = await this.repo.findEnquiry(enquiryId);
    const access = await this.visible(actor, row);
    if (access.scope !== 'link-officer' || !row) throw forbidden();
    await this.db.transaction().execute(async (trx) => {
      const locked = await this.repo.with(trx).lockEnquiry(enquiryId);
      if (!locked || locked.status !== 'open') throw conflict(locked?.status === 'closed' ? CLOSED : RESPONDED);
      const updated = await trx
        .updateTable('enquiry_questions')
        .set({ answer_state: 'ready' })
        .where('id', '=', questionId)
        .where('enquiry_id', '=', enquiryId)
        .where('answer_state', '=', 'awaiting-review')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0)
        throw conflict('There is no answer waiting for review on that question');
      await this.audit(trx, actor, 'enquiry.answer-accepted', enquiryId, row.authority_id);
    });
  }

  /**
   * Sends the authority's response to the ombudsman: every question must have an answer ready
   * (answers given here are saved first). Marks the enquiry responded, on time or late.
   */
  async submitResponse(
    actor: Actor,
    enquiryId: string,
    answers: AnswerInput[] = [],
  ): Promise<{ onTime: boolean; respondedAt: Date }> {
    const row = await this.repo.findEnquiry(enquiryId);
    if (!row || actor.authorityId === null || actor.authorityId !== row.authority_id) throw notFound('The enquiry');
    const access = await this.visible(actor, row);
    const detail = await this.get(actor, enquiryId);
    if (!detail.maySubmit && row.status === 'open') {
      throw forbidden(
        access.scope === 'delegate'
          ? 'Your link officer sends the response to the ombudsman'
          : 'You cannot send this response',
      );
    }
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    return this.db.transaction().execute(async (trx) => {
      const locked = await this.repo.with(trx).lockEnquiry(enquiryId);
      if (!locked) throw notFound('The enquiry');
      if (locked.status === 'closed') throw conflict(CLOSED);
      if (locked.status === 'responded') throw conflict(RESPONDED);
      const questions = await trx
        .selectFrom('enquiry_questions')
        .select(['id', 'answer_state'])
        .where('enquiry_id', '=', enquiryId)
        .execute();
      const ids = new Set(questions.map((q) => q.id));
      for (const a of answers) {
        if (!ids.has(a.questionId))
          throw invalid([{ field: 'answers', message: `There is no question ${a.questionId} on this enquiry` }]);
        if (a.answer.trim() === '') throw invalid([{ field: 'answers', message: 'Every answer needs some text' }]);
        await trx
          .updateTable('enquiry_questions')
          .set({
            answer: a.answer.trim(),
            answer_state: 'ready',
            answered_by: actor.type === 'user' ? actor.id : null,
            answered_at: now,
          })
          .where('id', '=', a.questionId)
          .execute();
      }
      const given = new Set(answers.map((a) => a.questionId));
      const missing = questions.filter((q) => !given.has(q.id) && q.answer_state !== 'ready');
      if (missing.length > 0) {
        throw conflict(
          `Every question needs an answer ready to send: ${missing.length} ${missing.length === 1 ? 'is' : 'are'} not ready (unanswered, a draft, or waiting for review)`,
        );
      }
      const inTime = onTime(today, locked.due_on);
      await trx
        .updateTable('enquiries')
        .set({
          status: 'responded',
          responded_at: now,
          responded_by: actor.type === 'user' ? actor.id : null,
          responded_on_time: inTime,
        })
        .where('id', '=', enquiryId)
        .execute();
      await trx
        .updateTable('enquiry_extension_requests')
        .set({ status: 'refused', decided_at: now, decision_reason: 'The response arrived' })
        .where('enquiry_id', '=', enquiryId)
        .where('status', '=', 'pending')
        .execute();
      await this.repo.with(trx).endOpenDelegations(enquiryId, now);
      await this.audit(trx, actor, 'enquiry.responded', enquiryId, locked.authority_id);
      return { onTime: inTime, respondedAt: now };
    });
  }

  /** A link officer hands a question (or the whole enquiry) to a delegate of the same authority. */
  async delegate(
    actor: Actor,
    enquiryId: string,
    input: { questionId: string | null; delegateUserId: string; internalDueDate: IsoDate },
  ): Promise<string> {
    const row = await this.repo.findEnquiry(enquiryId);
    const access = await this.visible(actor, row);
    if (access.scope !== 'link-officer' || !row || actor.type !== 'user') throw forbidden();
    const user = await this.repo.findAuthorityUser(input.delegateUserId);
    if (!user || user.authority_id !== row.authority_id || user.status === 'deactivated' || !user.is_delegate) {
      throw invalid([{ field: 'delegateUserId', message: 'Select a colleague who is a delegate of your authority' }]);
    }
    if (input.internalDueDate < this.today()) {
      throw invalid([{ field: 'internalDueDate', message: 'The internal due date must be today or in the future' }]);
    }
    return this.db.transaction().execute(async (trx) => {
      const locked = await this.repo.with(trx).lockEnquiry(enquiryId);
      if (!locked) throw notFound('The enquiry');
      if (locked.status !== 'open') throw conflict(locked.status === 'closed' ? CLOSED : RESPONDED);
      if (input.questionId !== null) {
        const q = await this.repo.with(trx).findQuestion(input.questionId);
        if (!q || q.enquiry_id !== enquiryId)
          throw invalid([{ field: 'questionId', message: 'Select a question of this enquiry' }]);
      }
      const inserted = await trx
        .insertInto('enquiry_delegations')
        .values({
          enquiry_id: enquiryId,
          question_id: input.questionId,
          authority_id: locked.authority_id,
          delegate_user_id: input.delegateUserId,
          assigned_by: actor.id,
          internal_due_on: input.internalDueDate,
          created_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.audit(trx, actor, 'enquiry.delegated', enquiryId, locked.authority_id);
      return inserted.id;
    });
  }

  private portalLinkOfficer(actor: Actor): string {
    if (actor.authorityId === null || !actor.roles.includes('link-officer')) throw forbidden();
    return actor.authorityId;
  }

  /** The delegation dashboard: each colleague's open and overdue tasks and on-time rate. */
  async delegationDashboard(actor: Actor) {
    const authorityId = this.portalLinkOfficer(actor);
    const [rows, mode] = await Promise.all([
      this.repo.delegateFigures(authorityId, this.today()),
      this.repo.delegateSubmission(authorityId),
    ]);
    return {
      delegateSubmission: mode,
      colleagues: rows.map((r) => ({
        id: r.id,
        name: r.display_name,
        open: r.open,
        overdue: r.overdue,
        done: r.done,
        onTimeRate: onTimeRate(r.done, r.done_on_time),
      })),
    };
  }

  async delegatesFor(actor: Actor) {
    return this.repo.delegates(this.portalLinkOfficer(actor));
  }

  /** The authority's choice of how delegates' answers reach the ombudsman. */
  async setDelegateSubmission(actor: Actor, mode: DelegateSubmission): Promise<void> {
    const authorityId = this.portalLinkOfficer(actor);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).setDelegateSubmission(authorityId, mode, this.clock.now());
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'enquiry-settings.changed',
        recordType: 'authority',
        recordId: authorityId,
        authorityId,
        requestId: actor.requestId ?? null,
      });
    });
  }

  // The sweep --------------------------------------------------------------------------------------

  /**
   * Writes every reminder and escalation due now, each once, as correspondence on its case (sent by
   * the correspondence dispatch). Safe to run on several workers at once, and they share the work:
   * the enquiries are split into four parts by id, each worker takes the parts no other holds
   * (starting at a random one), and each part is one transaction. A part is all or nothing: if any
   * of its reminders lacked its item the part is undone, and the next sweep tries it again.
   */
  async sweep(): Promise<{ reminders: number; items: number }> {
    const now = this.clock.now();
    const thresholds = sweepThresholds(this.calendar, this.calendar.londonDate(now), this.settings);
    const parts = await sweepInParts(this.db, SWEEP, async (trx, part) => {
      const written = await this.repo.with(trx).sweep(thresholds, now, this.settings.baseUrl, part);
      if (written.items !== written.reminders)
        throw new Error(`The reminder sweep wrote ${written.items} items for ${written.reminders} reminders`);
      return written;
    });
    return sumCounts(parts, { reminders: 0, items: 0 });
  }
}
