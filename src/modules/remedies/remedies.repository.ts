import { sql, type Kysely } from 'kysely';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { Database, NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import { toldToAuthorityOf } from '../complaints/complaints.sql.ts';

export type RemedyRow = Row<'remedies'>;
export type EvidenceRow = Row<'remedy_evidence'> & {
  document_filename: string | null;
  submitted_by_name: string | null;
  reviewed_by_name: string | null;
};
export type ActionRow = Row<'remedy_actions'> & { taken_by_name: string | null; linked_reference: string | null };
export type RemedyWithCase = RemedyRow & { reference: string; authority_name: string; complaint_status: string };

/** Remedies with their case's reference and status and their authority's name. */
export function remediesWithCase(db: DbOrTx) {
  return db
    .selectFrom('remedies as r')
    .innerJoin('complaints as c', 'c.id', 'r.complaint_id')
    .innerJoin('authorities as a', 'a.id', 'r.authority_id')
    .selectAll('r')
    .select(['c.reference', 'a.name as authority_name', 'c.status as complaint_status']);
}

/**
 * Kysely queries for remedies, their evidence and the managers' actions, and the cases they hang
 * from. The lists across many remedies are in `lists.repository.ts`, the reminder sweep in
 * `reminders.repository.ts`.
 */
export class RemediesRepository {
  constructor(private readonly db: Kysely<Database> | DbOrTx) {}

  with(db: DbOrTx): RemediesRepository {
    return new RemediesRepository(db);
  }

  /** Runs `work` in one transaction, with a repository bound to it (and the transaction, for other modules' services). */
  transaction<T>(work: (repo: RemediesRepository, trx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new RemediesRepository(trx), trx));
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  // Complaints (read here, owned by the complaints module) ---------------------------------------------

  /** Whether the authority has been told of the case (the complaints module's rule). */
  caseTold(complaintId: string): Promise<boolean> {
    return toldToAuthorityOf(this.db, complaintId);
  }

  /** A case and its authority. */
  complaint(id: string) {
    return this.db.selectFrom('complaints').select(['id', 'authority_id']).where('id', '=', id).executeTakeFirst();
  }

  /** A case's reference; the case must exist. */
  async reference(complaintId: string): Promise<string> {
    const row = await this.db
      .selectFrom('complaints')
      .select('reference')
      .where('id', '=', complaintId)
      .executeTakeFirstOrThrow();
    return row.reference;
  }

  /** Cases under investigation for the demo's remedies, the given authority's first. */
  complaintsUnderInvestigation(firstAuthorityId: string, limit: number) {
    return this.db
      .selectFrom('complaints')
      .select(['id', 'authority_id', 'summary', 'service_area'])
      .where('status', '=', 'investigation')
      .orderBy(sql`authority_id = ${firstAuthorityId}`, 'desc')
      .orderBy('received_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  // Remedies ---------------------------------------------------------------------------------------------

  find(id: string): Promise<RemedyWithCase | undefined> {
    return remediesWithCase(this.db).where('r.id', '=', id).executeTakeFirst();
  }

  lock(id: string): Promise<RemedyRow | undefined> {
    return this.db.selectFrom('remedies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** A case's remedies, latest draft first, in their order. */
  forComplaint(complaintId: string): Promise<RemedyRow[]> {
    return this.db
      .selectFrom('remedies')
      .selectAll()
      .where('complaint_id', '=', complaintId)
      .orderBy('draft_version', 'desc')
      .orderBy('position')
      .execute();
  }

  async insert(rows: NewRow<'remedies'>[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const out = await this.db.insertInto('remedies').values(rows).returning('id').execute();
    return out.map((r) => r.id);
  }

  async update(id: string, changes: RowUpdate<'remedies'>): Promise<void> {
    await this.db.updateTable('remedies').set(changes).where('id', '=', id).execute();
  }

  /** Moves an agreed remedy's due date back, as if agreed earlier (demo data only). */
  async backdate(id: string, dueOn: string): Promise<void> {
    await this.db.updateTable('remedies').set({ due_on: dueOn, agreed_due_on: dueOn }).where('id', '=', id).execute();
  }

  /** Proposals of earlier drafts of a case are replaced by a new draft's. */
  async supersedeProposals(complaintId: string, exceptDraftId: string | null): Promise<void> {
    let q = this.db
      .updateTable('remedies')
      .set({ status: 'superseded' })
      .where('complaint_id', '=', complaintId)
      .where('status', '=', 'proposed');
    if (exceptDraftId !== null) q = q.where('draft_id', '<>', exceptDraftId);
    await q.execute();
  }

  proposalsOf(draftId: string): Promise<RemedyRow[]> {
    return this.db
      .selectFrom('remedies')
      .selectAll()
      .where('draft_id', '=', draftId)
      .where('status', '=', 'proposed')
      .orderBy('position')
      .forUpdate()
      .execute();
  }

  async countOutstanding(complaintId: string): Promise<number> {
    const row = await this.db
      .selectFrom('remedies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('complaint_id', '=', complaintId)
      .where('status', '=', 'agreed')
      .executeTakeFirstOrThrow();
    return row.n;
  }

  evidence(remedyIds: readonly string[]): Promise<EvidenceRow[]> {
    if (remedyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('remedy_evidence as e')
      .leftJoin('documents as d', 'd.id', 'e.document_id')
      .leftJoin('users as s', 's.id', 'e.submitted_by')
      .leftJoin('users as v', 'v.id', 'e.reviewed_by')
      .selectAll('e')
      .select([
        'd.filename as document_filename',
        's.display_name as submitted_by_name',
        'v.display_name as reviewed_by_name',
      ])
      .where('e.remedy_id', 'in', remedyIds)
      .orderBy('e.submitted_at')
      .orderBy('e.id')
      .execute();
  }

  lockEvidence(id: string) {
    return this.db.selectFrom('remedy_evidence').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async insertEvidence(row: NewRow<'remedy_evidence'>): Promise<string> {
    const out = await this.db.insertInto('remedy_evidence').values(row).returning('id').executeTakeFirstOrThrow();
    return out.id;
  }

  async updateEvidence(id: string, changes: RowUpdate<'remedy_evidence'>): Promise<void> {
    await this.db.updateTable('remedy_evidence').set(changes).where('id', '=', id).execute();
  }

  async waitingEvidence(remedyId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('remedy_evidence')
      .select('id')
      .where('remedy_id', '=', remedyId)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    return row !== undefined;
  }

  actions(remedyIds: readonly string[]): Promise<ActionRow[]> {
    if (remedyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('remedy_actions as x')
      .leftJoin('users as u', 'u.id', 'x.taken_by')
      .leftJoin('complaints as l', 'l.id', 'x.linked_complaint_id')
      .selectAll('x')
      .select(['u.display_name as taken_by_name', 'l.reference as linked_reference'])
      .where('x.remedy_id', 'in', remedyIds)
      .orderBy('x.taken_at')
      .orderBy('x.id')
      .execute();
  }

  async insertAction(row: NewRow<'remedy_actions'>): Promise<void> {
    await this.db.insertInto('remedy_actions').values(row).execute();
  }
}
