import { SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { ComplaintStatus, RowUpdate } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/errors.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { ComplaintsRepository, type ComplaintRow } from './complaints.repository.ts';
import { lockOpen, statusActor, type ComplaintsContext } from './context.ts';
import { stepReason, stepsTo, type ComplaintOutcome } from './domain.ts';

// Moving a case from one status to the next, each step recorded with who, when and why.

/**
 * Moves a case on to `to` (by way of `through`, when given), recording every status it passes
 * through on the way with who, when and why. `actor` null is the system (a job).
 */
export async function move(
  ctx: ComplaintsContext,
  trx: Tx,
  actor: Actor | null,
  complaint: ComplaintRow,
  to: ComplaintStatus,
  change: {
    outcome?: ComplaintOutcome | null;
    reason?: string | null;
    set?: RowUpdate<'complaints'>;
    through?: ComplaintStatus;
  },
): Promise<void> {
  const steps = stepsTo(complaint.status, to, change.through);
  if (!steps) throw new DomainError('conflict', `The complaint is ${complaint.status}: it cannot move to ${to}`);
  const now = ctx.clock.now();
  // A case passes through what it would otherwise skip (intake, assessment): each step is recorded on its own.
  let from = complaint.status;
  for (const step of steps.slice(0, -1)) {
    await recordMove(trx, actor, complaint, { from, to: step, reason: stepReason(step), at: now });
    from = step;
  }
  await ComplaintsRepository.in(trx).updateComplaint(complaint.id, {
    status: to,
    updated_at: now,
    ...(to === 'closed'
      ? { closed_at: now, outcome: change.outcome ?? null, outcome_reason: change.reason ?? null }
      : {}),
    ...(steps.includes('assessment') ? { assessment_started_at: now } : {}),
    ...(change.set ?? {}),
  });
  await recordMove(trx, actor, complaint, {
    from,
    to,
    outcome: change.outcome ?? null,
    reason: change.reason ?? null,
    at: now,
  });
}

/** One step of a move: its status history row (who, when, why) and its audit row. */
async function recordMove(
  trx: Tx,
  actor: Actor | null,
  complaint: ComplaintRow,
  step: {
    from: ComplaintStatus;
    to: ComplaintStatus;
    outcome?: ComplaintOutcome | null;
    reason: string | null;
    at: Date;
  },
): Promise<void> {
  await ComplaintsRepository.in(trx).recordStatus(complaint, {
    from: step.from,
    to: step.to,
    outcome: step.outcome ?? null,
    reason: step.reason,
    by: statusActor(actor),
    at: step.at,
  });
  await writeAudit(trx, {
    actor: actor ? auditActor(actor) : SYSTEM_ACTOR,
    action: step.to === 'closed' ? `complaint.closed.${step.outcome ?? 'other'}` : `complaint.moved.${step.to}`,
    recordType: 'complaint',
    recordId: complaint.id,
    authorityId: complaint.authority_id,
    requestId: actor?.requestId ?? null,
  });
}

/**
 * Moves a case on inside the caller's transaction: decisions, remedies and public reports take a
 * case through decision → remedy → closed this way. Locks the row first; a move the status rules
 * forbid is a conflict. `actor` null is the system (a job): the history shows the system, never a
 * person or the online form. Returns the row as it was before the move.
 */
export async function transition(
  ctx: ComplaintsContext,
  trx: Tx,
  actor: Actor | null,
  id: string,
  to: ComplaintStatus,
  change: { outcome?: ComplaintOutcome | null; reason?: string | null } = {},
): Promise<ComplaintRow> {
  const complaint = await lockOpen(trx, id);
  if (complaint.status !== to) await move(ctx, trx, actor, complaint, to, change);
  return complaint;
}
