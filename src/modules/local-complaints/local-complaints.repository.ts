import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
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

/** A stage's row as stored, with its two deadlines. */
export const stageRow = (id: string, s: StageState, ackBy: string, respondBy: string) => ({
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

/**
 * The records themselves, for the log and a record's page: reading and writing one record with its
 * stages and history, the authority's kind (which sets the stages) and the audit.
 */
export class LocalComplaintsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx) {
    return new LocalComplaintsRepository(db);
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
}
