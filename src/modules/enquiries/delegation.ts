import { writeAudit } from '../../platform/audit/audit.ts';
import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { CLOSED, RESPONDED, audit, visible, type EnquiriesContext } from './context.ts';
import { onTimeRate, type DelegateSubmission } from './domain.ts';

/** A link officer hands a question (or the whole enquiry) to a delegate of the same authority. */
export async function delegate(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  input: { questionId: string | null; delegateUserId: string; internalDueDate: IsoDate },
): Promise<string> {
  const row = await ctx.repo.findEnquiry(enquiryId);
  const access = await visible(ctx, actor, row);
  if (access.scope !== 'link-officer' || !row || actor.type !== 'user') throw forbidden();
  const user = await ctx.repo.findAuthorityUser(input.delegateUserId);
  if (!user || user.authority_id !== row.authority_id || user.status === 'deactivated' || !user.is_delegate) {
    throw invalid([{ field: 'delegateUserId', message: 'Select a colleague who is a delegate of your authority' }]);
  }
  if (input.internalDueDate < londonToday(ctx)) {
    throw invalid([{ field: 'internalDueDate', message: 'The internal due date must be today or in the future' }]);
  }
  return ctx.repo.transaction(async (repo, trx) => {
    const locked = await repo.lockEnquiry(enquiryId);
    if (!locked) throw notFound('The enquiry');
    if (locked.status !== 'open') throw conflict(locked.status === 'closed' ? CLOSED : RESPONDED);
    if (input.questionId !== null) {
      const q = await repo.findQuestion(input.questionId);
      if (!q || q.enquiry_id !== enquiryId)
        throw invalid([{ field: 'questionId', message: 'Select a question of this enquiry' }]);
    }
    const delegationId = await repo.insertDelegation({
      enquiry_id: enquiryId,
      question_id: input.questionId,
      authority_id: locked.authority_id,
      delegate_user_id: input.delegateUserId,
      assigned_by: actor.id,
      internal_due_on: input.internalDueDate,
      created_at: ctx.clock.now(),
    });
    await audit(trx, actor, 'enquiry.delegated', enquiryId, locked.authority_id);
    return delegationId;
  });
}

/** The authority of a link officer in the portal; anyone else is refused. */
function portalLinkOfficer(actor: Actor): string {
  if (actor.authorityId === null || !actor.roles.includes('link-officer')) throw forbidden();
  return actor.authorityId;
}

/** The delegation dashboard: each colleague's open and overdue tasks and on-time rate. */
export async function delegationDashboard(ctx: EnquiriesContext, actor: Actor) {
  const authorityId = portalLinkOfficer(actor);
  const [rows, mode] = await Promise.all([
    ctx.repo.delegateFigures(authorityId, londonToday(ctx)),
    ctx.repo.delegateSubmission(authorityId),
  ]);
  return {
    delegateSubmission: mode,
    colleagues: rows.map((r) => ({
      id: r.id,
      name: r.display_name,
      open: r.open,
      overdue: r.overdue,
      done: r.done,
      onTimeRate: onTimeRate(r.done, r.done_on_time),
    })),
  };
}

export async function delegatesFor(ctx: EnquiriesContext, actor: Actor) {
  return ctx.repo.delegates(portalLinkOfficer(actor));
}

/** The authority's choice of how delegates' answers reach the ombudsman. */
export async function setDelegateSubmission(
  ctx: EnquiriesContext,
  actor: Actor,
  mode: DelegateSubmission,
): Promise<void> {
  const authorityId = portalLinkOfficer(actor);
  await ctx.repo.transaction(async (repo, trx) => {
    await repo.setDelegateSubmission(authorityId, mode, ctx.clock.now());
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'enquiry-settings.changed',
      recordType: 'authority',
      recordId: authorityId,
      authorityId,
      requestId: actor.requestId ?? null,
    });
  });
}
