import type { Tx } from '../../platform/db/database.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { isFault, type DraftForm, type FinalOutcome, type RemedyProposal } from '../decisions/domain.ts';
import { audit, type RemediesContext } from './context.ts';
import { agreedDueDate, checkProposals } from './domain.ts';

/*
 * Hooks from the decisions module, run in its transactions: remedies proposed with a draft, agreed
 * or withdrawn at the final decision, and the open-work check that keeps a case open.
 */

export interface DraftIssued {
  complaintId: string;
  draftId: string;
  version: number;
  form: DraftForm;
  issuedOn: string;
  remedies: RemedyProposal[];
}

export interface FinalDecided {
  complaintId: string;
  finalDecisionId: string;
  outcome: FinalOutcome;
  form: DraftForm;
  draftId: string | null;
  decidedOn: string;
}

/**
 * The remedies proposed with a draft (decision or report), kept with that draft's version; those
 * of earlier drafts are replaced. Runs in the draft's transaction: a bad proposal (a due date in
 * the past, a financial payment with no amount) throws and nothing of the draft is kept.
 */
export async function proposeWithDraft(ctx: RemediesContext, trx: Tx, actor: Actor, e: DraftIssued): Promise<void> {
  const problems = checkProposals(e.remedies, e.issuedOn);
  if (problems.length > 0) throw invalid(problems, 'A proposed remedy needs correcting');
  const repo = ctx.repo.with(trx);
  const complaint = await repo.complaint(e.complaintId);
  if (!complaint) throw notFound('The complaint');
  await repo.supersedeProposals(e.complaintId, e.draftId);
  const now = ctx.clock.now();
  const ids = await repo.insert(
    e.remedies.map((p, i) => ({
      complaint_id: e.complaintId,
      authority_id: complaint.authority_id,
      draft_id: e.draftId,
      draft_version: e.version,
      position: i + 1,
      type: p.type,
      description: p.description.trim(),
      amount_pence: p.type === 'financial' ? (p.amountPence ?? null) : null,
      proposed_working_days: p.dueInWorkingDays ?? null,
      proposed_due_on: p.dueDate ?? null,
      proposed_at: now,
    })),
  );
  for (const id of ids) await audit(repo, actor, 'remedy.proposed', id, complaint.authority_id);
}

/**
 * At the final decision the remedies of the decided draft are agreed, each with its due date,
 * when fault was found; otherwise they are withdrawn. Proposals of other drafts are replaced.
 */
export async function agreeAtFinalDecision(
  ctx: RemediesContext,
  trx: Tx,
  actor: Actor,
  e: FinalDecided,
): Promise<void> {
  const repo = ctx.repo.with(trx);
  await repo.supersedeProposals(e.complaintId, e.draftId);
  if (e.draftId === null) return;
  const proposals = (await repo.proposalsOf(e.draftId)).filter((p) => p.complaint_id === e.complaintId);
  const now = ctx.clock.now();
  for (const p of proposals) {
    if (isFault(e.outcome)) {
      const due = agreedDueDate(
        ctx.calendar,
        e.decidedOn,
        { dueOn: p.proposed_due_on, workingDays: p.proposed_working_days },
        ctx.settings.dueWorkingDays,
      );
      await repo.update(p.id, {
        status: 'agreed',
        agreed_at: now,
        due_on: due.dueOn,
        agreed_due_on: due.dueOn,
        due_rule: JSON.stringify(due.rule),
      });
      await audit(repo, actor, 'remedy.agreed', p.id, p.authority_id);
    } else {
      await repo.update(p.id, { status: 'withdrawn', closed_at: now });
      await audit(repo, actor, 'remedy.withdrawn', p.id, p.authority_id);
    }
  }
}

/** The open-work check: a case with agreed remedies not yet complied with stays open. */
export async function openWork(ctx: RemediesContext, trx: Tx, complaintId: string): Promise<string | null> {
  const n = await ctx.repo.with(trx).countOutstanding(complaintId);
  return n > 0 ? 'Remedies outstanding' : null;
}
