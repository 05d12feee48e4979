import type { Tx } from '../../platform/db/database.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import type { DraftForm, FinalOutcome } from '../decisions/domain.ts';
import { alert } from './alerts.ts';
import { audit, manager, type PublicReportsContext } from './context.ts';
import { view } from './reading.ts';
import { addSteps } from './steps.ts';

/* The final report, the final-decision hook that starts the statutory tracker, and the open-work check. */

/**
 * Issues the final report (the final decision of the case) on the case's draft report. Before the
 * draft's comment deadline it needs the confirmation and the reason, as any final decision does.
 */
export async function issueFinal(
  ctx: PublicReportsContext,
  actor: Actor,
  complaintId: string,
  input: {
    statement: string;
    outcome?: FinalOutcome;
    earlyConfirmed?: boolean | undefined;
    earlyReason?: string | null;
  },
) {
  manager(actor);
  return ctx.repo.transaction(async (repo, trx) => {
    const open = await repo.openReport(complaintId);
    if (!open) {
      if (!(await repo.complaint(complaintId))) throw notFound('The complaint');
      throw conflict('Issue a draft report before the final report', [
        { field: 'statement', message: 'Issue a draft report before the final report' },
      ]);
    }
    const report = await repo.lockReport(open.id);
    if (!report || report.status !== 'draft') throw conflict('The final report has already been issued');
    await ctx.decisions.issueFinalInTx(
      trx,
      actor,
      complaintId,
      {
        outcome: input.outcome ?? 'upheld-injustice',
        statement: input.statement,
        earlyConfirmed: input.earlyConfirmed,
        earlyReason: input.earlyReason ?? null,
      },
      { form: 'report' },
    );
    const issued = await repo.report(report.id);
    // The decisions module starts the tracker through the final-decision hook (startTracker).
    if (!issued || issued.status !== 'final') throw new Error('The final report did not start its statutory tracker');
    const complaint = await repo.complaint(complaintId);
    const alerted = await alert(ctx, trx, actor, issued, 'final', 1, {
      subject: `Final public report on complaint ${complaint?.reference ?? ''}`.trim(),
      text: [
        `The ombudsman has issued its public report on complaint ${complaint?.reference ?? ''} about your authority.`,
        'The law requires your authority to give public notice of it, make it available for public inspection, ' +
          'consider it and tell the ombudsman what action it has taken. The steps and their due dates are in the authority portal: ' +
          `${ctx.settings.baseUrl}/portal/public-reports/${issued.id}`,
      ].join('\n\n'),
    });
    return { report: await view(ctx, repo, issued.id), alerted };
  });
}

/**
 * The final-decision hook: a final decision of form 'report' makes the case's draft report final
 * and starts its statutory tracker (four steps with their due dates from the day it was decided).
 */
export async function startTracker(
  ctx: PublicReportsContext,
  trx: Tx,
  actor: Actor,
  e: { complaintId: string; finalDecisionId: string; form: DraftForm; decidedOn: string },
): Promise<void> {
  if (e.form !== 'report') return;
  const repo = ctx.repo.with(trx);
  const open = await repo.openReport(e.complaintId);
  if (!open || open.status !== 'draft') return;
  await repo.updateReport(open.id, {
    status: 'final',
    final_decision_id: e.finalDecisionId,
    final_issued_on: e.decidedOn,
    updated_at: ctx.clock.now(),
  });
  await addSteps(ctx, trx, open.id, open.authority_id, 1, e.decidedOn);
  await audit(trx, actor, 'public-report.final-issued', open.id, open.authority_id);
}

/** The open-work check: a case with a public report not yet closed by a letter of satisfaction stays open. */
export async function openWork(ctx: PublicReportsContext, trx: Tx, complaintId: string): Promise<string | null> {
  return (await ctx.repo.with(trx).hasOpenReport(complaintId)) ? 'statutory steps outstanding' : null;
}
