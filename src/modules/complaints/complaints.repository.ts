import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { ComplaintStatus, Database, NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import type { StatusActor } from './status-actors.ts';
import { toldToAuthorityOf, toldToAuthoritySql } from './complaints.sql.ts';

export type ComplaintRow = Row<'complaints'>;
export type PartyRow = Row<'complaint_parties'>;
/** A party as json_agg gives it: timestamps as text. */
type JsonParty = Omit<PartyRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };

/** Complaint queries only. */
export class ComplaintsRepository {
  constructor(private readonly db: DbOrTx) {}

  static in(db: Kysely<Database> | DbOrTx) {
    return new ComplaintsRepository(db);
  }

  /** The next sequence number of a year, safe under concurrency (the counter row is locked by the update). */
  async nextSequence(year: number): Promise<number> {
    const row = await this.db
      .insertInto('complaint_reference_counters')
      .values({ year, last_number: 1 })
      .onConflict((oc) =>
        oc.column('year').doUpdateSet({ last_number: sql<number>`complaint_reference_counters.last_number + 1` }),
      )
      .returning('last_number')
      .executeTakeFirstOrThrow();
    return row.last_number;
  }

  /** Records a new case. */
  insertComplaint(values: NewRow<'complaints'>) {
    return this.db
      .insertInto('complaints')
      .values(values)
      .returning(['id', 'authority_id', 'reference', 'status'])
      .executeTakeFirstOrThrow();
  }

  async updateComplaint(id: string, values: RowUpdate<'complaints'>): Promise<void> {
    await this.db.updateTable('complaints').set(values).where('id', '=', id).execute();
  }

  async insertParty(values: NewRow<'complaint_parties'>): Promise<void> {
    await this.db.insertInto('complaint_parties').values(values).execute();
  }

  /** Files documents not yet on any case (uploaded with the form) to a case. */
  async fileUnfiledDocuments(documentIds: readonly string[], complaintId: string, authorityId: string): Promise<void> {
    await this.db
      .updateTable('documents')
      .set({ complaint_id: complaintId, authority_id: authorityId })
      .where('id', 'in', documentIds)
      .where('complaint_id', 'is', null)
      .execute();
  }

  async insertDocumentRequest(values: NewRow<'complaint_document_requests'>): Promise<void> {
    await this.db.insertInto('complaint_document_requests').values(values).execute();
  }

  /** How many of an authority's complaints are not closed. */
  async countOpenForAuthority(authorityId: string): Promise<number> {
    const row = await this.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', '=', authorityId)
      .where('status', '<>', 'closed')
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** The kind of each of these authorities. */
  authorityKinds(ids: readonly string[]) {
    return this.db.selectFrom('authorities').select(['id', 'kind']).where('id', 'in', ids).execute();
  }

  findAuthority(id: string) {
    return this.db
      .selectFrom('authorities')
      .select(['id', 'name', 'kind', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  find(id: string) {
    return this.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A complaint with the names a case page shows beside it, in one round trip. */
  async findWithNames(id: string): Promise<
    | {
        complaint: ComplaintRow;
        authorityName: string;
        authorityKind: string;
        investigatorName: string | null;
        parties: PartyRow[];
      }
    | undefined
  > {
    const row = await this.db
      .selectFrom('complaints as c')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .leftJoin('users as u', 'u.id', 'c.investigator_id')
      .selectAll('c')
      .select([
        'a.name as __authority_name',
        'a.kind as __authority_kind',
        'u.display_name as __investigator_name',
        sql<JsonParty[]>`(SELECT coalesce(json_agg(p), '[]') FROM complaint_parties p WHERE p.complaint_id = c.id)`.as(
          '__parties',
        ),
      ])
      .where('c.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const { __authority_name, __authority_kind, __investigator_name, __parties, ...complaint } = row;
    return {
      complaint,
      authorityName: __authority_name,
      authorityKind: __authority_kind,
      investigatorName: __investigator_name,
      parties: __parties.map((p) =>
        Object.assign(p, { created_at: new Date(p.created_at), updated_at: new Date(p.updated_at) }),
      ),
    };
  }

  findForUpdate(id: string) {
    return this.db.selectFrom('complaints').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  parties(complaintId: string) {
    return this.db.selectFrom('complaint_parties').selectAll().where('complaint_id', '=', complaintId).execute();
  }

  history(complaintId: string) {
    return this.db
      .selectFrom('complaint_status_history as h')
      .leftJoin('users as u', 'u.id', 'h.changed_by')
      .leftJoin('api_tokens as k', 'k.id', 'h.changed_by_token')
      .select([
        'h.id',
        'h.from_status',
        'h.to_status',
        'h.outcome',
        'h.reason',
        'h.changed_at',
        'h.changed_by',
        'h.changed_by_type',
        'u.display_name as changed_by_name',
        'k.name as changed_by_token_name',
      ])
      .where('h.complaint_id', '=', complaintId)
      .orderBy('h.changed_at')
      .orderBy('h.seq')
      .execute();
  }

  /** People named on a timeline: their names, authority (null for staff) and roles. */
  async people(ids: readonly string[]): Promise<Map<string, TimelinePerson>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users as u')
      .leftJoin('user_roles as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.display_name', 'u.authority_id', 'r.role'])
      .where('u.id', 'in', ids)
      .execute();
    const people = new Map<string, TimelinePerson>();
    for (const row of rows) {
      const person = people.get(row.id) ?? { name: row.display_name, authorityId: row.authority_id, roles: [] };
      if (row.role !== null) person.roles.push(row.role);
      people.set(row.id, person);
    }
    return people;
  }

  documents(complaintId: string) {
    return this.db
      .selectFrom('documents as d')
      .leftJoin('users as u', 'u.id', 'd.uploaded_by')
      .select([
        'd.id',
        'd.filename',
        'd.content_type',
        'd.size',
        'd.sha256',
        'd.do_not_disclose',
        'd.description',
        'd.uploaded_at',
        'd.authority_id',
        'd.complaint_id',
        'd.uploaded_by',
        'u.display_name as uploaded_by_name',
      ])
      .where('d.complaint_id', '=', complaintId)
      .orderBy('d.uploaded_at')
      .orderBy('d.id')
      .execute();
  }

  /** Whether the authority has been told of the case (`toldToAuthority`); false for a case not found. */
  toldToAuthority(complaintId: string): Promise<boolean> {
    return toldToAuthorityOf(this.db, complaintId);
  }

  /** A document with what decides who may open it: its own marks and whether its case's authority was told. */
  documentWithAccess(id: string) {
    return this.db
      .selectFrom('documents as d')
      .leftJoin('complaints as c', 'c.id', 'd.complaint_id')
      .selectAll('d')
      .select(toldToAuthoritySql('c').as('case_told'))
      .where('d.id', '=', id)
      .executeTakeFirst();
  }

  setDoNotDisclose(documentId: string, value: boolean) {
    return this.db
      .updateTable('documents')
      .set({ do_not_disclose: value })
      .where('id', '=', documentId)
      .returningAll()
      .executeTakeFirst();
  }

  documentRequests(complaintId: string) {
    return this.db
      .selectFrom('complaint_document_requests as r')
      .leftJoin('users as u', 'u.id', 'r.requested_by')
      .select([
        'r.id',
        'r.description',
        'r.due_on',
        'r.requested_at',
        'r.requested_by',
        'u.display_name as requested_by_name',
      ])
      .where('r.complaint_id', '=', complaintId)
      .orderBy('r.requested_at')
      .execute();
  }

  async recordStatus(
    complaint: Pick<ComplaintRow, 'id' | 'authority_id'>,
    change: {
      from: ComplaintStatus | null;
      to: ComplaintStatus;
      outcome?: ComplaintRow['outcome'];
      reason?: string | null;
      /** Who made the change: always recorded. */
      by: StatusActor;
      at: Date;
    },
  ): Promise<void> {
    await this.db
      .insertInto('complaint_status_history')
      .values({
        complaint_id: complaint.id,
        authority_id: complaint.authority_id,
        from_status: change.from,
        to_status: change.to,
        outcome: change.outcome ?? null,
        reason: change.reason ?? null,
        changed_by: change.by.type === 'user' ? change.by.id : null,
        changed_by_type: change.by.type,
        changed_by_token: change.by.type === 'token' ? change.by.id : null,
        changed_at: change.at,
      })
      .execute();
  }

  investigators() {
    return this.db
      .selectFrom('users as u')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.display_name'])
      .where('r.role', 'in', ['investigator', 'casework-manager'])
      .where('u.status', '=', 'active')
      .distinct()
      .orderBy('u.display_name')
      .execute();
  }

  isInvestigator(userId: string) {
    return this.db
      .selectFrom('users as u')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .select('u.id')
      .where('u.id', '=', userId)
      .where('r.role', 'in', ['investigator', 'casework-manager'])
      .where('u.status', '=', 'active')
      .executeTakeFirst();
  }
}

/** A person as a timeline names them. */
export interface TimelinePerson {
  name: string;
  /** Null for ombudsman staff. */
  authorityId: string | null;
  roles: string[];
}
