import type { IsoDate } from '../../platform/calendar/calendar.ts';
import type { Tx } from '../../platform/db/database.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { alert } from './alerts.ts';
import { audit, manager, type PublicReportsContext } from './context.ts';
import {
  FURTHER_REASON_NAMES,
  STEP_NAMES,
  planSteps,
  satisfactionBlocker,
  type ConsideringBody,
  type FurtherReason,
} from './domain.ts';
import { view } from './reading.ts';

/* The statutory tracker: its steps and their evidence, further reports, and the letter of satisfaction. */

export interface StepEvidence {
  filename: string;
  bytes: Buffer;
  note?: string | null | undefined;
  body?: ConsideringBody | null | undefined;
}

/** A round of statutory steps, each due by its rule counted from the day the report was issued. */
export async function addSteps(
  ctx: PublicReportsContext,
  trx: Tx,
  reportId: string,
  authorityId: string,
  round: number,
  issuedOn: IsoDate,
) {
  const now = ctx.clock.now();
  await ctx.repo.with(trx).insertSteps(
    planSteps(issuedOn, ctx.settings).map((s) => ({
      report_id: reportId,
      authority_id: authorityId,
      round,
      kind: s.kind,
      position: s.position,
      due_on: s.dueOn,
      due_rule: s.rule,
      created_at: now,
    })),
  );
}

/**
 * Records a statutory step as done with its evidence (e.g. the newspaper notice, the minutes of the
 * meeting): by the authority in the portal, or by staff for it. The consideration step says who
 * considered the report. A step done after its due date is kept and shown as done late.
 */
export async function completeStep(
  ctx: PublicReportsContext,
  actor: Actor,
  reportId: string,
  stepId: string,
  evidence: StepEvidence | null,
) {
  const staff = actor.authorityId === null;
  if (staff ? !can(actor, 'public-reports:manage') : !can(actor, 'public-reports:portal')) throw forbidden();
  return ctx.repo.transaction(async (repo, trx) => {
    const report = await repo.lockReport(reportId);
    if (!report || (!staff && report.authority_id !== actor.authorityId)) throw notFound('The public report');
    const step = await repo.lockStep(stepId);
    if (!step || step.report_id !== report.id) throw notFound('The step');
    if (report.status !== 'final' || step.round !== report.round)
      throw conflict('This step is no longer open: the report has moved on');
    if (step.completed_on) throw conflict('This step has already been recorded as done');
    if (!evidence) throw invalid([{ field: 'file', message: 'Select the evidence that the step is done' }]);
    if (step.kind === 'consideration' && !evidence.body)
      throw invalid([{ field: 'body', message: 'Select who considered the report' }]);
    const document = await ctx.files.store(trx, evidence.bytes, {
      filename: evidence.filename,
      complaintId: report.complaint_id,
      authorityId: report.authority_id,
      description: `Evidence: ${STEP_NAMES[step.kind]}`,
      uploadedBy: actor,
    });
    const today = londonToday(ctx);
    await repo.updateStep(step.id, {
      completed_on: today,
      completed_at: ctx.clock.now(),
      completed_by: actor.type === 'user' ? actor.id : null,
      evidence_document_id: document.id,
      note: evidence.note?.trim() || null,
      body: step.kind === 'consideration' ? (evidence.body ?? null) : null,
    });
    await audit(trx, actor, `public-report.step-done-${step.kind}`, report.id, report.authority_id);
    return { late: today > step.due_on };
  });
}

/**
 * A further report, when the authority has not responded or the ombudsman is not satisfied with
 * its action: the leaders are alerted again and a new round of statutory steps starts from today.
 */
export async function furtherReport(
  ctx: PublicReportsContext,
  actor: Actor,
  reportId: string,
  input: { reason: FurtherReason; text: string },
) {
  manager(actor);
  return ctx.repo.transaction(async (repo, trx) => {
    const report = await repo.lockReport(reportId);
    if (!report) throw notFound('The public report');
    if (report.status !== 'final')
      throw conflict(
        report.status === 'draft'
          ? 'A further report follows the final report: issue that first'
          : 'This report is closed with a letter of satisfaction',
      );
    const round = report.round + 1;
    const today = londonToday(ctx);
    await repo.insertFurther({
      report_id: report.id,
      round,
      reason: input.reason,
      text_body: input.text,
      issued_on: today,
      issued_by: actor.type === 'user' ? actor.id : null,
      created_at: ctx.clock.now(),
    });
    const updated = await repo.updateReport(report.id, { round, updated_at: ctx.clock.now() });
    await addSteps(ctx, trx, report.id, report.authority_id, round, today);
    await audit(trx, actor, 'public-report.further-issued', report.id, report.authority_id);
    const complaint = await repo.complaint(report.complaint_id);
    const alerted = await alert(ctx, trx, actor, updated, 'further', round, {
      subject: `Further public report on complaint ${complaint?.reference ?? ''}`.trim(),
      text: [
        `The ombudsman has issued a further report on complaint ${complaint?.reference ?? ''}. ${FURTHER_REASON_NAMES[input.reason]}.`,
        input.text,
        'Your authority must again give public notice, make the report available, consider it and tell the ombudsman the action taken. ' +
          `The steps and their due dates: ${ctx.settings.baseUrl}/portal/public-reports/${report.id}`,
      ].join('\n\n'),
    });
    return { report: await view(ctx, repo, report.id), alerted };
  });
}

/**
 * The letter of satisfaction: once every statutory step of the current round is done, the ombudsman
 * writes to the chief executive and the report closes; the case closes too when nothing else is open.
 */
export async function satisfy(ctx: PublicReportsContext, actor: Actor, reportId: string, input: { text: string }) {
  manager(actor);
  return ctx.repo.transaction(async (repo, trx) => {
    const report = await repo.lockReport(reportId);
    if (!report) throw notFound('The public report');
    const steps = (await repo.steps(report.id)).filter((s) => s.round === report.round);
    const blocker = satisfactionBlocker(
      report.status,
      steps.map((s) => ({ kind: s.kind, dueOn: s.due_on, completedOn: s.completed_on })),
    );
    if (blocker) throw conflict(blocker, [{ field: 'text', message: blocker }]);
    const today = londonToday(ctx);
    await repo.updateReport(report.id, {
      status: 'satisfied',
      satisfied_on: today,
      satisfaction_text: input.text,
      updated_at: ctx.clock.now(),
    });
    const complaint = await repo.complaint(report.complaint_id);
    await ctx.correspondence.write(trx, {
      complaintId: report.complaint_id,
      kind: 'message',
      addressees: ['chief-executive'],
      subject: `Letter of satisfaction: public report on complaint ${complaint?.reference ?? ''}`.trim(),
      text: input.text,
      actor,
    });
    await audit(trx, actor, 'public-report.satisfied', report.id, report.authority_id);
    const closed = await ctx.decisions.closeIfComplete(trx, actor, report.complaint_id);
    return { closed };
  });
}
