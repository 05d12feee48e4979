import { sql } from 'kysely';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import type { Outbox, OutgoingMail } from '../../platform/mail/outbox.ts';
import type {} from './conduct.tables.ts';

/** What erased words are replaced with. */
const ERASED = '[erased]';

export type RecordRow = Row<'conduct_records'>;
export type ReviewRow = Row<'conduct_reviews'>;
export type LetterRow = Row<'conduct_letters'>;

/** A record with the names its pages show. */
export type RecordWithNames = RecordRow & {
  officerName: string | null;
  officerEmail: string | null;
  recordedByName: string | null;
  settledReference: string | null;
};

/** Every statement of the conduct module. */
export class ConductRepository {
  constructor(
    readonly db: DbOrTx,
    private readonly mail: Outbox,
  ) {}

  transaction<T>(work: (repo: ConductRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new ConductRepository(trx, this.mail)));
  }

  with(db: DbOrTx): ConductRepository {
    return new ConductRepository(db, this.mail);
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  enqueueMail(mail: OutgoingMail): Promise<string | null> {
    return this.mail.enqueue(this.db, mail);
  }

  private records() {
    return this.db
      .selectFrom('conduct_records as r')
      .leftJoin('users as o', 'o.id', 'r.named_officer_id')
      .leftJoin('users as b', 'b.id', 'r.recorded_by')
      .leftJoin('complaints as s', 's.id', 'r.settled_complaint_id')
      .selectAll('r')
      .select([
        'o.display_name as officerName',
        'o.email as officerEmail',
        'b.display_name as recordedByName',
        's.reference as settledReference',
      ]);
  }

  record(id: string): Promise<RecordWithNames | undefined> {
    return this.records().where('r.id', '=', id).executeTakeFirst();
  }

  lockRecord(id: string): Promise<RecordRow | undefined> {
    return this.db.selectFrom('conduct_records').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  recordsOf(personId: string): Promise<RecordWithNames[]> {
    return this.records().where('r.person_id', '=', personId).orderBy('r.created_at', 'desc').execute();
  }

  /** Records in force on any of these people. */
  activeOf(personIds: readonly string[]): Promise<RecordWithNames[]> {
    if (personIds.length === 0) return Promise.resolve([]);
    return this.records()
      .where('r.person_id', 'in', [...personIds])
      .where('r.status', '=', 'active')
      .orderBy('r.created_at', 'desc')
      .execute();
  }

  /** Everything in force, soonest review first. */
  allActive(): Promise<RecordWithNames[]> {
    return this.records().where('r.status', '=', 'active').orderBy('r.review_on').orderBy('r.id').limit(500).execute();
  }

  /** The people with a restriction in force (few: they are listed whole). */
  async restrictedPeople(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conduct_records')
      .select('person_id')
      .where('kind', '=', 'restriction')
      .where('status', '=', 'active')
      .execute();
    return rows.map((r) => r.person_id);
  }

  async warned(personId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('conduct_records')
      .select('id')
      .where('person_id', '=', personId)
      .where('kind', '=', 'warning')
      .executeTakeFirst();
    return row !== undefined;
  }

  async hasRecords(personId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('conduct_records')
      .select('id')
      .where('person_id', '=', personId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insertRecord(row: NewRow<'conduct_records'>): Promise<string> {
    return (await this.db.insertInto('conduct_records').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateRecord(id: string, changes: RowUpdate<'conduct_records'>): Promise<void> {
    await this.db.updateTable('conduct_records').set(changes).where('id', '=', id).execute();
  }

  async insertReview(row: NewRow<'conduct_reviews'>): Promise<string> {
    return (await this.db.insertInto('conduct_reviews').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }

  reviewsOf(recordId: string) {
    return this.db
      .selectFrom('conduct_reviews as v')
      .leftJoin('users as u', 'u.id', 'v.reviewed_by')
      .selectAll('v')
      .select('u.display_name as reviewedByName')
      .where('v.record_id', '=', recordId)
      .orderBy('v.reviewed_at', 'desc')
      .execute();
  }

  async insertLetter(row: NewRow<'conduct_letters'>, complaintIds: readonly string[]): Promise<string> {
    const { id } = await this.db.insertInto('conduct_letters').values(row).returning('id').executeTakeFirstOrThrow();
    if (complaintIds.length > 0) {
      await this.db
        .insertInto('conduct_letter_cases')
        .values([...new Set(complaintIds)].map((complaintId) => ({ letter_id: id, complaint_id: complaintId })))
        .execute();
    }
    return id;
  }

  letter(id: string): Promise<LetterRow | undefined> {
    return this.db.selectFrom('conduct_letters').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lettersOf(recordId: string): Promise<LetterRow[]> {
    return this.db
      .selectFrom('conduct_letters')
      .selectAll()
      .where('record_id', '=', recordId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  lettersOnCase(complaintId: string) {
    return this.db
      .selectFrom('conduct_letter_cases as lc')
      .innerJoin('conduct_letters as l', 'l.id', 'lc.letter_id')
      .innerJoin('conduct_records as r', 'r.id', 'l.record_id')
      .select(['l.id', 'l.subject', 'l.created_at', 'l.item_id', 'r.kind', 'r.id as recordId'])
      .where('lc.complaint_id', '=', complaintId)
      .orderBy('l.created_at')
      .execute();
  }

  async insertContact(row: NewRow<'conduct_contacts'>): Promise<void> {
    await this.db.insertInto('conduct_contacts').values(row).execute();
  }

  /** Contacts (emails and calls) from the person received from `since` (and before `until`). */
  async contactsSince(personId: string, since: Date, until?: Date): Promise<number> {
    let q = this.db
      .selectFrom('conduct_contacts')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('person_id', '=', personId)
      .where('received_at', '>=', since);
    if (until) q = q.where('received_at', '<', until);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertCall(row: NewRow<'conduct_calls'>): Promise<string> {
    return (await this.db.insertInto('conduct_calls').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Calls logged with a person or on a case, newest first, with what each breached (under a restriction). */
  callsOf(by: { personId: string } | { complaintId: string }, limit = 100) {
    let q = this.db
      .selectFrom('conduct_calls as cl')
      .innerJoin('users as o', 'o.id', 'cl.officer_id')
      .leftJoin('complaints as c', 'c.id', 'cl.complaint_id')
      .leftJoin('conduct_contacts as k', 'k.call_id', 'cl.id')
      .select([
        'cl.id',
        'cl.person_id as personId',
        'cl.complaint_id as complaintId',
        'cl.called_at as calledAt',
        'cl.minutes',
        'cl.note',
        'o.display_name as officerName',
        'c.reference',
        'k.flags',
      ]);
    q = 'personId' in by ? q.where('cl.person_id', '=', by.personId) : q.where('cl.complaint_id', '=', by.complaintId);
    return q.orderBy('cl.called_at', 'desc').orderBy('cl.id').limit(limit).execute();
  }

  contactsOf(by: { personId: string } | { complaintId: string } | { officerId: string }, limit = 100) {
    let q = this.db
      .selectFrom('conduct_contacts as k')
      .innerJoin('conduct_records as r', 'r.id', 'k.record_id')
      .leftJoin('complaints as c', 'c.id', 'k.complaint_id')
      .leftJoin('correspondence_items as i', 'i.id', 'k.item_id')
      .leftJoin('conduct_calls as cl', 'cl.id', 'k.call_id')
      .select([
        'k.id',
        'k.person_id as personId',
        'k.channel',
        'k.flags',
        'k.received_at as receivedAt',
        'k.complaint_id as complaintId',
        'c.reference',
        'i.subject',
        'cl.minutes as callMinutes',
        'cl.note as callNote',
      ]);
    if ('personId' in by) q = q.where('k.person_id', '=', by.personId);
    else if ('complaintId' in by) q = q.where('k.complaint_id', '=', by.complaintId);
    else q = q.where('r.named_officer_id', '=', by.officerId).where('r.status', '=', 'active');
    return q.orderBy('k.received_at', 'desc').limit(limit).execute();
  }

  /**
   * Erases the words about a person: the reasons of their warnings and restrictions and of the
   * reviews, the letters' text and the notes of calls. Dates, terms and flags stay.
   */
  async eraseOf(personId: string): Promise<void> {
    const records = this.db.selectFrom('conduct_records').select('id').where('person_id', '=', personId);
    await this.db
      .updateTable('conduct_records')
      .set({
        reason: ERASED,
        no_warning_reason: sql<string | null>`case when no_warning_reason is null then null else ${ERASED} end`,
      })
      .where('person_id', '=', personId)
      .execute();
    await this.db.updateTable('conduct_reviews').set({ reason: ERASED }).where('record_id', 'in', records).execute();
    await this.db.updateTable('conduct_letters').set({ body: ERASED }).where('record_id', 'in', records).execute();
    await this.db.updateTable('conduct_calls').set({ note: ERASED }).where('person_id', '=', personId).execute();
  }

  /** For the demo: the people of the first complainants with an email address, oldest case first. */
  async demoPeople(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('complaint_parties as p')
      .innerJoin('person_parties as pp', 'pp.party_id', 'p.id')
      .innerJoin('complaints as c', 'c.id', 'p.complaint_id')
      .select(['pp.person_id', 'c.received_at'])
      .where('p.role', '=', 'complainant')
      .where(sql<string>`coalesce(p.email, '')`, '<>', '')
      .where('c.status', '<>', 'closed')
      .orderBy('c.received_at')
      .orderBy('c.id')
      .limit(limit * 5)
      .execute();
    return [...new Set(rows.map((r) => r.person_id))].slice(0, limit);
  }

  /** An active member of staff, by id. */
  async activeStaff(userId: string): Promise<{ id: string; display_name: string; email: string } | undefined> {
    return this.db
      .selectFrom('users')
      .select(['id', 'display_name', 'email'])
      .where('id', '=', userId)
      .where('status', '=', 'active')
      .where('authority_id', 'is', null)
      .executeTakeFirst();
  }

  /** Active members of staff, by name, for choosing a named officer. */
  staff(): Promise<{ id: string; display_name: string }[]> {
    return this.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('status', '=', 'active')
      .where('authority_id', 'is', null)
      .orderBy('display_name')
      .limit(500)
      .execute();
  }

  /** A case's status and reference. */
  complaint(id: string) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'reference', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Records whose review falls within the reminder's days and were not reminded of it yet. */
  reviewsToRemind(byDate: string) {
    return this.db
      .selectFrom('conduct_records as r')
      .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'r.recorded_by').on('u.status', '=', 'active'))
      .select(['r.id', 'r.kind', 'r.review_on', 'r.person_id', 'u.email', 'u.display_name'])
      .where('r.status', '=', 'active')
      .where('r.reminded_at', 'is', null)
      .where('r.review_on', '<=', byDate)
      .orderBy('r.review_on')
      .limit(200)
      .execute();
  }

  /** The active casework managers, who are reminded of a review no active person recorded (e.g. through the API). */
  caseworkManagers(): Promise<{ email: string; display_name: string }[]> {
    return this.db
      .selectFrom('users as u')
      .innerJoin('user_roles as ur', 'ur.user_id', 'u.id')
      .select(['u.email', 'u.display_name'])
      .where('ur.role', '=', 'casework-manager')
      .where('u.status', '=', 'active')
      .orderBy('u.display_name')
      .limit(100)
      .execute();
  }

  async markReminded(id: string, at: Date): Promise<boolean> {
    const out = await this.db
      .updateTable('conduct_records')
      .set({ reminded_at: at })
      .where('id', '=', id)
      .where('reminded_at', 'is', null)
      .executeTakeFirst();
    return Number(out.numUpdatedRows) > 0;
  }

  /** Whether every party of the case with an email address is one of this person's parties. */
  async onlyTheirEmail(complaintId: string, partyIds: readonly string[]): Promise<boolean> {
    const rows = await this.db
      .selectFrom('complaint_parties')
      .select('id')
      .where('complaint_id', '=', complaintId)
      .where(sql<string>`coalesce(email, '')`, '<>', '')
      .execute();
    return rows.length > 0 && rows.every((r) => partyIds.includes(r.id));
  }
}
