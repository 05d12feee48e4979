import { reusableQuery } from '../../platform/db/reusable.ts';
import { planEachRun } from '../../platform/db/prepared.ts';
import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { ComplaintStatus, Database, NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';
import { ALLOCATION_STATUSES, QUEUE_STATUSES, type StatusActor } from './domain.ts';
import { toldToAuthorityOf, toldToAuthoritySql } from './complaints.sql.ts';

export type ComplaintRow = Row<'complaints'>;
export type PartyRow = Row<'complaint_parties'>;
/** A party as json_agg gives it: timestamps as text. */
type JsonParty = Omit<PartyRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };

export interface ListFilters {
  status?: ComplaintStatus | undefined;
  authorityId?: string | undefined;
  serviceArea?: string | undefined;
  investigatorId?: string | undefined;
  /** Only cases under investigation (or later) that no investigator has been allocated. */
  unallocated?: boolean | undefined;
  urgent?: boolean | undefined;
  /** Only cases with an enquiry to the authority still open after its due date. */
  overdue?: boolean | undefined;
  reference?: string | undefined;
  /** For authority users: leave out cases closed as invalid or out of jurisdiction (the authority is never told of them). */
  hideUntold?: boolean | undefined;
}

/**
 * Whether the case list's best plan depends on the filter values. One filter among status,
 * authority, service area and investigator (or none) is served by that column's own index in
 * received order, whatever the value, so the plan can be kept; combined filters and the others
 * (urgent, reference, untold outcomes, not allocated) match a few rows or most of them depending on the values.
 */
function planDependsOnValues(f: ListFilters): boolean {
  const indexed = [f.status, f.authorityId, f.serviceArea, f.investigatorId].filter(Boolean).length;
  return indexed > 1 || Boolean(f.urgent || f.overdue || f.reference || f.hideUntold || f.unallocated);
}

export interface ListRow {
  id: string;
  reference: string;
  status: ComplaintStatus;
  authority_id: string;
  authority_name: string;
  service_area: string;
  urgent: boolean;
  outcome: ComplaintRow['outcome'];
  received_at: Date;
  received_key: string;
  investigator_id: string | null;
}

/** The columns every list of cases shows: which case, whose, what, and whether urgent. */
const CASE_SUMMARY_COLUMNS = [
  'c.id',
  'c.reference',
  'c.status',
  'c.authority_id',
  'a.name as authority_name',
  'c.service_area',
  'c.urgent',
] as const;

/**
 * The case list's page, compiled once per shape (which filters apply, whether after a cursor, the
 * limit): the statement the case list runs on every request.
 */
const CASE_LIST_PAGE = reusableQuery<{
  status: ComplaintStatus;
  authorityId: string;
  serviceArea: string;
  investigatorId: string;
  reference: string;
  today: string;
  afterAt: string;
  afterId: string;
}>()((db, slot, shape) => {
  const [present, cursor, limitText] = shape.split(' ');
  const has = (name: string) => (present ?? '').split(',').includes(name);
  const filters: ListFilters = {
    status: has('status') ? slot('status') : undefined,
    authorityId: has('authorityId') ? slot('authorityId') : undefined,
    serviceArea: has('serviceArea') ? slot('serviceArea') : undefined,
    investigatorId: has('investigatorId') ? slot('investigatorId') : undefined,
    reference: has('reference') ? slot('reference') : undefined,
    unallocated: has('unallocated'),
    urgent: has('urgent'),
    overdue: has('overdue'),
    hideUntold: has('hideUntold'),
  };
  const after = cursor === 'after' ? ([slot('afterAt'), slot('afterId')] as const) : null;
  const limit = Number(limitText);
  const today = slot('today');
  let q = db
    .selectFrom('complaints as c')
    .innerJoin('authorities as a', 'a.id', 'c.authority_id')
    .select([
      ...CASE_SUMMARY_COLUMNS,
      'c.outcome',
      'c.received_at',
      'c.investigator_id',
      preciseTimestamp('c.received_at').as('received_key'),
    ]);
  if (filters.status) q = q.where('c.status', '=', filters.status);
  if (filters.authorityId) q = q.where('c.authority_id', '=', filters.authorityId);
  if (filters.serviceArea) q = q.where('c.service_area', '=', filters.serviceArea);
  if (filters.investigatorId) q = q.where('c.investigator_id', '=', filters.investigatorId);
  if (filters.unallocated) q = q.where('c.investigator_id', 'is', null).where('c.status', 'in', ALLOCATION_STATUSES);
  if (filters.urgent) q = q.where('c.urgent', '=', true);
  if (filters.overdue)
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('enquiries as e')
          .select(sql`1`.as('one'))
          .whereRef('e.complaint_id', '=', 'c.id')
          .where('e.status', '=', 'open')
          .where('e.due_on', '<', today),
      ),
    );
  if (filters.reference) q = q.where('c.reference', '=', filters.reference);
  if (filters.hideUntold) q = q.where(toldToAuthoritySql('c'));
  if (after)
    q = q.where(
      afterKeyset([sql.ref('c.received_at'), sql.ref('c.id')], [sql`${after[0]}::timestamptz`, after[1]], 'desc'),
    );
  q = q
    .orderBy('c.received_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit + 1);
  return planDependsOnValues(filters) ? q.modifyEnd(planEachRun) : q;
});

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

  /** A page of the case list, newest first (keyset on received_at, id). */
  list(
    filters: ListFilters,
    after: readonly [string, string] | null,
    limit: number,
    today: string,
  ): Promise<ListRow[]> {
    const present = (Object.keys(filters) as (keyof ListFilters)[]).filter((k) => filters[k]).sort();
    // A value whose filter is not in the shape is never bound: the placeholders only fill the type.
    return CASE_LIST_PAGE.execute(this.db, `${present.join(',')} ${after ? 'after' : 'first'} ${limit}`, {
      status: filters.status ?? 'received',
      authorityId: filters.authorityId ?? '',
      serviceArea: filters.serviceArea ?? '',
      investigatorId: filters.investigatorId ?? '',
      reference: filters.reference ?? '',
      today,
      afterAt: after?.[0] ?? '',
      afterId: after?.[1] ?? '',
    });
  }

  /** The assessment queue: urgent first, then oldest first (keyset on not-urgent, received_at, id). */
  queue(after: readonly [number, string, string] | null, limit: number) {
    let q = this.db
      .selectFrom('complaints as c')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .select([
        ...CASE_SUMMARY_COLUMNS,
        'c.urgent_street_homelessness',
        'c.urgent_care_home_eviction',
        'c.urgent_serious_risk',
        'c.urgent_domestic_abuse',
        'c.premature',
        'c.late',
        'c.received_at',
        preciseTimestamp('c.received_at').as('received_key'),
      ])
      .where('c.status', 'in', QUEUE_STATUSES);
    if (after)
      q = q.where(
        afterKeyset(
          [sql`(NOT c.urgent)::int`, sql.ref('c.received_at'), sql.ref('c.id')],
          [after[0], sql`${after[1]}::timestamptz`, after[2]],
          'asc',
        ),
      );
    return q
      .orderBy(sql`(NOT c.urgent)`)
      .orderBy('c.received_at', 'asc')
      .orderBy('c.id', 'asc')
      .limit(limit + 1)
      .execute();
  }

  countQueue() {
    return this.db
      .selectFrom('complaints')
      .select((eb) => [eb.fn.countAll<number>().as('total'), sql<number>`count(*) FILTER (WHERE urgent)`.as('urgent')])
      .where('status', 'in', QUEUE_STATUSES)
      .executeTakeFirstOrThrow();
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
