import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { planEachRun } from '../../platform/db/prepared.ts';
import { afterKeyset } from '../../platform/pagination.ts';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { StageState } from './domain.ts';
import './local-complaints.tables.ts';

export interface NewRecord {
  authority_id: string;
  reference: string;
  received_on: string;
  service_area: string;
  channel: string;
  complainant_name: string;
  complainant_email: string | null;
  complainant_phone: string | null;
  summary: string;
  statutory_route: string | null;
  stage: number;
  next_due_on: string | null;
  closed_on: string | null;
}

/** A stored record, with the ombudsman's case it is linked to and its authority's kind. */
export interface LocalRow extends NewRecord {
  id: string;
  complaint_id: string | null;
  authority_kind: string;
}

export interface NewEvent {
  stage: number;
  type: string;
  happened_on: string;
  detail: string | null;
}

export interface LogFilter {
  serviceArea?: string | undefined;
  stage?: number | undefined;
  state?: 'open' | 'closed' | 'overdue' | 'due-soon' | undefined;
  reference?: string | undefined;
  today: string;
  dueSoonBy: string;
}

const stageRow = (id: string, s: StageState, ackBy: string, respondBy: string) => ({
  local_complaint_id: id,
  stage: s.stage,
  handler: s.handler,
  opened_on: s.openedOn,
  acknowledged_on: s.acknowledgedOn,
  extension_working_days: s.extensionWorkingDays,
  extension_reason: s.extensionReason,
  extended_on: s.extendedOn,
  responded_on: s.respondedOn,
  outcome: s.outcome,
  told_of_ombudsman: s.toldOfOmbudsman,
  acknowledge_by: ackBy,
  respond_by: respondBy,
});

export type StageWithDates = StageState & { acknowledgeBy: string; respondBy: string };

/** All of the local complaints module's SQL. */
export class LocalComplaintsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx) {
    return new LocalComplaintsRepository(db);
  }

  transaction<T>(fn: (repo: LocalComplaintsRepository) => Promise<T>): Promise<T> {
    return (this.db as Kysely<Database>).transaction().execute((trx) => fn(new LocalComplaintsRepository(trx)));
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  async authorityKind(
    authorityId: string,
  ): Promise<{ kind: string; reference: string | null; name: string } | undefined> {
    return this.db
      .selectFrom('authorities')
      .select(['kind', 'reference', 'name'])
      .where('id', '=', authorityId)
      .executeTakeFirst();
  }

  private selectRecord() {
    return this.db
      .selectFrom('local_complaints as l')
      .innerJoin('authorities as a', 'a.id', 'l.authority_id')
      .select([
        'l.id',
        'l.authority_id',
        'l.reference',
        'l.received_on',
        'l.service_area',
        'l.channel',
        'l.complainant_name',
        'l.complainant_email',
        'l.complainant_phone',
        'l.summary',
        'l.statutory_route',
        'l.stage',
        'l.next_due_on',
        'l.closed_on',
        'l.complaint_id',
        'a.kind as authority_kind',
      ]);
  }

  async find(id: string, forUpdate = false): Promise<LocalRow | undefined> {
    let q = this.selectRecord().where('l.id', '=', id);
    if (forUpdate) q = q.forUpdate('l');
    return q.executeTakeFirst();
  }

  async findByCase(complaintId: string): Promise<LocalRow | undefined> {
    return this.selectRecord().where('l.complaint_id', '=', complaintId).executeTakeFirst();
  }

  async stages(id: string): Promise<StageWithDates[]> {
    const rows = await this.db
      .selectFrom('local_complaint_stages')
      .selectAll()
      .where('local_complaint_id', '=', id)
      .orderBy('stage')
      .execute();
    return rows.map((s) => ({
      stage: s.stage,
      handler: s.handler,
      openedOn: s.opened_on,
      acknowledgedOn: s.acknowledged_on,
      extensionWorkingDays: s.extension_working_days,
      extensionReason: s.extension_reason,
      extendedOn: s.extended_on,
      respondedOn: s.responded_on,
      outcome: s.outcome,
      toldOfOmbudsman: s.told_of_ombudsman,
      acknowledgeBy: s.acknowledge_by,
      respondBy: s.respond_by,
    }));
  }

  async events(id: string) {
    return this.db
      .selectFrom('local_complaint_events')
      .select(['id', 'stage', 'type', 'happened_on', 'detail', 'recorded_by_type', 'recorded_at'])
      .where('local_complaint_id', '=', id)
      .orderBy('happened_on')
      .orderBy('recorded_at')
      .execute();
  }

  async insert(
    record: NewRecord,
    stages: readonly { state: StageState; ackBy: string; respondBy: string }[],
    events: readonly NewEvent[],
    by: 'user' | 'token' | 'import',
  ): Promise<string | null> {
    const inserted = await this.db
      .insertInto('local_complaints')
      .values(record)
      .onConflict((oc) => oc.columns(['authority_id', 'reference']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return null;
    await this.db
      .insertInto('local_complaint_stages')
      .values(stages.map((s) => stageRow(inserted.id, s.state, s.ackBy, s.respondBy)))
      .execute();
    await this.db
      .insertInto('local_complaint_events')
      .values(events.map((e) => ({ ...e, local_complaint_id: inserted.id, recorded_by_type: by })))
      .execute();
    return inserted.id;
  }

  /**
   * Many new records at once (an import's batch): the records, their stages and their events, one
   * statement each. A record whose reference the authority already holds is skipped with its stages
   * and events; returns how many were added.
   */
  async insertMany(
    items: readonly {
      record: NewRecord;
      stages: readonly { state: StageState; ackBy: string; respondBy: string }[];
      events: readonly NewEvent[];
    }[],
    by: 'user' | 'token' | 'import',
  ): Promise<number> {
    if (items.length === 0) return 0;
    const inserted = await this.db
      .insertInto('local_complaints')
      .values(items.map((i) => i.record))
      .onConflict((oc) => oc.columns(['authority_id', 'reference']).doNothing())
      .returning(['id', 'authority_id', 'reference'])
      .execute();
    const key = (authorityId: string, reference: string) => `${authorityId}\u0000${reference}`;
    const ids = new Map(inserted.map((r) => [key(r.authority_id, r.reference), r.id]));
    const stages = [];
    const events = [];
    for (const i of items) {
      const id = ids.get(key(i.record.authority_id, i.record.reference));
      if (!id) continue;
      for (const s of i.stages) stages.push(stageRow(id, s.state, s.ackBy, s.respondBy));
      for (const e of i.events) events.push({ ...e, local_complaint_id: id, recorded_by_type: by });
    }
    if (stages.length > 0) await this.db.insertInto('local_complaint_stages').values(stages).execute();
    if (events.length > 0) await this.db.insertInto('local_complaint_events').values(events).execute();
    return inserted.length;
  }

  /** New details for many of one authority's records at once (an import's batch), in one statement. */
  async updateMany(
    authorityId: string,
    rows: readonly (Pick<
      NewRecord,
      'service_area' | 'channel' | 'complainant_name' | 'complainant_email' | 'complainant_phone' | 'summary'
    > & { id: string })[],
    now: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await sql`update local_complaints l set service_area = v.service_area, channel = v.channel,
        complainant_name = v.complainant_name, complainant_email = v.complainant_email,
        complainant_phone = v.complainant_phone, summary = v.summary, updated_at = ${now}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, service_area text, channel text,
        complainant_name text, complainant_email text, complainant_phone text, summary text)
      where l.id = v.id and l.authority_id = ${authorityId}`.execute(this.db);
  }

  async update(
    id: string,
    values: Partial<
      Pick<
        NewRecord,
        | 'stage'
        | 'next_due_on'
        | 'closed_on'
        | 'service_area'
        | 'channel'
        | 'complainant_name'
        | 'complainant_email'
        | 'complainant_phone'
        | 'summary'
      >
    >,
    now: Date,
  ): Promise<void> {
    await this.db
      .updateTable('local_complaints')
      .set({ ...values, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async saveStage(id: string, s: StageState, ackBy: string, respondBy: string): Promise<void> {
    const row = stageRow(id, s, ackBy, respondBy);
    await this.db
      .insertInto('local_complaint_stages')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['local_complaint_id', 'stage']).doUpdateSet({
          handler: row.handler,
          acknowledged_on: row.acknowledged_on,
          extension_working_days: row.extension_working_days,
          extension_reason: row.extension_reason,
          extended_on: row.extended_on,
          responded_on: row.responded_on,
          outcome: row.outcome,
          told_of_ombudsman: row.told_of_ombudsman,
          acknowledge_by: row.acknowledge_by,
          respond_by: row.respond_by,
        }),
      )
      .execute();
  }

  async addEvent(id: string, e: NewEvent, by: 'user' | 'token' | 'import'): Promise<void> {
    await this.db
      .insertInto('local_complaint_events')
      .values({ ...e, local_complaint_id: id, recorded_by_type: by })
      .execute();
  }

  /** One page of an authority's log, newest received first, after the cursor's key. */
  async log(authorityId: string, f: LogFilter, after: readonly [string, string] | null, limit: number) {
    let q = this.db
      .selectFrom('local_complaints as l')
      .select([
        'l.id',
        'l.reference',
        'l.received_on',
        'l.service_area',
        'l.stage',
        'l.statutory_route',
        'l.next_due_on',
        'l.closed_on',
        'l.complaint_id',
      ])
      .where('l.authority_id', '=', authorityId);
    if (f.serviceArea) q = q.where('l.service_area', '=', f.serviceArea);
    if (f.stage) q = q.where('l.stage', '=', f.stage);
    if (f.reference) q = q.where('l.reference', '=', f.reference);
    if (f.state === 'open') q = q.where('l.closed_on', 'is', null);
    if (f.state === 'closed') q = q.where('l.closed_on', 'is not', null);
    if (f.state === 'overdue') q = q.where('l.next_due_on', '<', f.today);
    if (f.state === 'due-soon') q = q.where('l.next_due_on', '>=', f.today).where('l.next_due_on', '<=', f.dueSoonBy);
    if (after) q = q.where(afterKeyset([sql.ref('l.received_on'), sql.ref('l.id')], [after[0], after[1]], 'desc'));
    return q
      .orderBy('l.received_on', 'desc')
      .orderBy('l.id', 'desc')
      .limit(limit + 1)
      .execute();
  }

  /** The records of these references held by the authority, for the import's dry run. */
  async byReferences(authorityId: string, references: readonly string[]) {
    if (references.length === 0) return [];
    return this.db
      .selectFrom('local_complaints')
      .select([
        'id',
        'reference',
        'service_area',
        'channel',
        'complainant_name',
        'complainant_email',
        'complainant_phone',
        'summary',
      ])
      .where('authority_id', '=', authorityId)
      .where('reference', 'in', references)
      .execute();
  }

  /**
   * Records of the authority that may be the complaint's: the same email address or telephone
   * number, the same name in the same service area, or the reference the complainant gave.
   */
  async candidates(
    authorityId: string,
    m: {
      email: string | null;
      phone: string | null;
      name: string | null;
      serviceArea: string;
      reference: string | null;
    },
  ) {
    return this.db
      .selectFrom('local_complaints as l')
      .select([
        'l.id',
        'l.reference',
        'l.received_on',
        'l.service_area',
        'l.stage',
        'l.closed_on',
        'l.complaint_id',
        sql<boolean>`${m.email ? sql`l.email_key = ${m.email.toLowerCase()}` : sql`false`}`.as('by_email'),
        sql<boolean>`${m.phone ? sql`l.phone_key = ${m.phone}` : sql`false`}`.as('by_phone'),
        sql<boolean>`${m.name ? sql`l.name_key = ${m.name.toLowerCase()} and l.service_area = ${m.serviceArea}` : sql`false`}`.as(
          'by_name',
        ),
        sql<boolean>`${m.reference ? sql`l.reference = ${m.reference}` : sql`false`}`.as('by_reference'),
      ])
      .where('l.authority_id', '=', authorityId)
      .where((eb) => {
        const ors = [];
        if (m.email) ors.push(eb('l.email_key', '=', m.email.toLowerCase()));
        if (m.phone) ors.push(eb('l.phone_key', '=', m.phone));
        if (m.name)
          ors.push(eb.and([eb('l.name_key', '=', m.name.toLowerCase()), eb('l.service_area', '=', m.serviceArea)]));
        if (m.reference) ors.push(eb('l.reference', '=', m.reference));
        return ors.length > 0 ? eb.or(ors) : eb.val(false);
      })
      .orderBy('l.received_on', 'desc')
      .limit(10)
      .modifyEnd(planEachRun)
      .execute();
  }

  async link(id: string, complaintId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('local_complaints')
      .set({ complaint_id: complaintId, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** The dashboard's counts for one authority and a period of receipt, by stage and service area. */
  async oversight(authorityId: string, from: string, to: string) {
    return this.db
      .selectFrom('local_complaints as l')
      .innerJoin('local_complaint_stages as s', 's.local_complaint_id', 'l.id')
      .leftJoin('complaints as c', 'c.id', 'l.complaint_id')
      .select((eb) => [
        's.stage',
        'l.service_area',
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(*) filter (where s.acknowledged_on <= s.acknowledge_by)::int`.as('acknowledged_on_time'),
        sql<number>`count(*) filter (where s.acknowledged_on is not null)::int`.as('acknowledged'),
        sql<number>`count(*) filter (where s.responded_on <= s.respond_by)::int`.as('answered_on_time'),
        sql<number>`count(*) filter (where s.responded_on is not null)::int`.as('answered'),
        sql<number>`count(*) filter (where s.extension_working_days is not null)::int`.as('extended'),
        sql<number>`count(*) filter (where s.stage = 1 and l.stage > 1)::int`.as('escalated'),
        sql<number>`count(*) filter (where s.stage = l.stage and l.complaint_id is not null)::int`.as('to_ombudsman'),
        sql<number>`count(*) filter (where s.stage = l.stage and c.outcome in ('upheld-injustice', 'upheld-no-injustice'))::int`.as(
          'ombudsman_upheld',
        ),
        sql<number>`count(*) filter (where s.stage = l.stage and c.outcome = 'not-upheld')::int`.as(
          'ombudsman_not_upheld',
        ),
      ])
      .where('l.authority_id', '=', authorityId)
      .where('l.received_on', '>=', from)
      .where('l.received_on', '<=', to)
      .groupBy(['s.stage', 'l.service_area'])
      .orderBy('s.stage')
      .orderBy('l.service_area')
      .execute();
  }

  /** Staff see aggregates only: counts and timeliness across an authority's records. */
  async aggregate(authorityId: string) {
    return this.db
      .selectFrom('local_complaints as l')
      .innerJoin('local_complaint_stages as s', 's.local_complaint_id', 'l.id')
      .select((eb) => [
        's.stage',
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(*) filter (where s.acknowledged_on <= s.acknowledge_by)::int`.as('acknowledged_on_time'),
        sql<number>`count(*) filter (where s.responded_on <= s.respond_by)::int`.as('answered_on_time'),
      ])
      .where('l.authority_id', '=', authorityId)
      .groupBy('s.stage')
      .orderBy('s.stage')
      .execute();
  }

  async settings(authorityId: string) {
    return this.db
      .selectFrom('local_complaint_settings')
      .select(['column_mapping', 'retention_years', 'self_assessment'])
      .where('authority_id', '=', authorityId)
      .executeTakeFirst();
  }

  async saveSettings(
    authorityId: string,
    values: { column_mapping?: Record<string, string>; self_assessment?: Record<string, string> },
    now: Date,
  ): Promise<void> {
    const set: { column_mapping?: string; self_assessment?: string; updated_at: Date } = { updated_at: now };
    if (values.column_mapping) set.column_mapping = JSON.stringify(values.column_mapping);
    if (values.self_assessment) set.self_assessment = JSON.stringify(values.self_assessment);
    await this.db
      .insertInto('local_complaint_settings')
      .values({ authority_id: authorityId, ...set })
      .onConflict((oc) => oc.column('authority_id').doUpdateSet(set))
      .execute();
  }

  async insertImport(values: {
    authority_id: string;
    created_by: string | null;
    file_name: string;
    total_rows: number;
    to_create: number;
    to_update: number;
    unchanged: number;
    refused: number;
    rows: string;
    refusals: string;
  }): Promise<string> {
    const row = await this.db
      .insertInto('local_complaint_imports')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async findImport(id: string, authorityId: string) {
    return this.db
      .selectFrom('local_complaint_imports')
      .select([
        'id',
        'file_name',
        'status',
        'total_rows',
        'processed_rows',
        'to_create',
        'to_update',
        'unchanged',
        'refused',
        'refusals',
        'created_at',
        'finished_at',
      ])
      .where('id', '=', id)
      .where('authority_id', '=', authorityId)
      .executeTakeFirst();
  }

  async importRows(id: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('local_complaint_imports')
      .select('rows')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.rows ?? null;
  }

  /** Marks a checked import as saving; false when another request already started it. */
  async claimImport(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('local_complaint_imports')
      .set({ status: 'saving' })
      .where('id', '=', id)
      .where('status', '=', 'checked')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async importProgress(
    id: string,
    values: { processed_rows?: number; status?: 'succeeded' | 'failed'; finished_at?: Date },
  ) {
    await this.db
      .updateTable('local_complaint_imports')
      .set({ ...values, ...(values.status ? { rows: null } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async recentImports(authorityId: string) {
    return this.db
      .selectFrom('local_complaint_imports')
      .select(['id', 'file_name', 'status', 'total_rows', 'to_create', 'to_update', 'refused', 'created_at'])
      .where('authority_id', '=', authorityId)
      .orderBy('created_at', 'desc')
      .limit(5)
      .execute();
  }

  /** Deletes closed records past their authority's retention (default years when it has no setting). */
  async deleteExpired(today: string, defaultYears: number): Promise<number> {
    const r = await this.db
      .deleteFrom('local_complaints as l')
      .where('l.closed_on', 'is not', null)
      .where(
        sql<boolean>`l.closed_on + make_interval(years => coalesce((select s.retention_years from local_complaint_settings s where s.authority_id = l.authority_id), ${defaultYears})) < ${today}::date`,
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
