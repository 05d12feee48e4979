import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import { DelegationQueries } from './delegations.repository.ts';

export type EnquiryRow = Row<'enquiries'>;

export type QuestionRow = Row<'enquiry_questions'>;

/**
 * Kysely queries for an enquiry and what hangs from it: its complaint, questions and answers,
 * recipients, deadlines, requests for more time, the response and its closing, the allocation
 * notice, and (inherited) its delegations. Plain rows out. The lists across many enquiries are in
 * `lists.repository.ts`, the reminder sweep in `reminders.repository.ts`.
 */
export class EnquiriesRepository extends DelegationQueries {
  /** Runs `work` in one transaction, with a repository bound to it (and the transaction, for other modules' services). */
  transaction<T>(work: (repo: EnquiriesRepository, trx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new EnquiriesRepository(trx), trx));
  }

  // Complaints (read here, owned by the complaints module) --------------------------------------

  findComplaint(id: string) {
    return this.db
      .selectFrom('complaints as c')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .select([
        'c.id',
        'c.reference',
        'c.authority_id',
        'c.status',
        'c.summary',
        'c.investigator_id',
        'a.name as authority_name',
      ])
      .where('c.id', '=', id)
      .executeTakeFirst();
  }

  lockComplaint(id: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'status'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async nextNumber(complaintId: string): Promise<number> {
    const row = await this.db
      .selectFrom('enquiries')
      .select(sql<number>`coalesce(max(number), 0) + 1`.as('n'))
      .where('complaint_id', '=', complaintId)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  // Enquiries ------------------------------------------------------------------------------------

  async insertEnquiry(values: NewRow<'enquiries'>): Promise<string> {
    const row = await this.db.insertInto('enquiries').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async insertQuestions(rows: NewRow<'enquiry_questions'>[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('enquiry_questions').values(rows).execute();
  }

  async insertRecipients(rows: NewRow<'enquiry_recipients'>[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('enquiry_recipients').values(rows).execute();
  }

  async insertDueDate(values: NewRow<'enquiry_due_dates'>): Promise<void> {
    await this.db.insertInto('enquiry_due_dates').values(values).execute();
  }

  findEnquiry(id: string) {
    return this.db
      .selectFrom('enquiries as e')
      .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
      .innerJoin('authorities as a', 'a.id', 'e.authority_id')
      .selectAll('e')
      .select(['c.reference as complaint_reference', 'a.name as authority_name'])
      .where('e.id', '=', id)
      .executeTakeFirst();
  }

  lockEnquiry(id: string) {
    return this.db.selectFrom('enquiries').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  questions(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_questions as q')
      .leftJoin('users as u', 'u.id', 'q.answered_by')
      .selectAll('q')
      .select('u.display_name as answered_by_name')
      .where('q.enquiry_id', '=', enquiryId)
      .orderBy('q.position')
      .execute();
  }

  answerDocuments(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_answer_documents as ad')
      .innerJoin('enquiry_questions as q', 'q.id', 'ad.question_id')
      .innerJoin('documents as d', 'd.id', 'ad.document_id')
      .select(['ad.question_id', 'ad.document_id', 'd.filename', 'd.size'])
      .where('q.enquiry_id', '=', enquiryId)
      .orderBy('d.uploaded_at')
      .execute();
  }

  findQuestion(id: string) {
    return this.db.selectFrom('enquiry_questions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  recipients(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_recipients')
      .select(['email', 'recipient_as'])
      .where('enquiry_id', '=', enquiryId)
      .orderBy('position')
      .execute();
  }

  dueDates(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_due_dates')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .orderBy('set_at')
      .orderBy(sql`reason = 'sent'`, 'desc')
      .orderBy('due_on')
      .execute();
  }

  extensionRequests(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_extension_requests')
      .selectAll()
      .where('enquiry_id', '=', enquiryId)
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
  }

  reminders(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_reminders')
      .select(['kind', 'due_on', 'sent_at'])
      .where('enquiry_id', '=', enquiryId)
      .orderBy('sent_at')
      .orderBy('kind')
      .execute();
  }

  forComplaint(complaintId: string) {
    return this.db
      .selectFrom('enquiries')
      .select([
        'id',
        'number',
        'kind',
        'status',
        'sent_at',
        'sent_by',
        'due_on',
        'responded_at',
        'responded_by',
        'responded_on_time',
      ])
      .where('complaint_id', '=', complaintId)
      .orderBy('number')
      .execute();
  }

  allocationNotice(complaintId: string) {
    return this.db
      .selectFrom('allocation_notices')
      .select(['id', 'sent_at', 'addressed_to_name'])
      .where('complaint_id', '=', complaintId)
      .executeTakeFirst();
  }

  /** Records the allocation notice: its id, or nothing when the complaint already has one. */
  async insertAllocationNotice(values: NewRow<'allocation_notices'>): Promise<string | undefined> {
    const notice = await this.db
      .insertInto('allocation_notices')
      .values(values)
      .onConflict((oc) => oc.column('complaint_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return notice?.id;
  }

  /** The complaints under investigation the demo sends enquiries on: the given authority's first, oldest first. */
  complaintsUnderInvestigation(firstAuthorityId: string, limit: number) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'authority_id', 'service_area'])
      .where('status', '=', 'investigation')
      .orderBy(sql`authority_id = ${firstAuthorityId}`, 'desc')
      .orderBy('received_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  // Answers and the response ---------------------------------------------------------------------

  /** Each question's answer state. */
  answerStates(enquiryId: string) {
    return this.db
      .selectFrom('enquiry_questions')
      .select(['id', 'answer_state'])
      .where('enquiry_id', '=', enquiryId)
      .execute();
  }

  /** Saves an answer to a question of the enquiry: whether there was such a question. */
  async saveAnswer(enquiryId: string, questionId: string, answer: RowUpdate<'enquiry_questions'>): Promise<boolean> {
    const updated = await this.db
      .updateTable('enquiry_questions')
      .set(answer)
      .where('id', '=', questionId)
      .where('enquiry_id', '=', enquiryId)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** Saves an answer given with the response (the question is known to be the enquiry's). */
  async saveResponseAnswer(questionId: string, answer: RowUpdate<'enquiry_questions'>): Promise<void> {
    await this.db.updateTable('enquiry_questions').set(answer).where('id', '=', questionId).execute();
  }

  /** Makes a delegate's answer waiting for review ready: whether there was one. */
  async acceptAnswer(enquiryId: string, questionId: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('enquiry_questions')
      .set({ answer_state: 'ready' })
      .where('id', '=', questionId)
      .where('enquiry_id', '=', enquiryId)
      .where('answer_state', '=', 'awaiting-review')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  async insertAnswerDocument(values: NewRow<'enquiry_answer_documents'>): Promise<void> {
    await this.db.insertInto('enquiry_answer_documents').values(values).execute();
  }

  /** Changes the enquiry row: its deadline, its response, its closing. */
  async updateEnquiry(id: string, values: RowUpdate<'enquiries'>): Promise<void> {
    await this.db.updateTable('enquiries').set(values).where('id', '=', id).execute();
  }

  // Requests for more time -----------------------------------------------------------------------

  async pendingExtensionId(enquiryId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('enquiry_extension_requests')
      .select('id')
      .where('enquiry_id', '=', enquiryId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row?.id;
  }

  async insertExtensionRequest(values: NewRow<'enquiry_extension_requests'>): Promise<string> {
    const row = await this.db
      .insertInto('enquiry_extension_requests')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  lockExtensionRequest(id: string, enquiryId: string) {
    return this.db
      .selectFrom('enquiry_extension_requests')
      .selectAll()
      .where('id', '=', id)
      .where('enquiry_id', '=', enquiryId)
      .forUpdate()
      .executeTakeFirst();
  }

  async decideExtensionRequest(id: string, decision: RowUpdate<'enquiry_extension_requests'>): Promise<void> {
    await this.db.updateTable('enquiry_extension_requests').set(decision).where('id', '=', id).execute();
  }

  /** Refuses the enquiry's undecided request for more time, if any, for the reason given. */
  async refusePendingExtension(enquiryId: string, now: Date, reason: string): Promise<void> {
    await this.db
      .updateTable('enquiry_extension_requests')
      .set({ status: 'refused', decided_at: now, decision_reason: reason })
      .where('enquiry_id', '=', enquiryId)
      .where('status', '=', 'pending')
      .execute();
  }
}
