import { addDays } from '../../platform/calendar/calendar.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import type { DraftSections } from '../decisions/domain.ts';
import { alert } from './alerts.ts';
import { audit, manager, say, type PublicReportsContext } from './context.ts';
import { CRITERION_NAMES, DRAFT_REPORT_COMMENT_DAYS, type ReportCriterion } from './domain.ts';
import { view } from './reading.ts';

export interface ProposeInput {
  criteria: ReportCriterion[];
  sections: DraftSections;
}

/**
 * Proposes a public report on a case under investigation and issues its draft: the draft report
 * takes the place of the draft decision (to the complainant and the authority, with a three-week
 * comment period) and the authority's chief executive, monitoring officer and head of service for
 * the case's service area are alerted by email and in the portal, each recorded.
 */
export async function propose(ctx: PublicReportsContext, actor: Actor, complaintId: string, input: ProposeInput) {
  manager(actor);
  const criteria = [...new Set(input.criteria)];
  if (criteria.length === 0)
    throw invalid([{ field: 'criteria', message: 'Select the criteria for a public report that apply' }]);
  return ctx.repo.transaction(async (repo, trx) => {
    const complaint = await repo.lockComplaint(complaintId);
    if (!complaint) throw notFound('The complaint');
    if (await repo.openReport(complaintId)) throw conflict('This case already has a public report in progress');
    if (complaint.status !== 'investigation') {
      throw conflict('A public report can only be proposed on a case under investigation', [
        { field: 'criteria', message: 'A public report can only be proposed on a case under investigation' },
      ]);
    }
    const today = londonToday(ctx);
    const draft = await ctx.decisions.issueDraftInTx(
      trx,
      actor,
      complaintId,
      { sections: input.sections },
      { form: 'report', commentDueOn: addDays(today, DRAFT_REPORT_COMMENT_DAYS) },
    );
    const now = ctx.clock.now();
    const report = await repo.insertReport({
      complaint_id: complaintId,
      authority_id: complaint.authority_id,
      status: 'draft',
      criteria,
      draft_id: draft.draftId,
      comment_due_on: draft.commentDueOn,
      draft_issued_on: today,
      proposed_by: actor.type === 'user' ? actor.id : null,
      created_at: now,
      updated_at: now,
    });
    await audit(trx, actor, 'public-report.proposed', report.id, complaint.authority_id);
    const alerted = await alert(ctx, trx, actor, report, 'draft', 1, {
      subject: `Draft public report on complaint ${complaint.reference}`,
      text: [
        `The ombudsman proposes to issue a public report on complaint ${complaint.reference} about your authority.`,
        `The criteria for reporting: ${criteria.map((c) => CRITERION_NAMES[c]).join('; ')}.`,
        `The draft report has been sent to your link officers. Comments are due by ${say(draft.commentDueOn)}.`,
        `Read it in the authority portal: ${ctx.settings.baseUrl}/portal/public-reports/${report.id}`,
      ].join('\n\n'),
    });
    return { report: await view(ctx, repo, report.id), alerted, commentDueOn: draft.commentDueOn };
  });
}
