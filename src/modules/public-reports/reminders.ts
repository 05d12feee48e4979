import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { say, type PublicReportsContext } from './context.ts';
import { STEP_NAMES, reminderThresholds } from './domain.ts';
import type { DueReminder } from './public-reports.repository.ts';

/**
 * Writes every reminder and escalation due now, each once, as correspondence on its case: reminders
 * to the link officers before a step falls due and when it is overdue; an escalation letter to the
 * chief executive once it is overdue by the escalation period (the step is marked escalated for
 * staff). Safe to run on several workers at once: the reminder's unique key decides who writes it.
 */
export async function sweep(ctx: PublicReportsContext): Promise<{ reminders: number }> {
  const now = ctx.clock.now();
  const t = reminderThresholds(londonToday(ctx), ctx.settings.reminderDays, ctx.settings.escalationDays);
  return ctx.repo.transaction(async (repo, trx) => {
    const due = await repo.recordDueReminders(t, now);
    for (const r of due) await writeReminder(ctx, trx, r, now);
    return { reminders: due.length };
  });
}

async function writeReminder(ctx: PublicReportsContext, trx: Tx, r: DueReminder, now: Date): Promise<void> {
  const step = STEP_NAMES[r.stepKind];
  const link = `${ctx.settings.baseUrl}/portal/public-reports/${r.reportId}`;
  const escalation = r.kind === 'escalated';
  await ctx.correspondence.write(trx, {
    complaintId: r.complaintId,
    kind: 'reminder',
    addressees: escalation ? ['chief-executive'] : ['link-officers'],
    subject: escalation
      ? `Escalation: public report on complaint ${r.reference}: ${step.toLowerCase()} is overdue`
      : r.kind === 'overdue'
        ? `Overdue: public report on complaint ${r.reference}: ${step.toLowerCase()}`
        : `Reminder: public report on complaint ${r.reference}: ${step.toLowerCase()} is due soon`,
    text: escalation
      ? `${r.authorityName} was due to complete this statutory step after the ombudsman's public report on complaint ${r.reference} by ${say(r.dueOn)}: ${step}. ` +
        `We have reminded your link officers and have no evidence that it is done. Please make sure it is done without further delay and the evidence sent: ${link}`
      : `${step}: due by ${say(r.dueOn)}${r.kind === 'overdue' ? ', and now overdue' : ''}, after the public report on complaint ${r.reference}.\n\n` +
        `Upload the evidence in the authority portal: ${link}`,
    actor: null,
  });
  await writeAudit(trx, {
    actor: { type: 'system', id: null },
    action: `public-report.reminder-${r.kind}`,
    recordType: 'public-report',
    recordId: r.reportId,
    authorityId: r.authorityId,
  });
  if (escalation) await ctx.repo.with(trx).updateStep(r.stepId, { escalated_at: now });
}
