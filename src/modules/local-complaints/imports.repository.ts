import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { StageState } from './domain.ts';
import { stageRow, type NewEvent, type NewRecord } from './local-complaints.repository.ts';
import './local-complaints.tables.ts';

/** Imports from the authority's complaints system: the dry run's lookups, the import's rows and progress, and its batches. */
export class LocalComplaintImportsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx) {
    return new LocalComplaintImportsRepository(db);
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
}
