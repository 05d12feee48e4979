import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { CaseworkRows, Outcome } from '../../src/modules/statistics/domain.ts';
import type { Db } from '../../src/platform/db/database.ts';

/** Casework rows for the statistics tests, written straight to the casework tables as the modules would leave them. */

let sequence = 0;
const reference = () => {
  const n = String(100_000 + ((sequence++ * 7919 + crypto.randomInt(0, 97)) % 900_000));
  return `${String(crypto.randomInt(10, 99))} ${n.slice(0, 3)} ${n.slice(3, 6)}`;
};
const hash = () => crypto.randomBytes(32).toString('hex');

/** A complaint received at `receivedAt`; closed with `outcome` at `closedAt` when given. */
export async function addComplaint(
  db: Db,
  authorityId: string,
  input: { receivedAt: string; serviceArea?: string; outcome?: Outcome; closedAt?: string },
): Promise<string> {
  const closed = input.outcome !== undefined;
  const row = await db.kysely
    .insertInto('complaints')
    .values({
      reference: reference(),
      authority_id: authorityId,
      service_area: input.serviceArea ?? 'housing',
      channel: 'phone',
      summary: 'The repair was never done.',
      authority_process_finished: true,
      received_at: new Date(input.receivedAt),
      status: closed ? 'closed' : 'assessment',
      outcome: input.outcome ?? null,
      closed_at: closed ? new Date(input.closedAt ?? input.receivedAt) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A complaint investigated to a final decision on `decidedOn` (London date), still open for its remedies. */
export async function addDecision(
  db: Db,
  authorityId: string,
  input: { receivedAt: string; decidedOn: string; outcome: Outcome; serviceArea?: string },
): Promise<string> {
  const id = await addComplaint(db, authorityId, {
    receivedAt: input.receivedAt,
    ...(input.serviceArea ? { serviceArea: input.serviceArea } : {}),
  });
  await db.kysely.updateTable('complaints').set({ status: 'remedy' }).where('id', '=', id).execute();
  await db.kysely
    .insertInto('final_decisions')
    .values({
      complaint_id: id,
      authority_id: authorityId,
      form: 'decision',
      draft_id: null,
      outcome: input.outcome as never,
      statement: 'We found fault.',
      decided_at: new Date(`${input.decidedOn}T11:00:00Z`),
      decided_on: input.decidedOn,
      review_due_on: input.decidedOn,
      complainant_token_hash: hash(),
    })
    .execute();
  return id;
}

/** An agreed remedy due on `dueOn`, complied with (on time or late) when said. */
export async function addRemedy(
  db: Db,
  authorityId: string,
  complaintId: string,
  input: { dueOn: string; complied?: 'on-time' | 'late' },
): Promise<void> {
  const complied = input.complied !== undefined;
  await db.kysely
    .insertInto('remedies')
    .values({
      complaint_id: complaintId,
      authority_id: authorityId,
      draft_id: crypto.randomUUID(),
      draft_version: 1,
      position: 1,
      type: 'apology',
      description: 'Apologise to the complainant.',
      status: complied ? 'complied' : 'agreed',
      proposed_at: new Date(`${input.dueOn}T09:00:00Z`),
      agreed_at: new Date(`${input.dueOn}T09:00:00Z`),
      due_on: input.dueOn,
      agreed_due_on: input.dueOn,
      complied_at: complied ? new Date(`${input.dueOn}T10:00:00Z`) : null,
      complied_on: complied ? input.dueOn : null,
      complied_on_time: complied ? input.complied === 'on-time' : null,
    } as never)
    .execute();
}

/** A final public report issued on `finalIssuedOn`. */
export async function addPublicReport(
  db: Db,
  authorityId: string,
  complaintId: string,
  finalIssuedOn: string,
): Promise<void> {
  await db.kysely
    .insertInto('public_reports')
    .values({
      complaint_id: complaintId,
      authority_id: authorityId,
      status: 'final',
      criteria: ['significant-injustice'],
      comment_due_on: finalIssuedOn,
      draft_issued_on: finalIssuedOn,
      final_issued_on: finalIssuedOn,
      created_at: new Date(),
      updated_at: new Date(),
    } as never)
    .execute();
}

/** The authority's casework read back as plain rows, for the domain's own count. */
export async function caseworkOf(db: Db, authorityId: string): Promise<CaseworkRows> {
  const complaints = await sql<{ receivedOn: string; serviceArea: string }>`
    SELECT to_char(received_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "receivedOn", service_area AS "serviceArea"
    FROM complaints WHERE authority_id = ${authorityId}`.execute(db.kysely);
  const decisions = await sql<{ decidedOn: string; outcome: Outcome }>`
    SELECT to_char(fd.decided_on, 'YYYY-MM-DD') AS "decidedOn", fd.outcome FROM final_decisions fd WHERE fd.authority_id = ${authorityId}
    UNION ALL
    SELECT to_char(c.closed_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD'), c.outcome FROM complaints c
    WHERE c.authority_id = ${authorityId} AND c.closed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM final_decisions fd WHERE fd.complaint_id = c.id)`.execute(db.kysely);
  const remedies = await sql<CaseworkRows['remedies'][number]>`
    SELECT to_char(due_on, 'YYYY-MM-DD') AS "dueOn", status, complied_on_time AS "compliedOnTime" FROM remedies
    WHERE authority_id = ${authorityId} AND status IN ('agreed', 'complied', 'not-satisfied')`.execute(db.kysely);
  const reports = await sql<{ finalIssuedOn: string | null }>`
    SELECT to_char(final_issued_on, 'YYYY-MM-DD') AS "finalIssuedOn" FROM public_reports WHERE authority_id = ${authorityId}`.execute(
    db.kysely,
  );
  return {
    complaints: complaints.rows,
    decisions: decisions.rows,
    remedies: remedies.rows,
    publicReports: reports.rows,
  };
}
