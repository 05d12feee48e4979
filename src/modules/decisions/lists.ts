import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { forbidden } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { mayReadScope, type HomeScope } from '../home/scope.ts';
import { requireStaff, type DecisionsContext } from './context.ts';
import { FINAL_OUTCOMES, FINAL_OUTCOME_NAMES, FORM_NAMES, isFault, remedyLine, type RemedyProposal } from './domain.ts';

/* The reads across many cases: an authority's findings of fault, and the home pages' panels. */

/**
 * Every finding of fault against the actor's authority decided in a period (inclusive), for the
 * monitoring officer's report to members.
 */
export async function findings(ctx: DecisionsContext, actor: Actor, from: IsoDate, to: IsoDate) {
  if (actor.authorityId === null || !can(actor, 'findings:portal')) throw forbidden();
  const rows = await ctx.lists.findings(
    actor.authorityId,
    from,
    to,
    FINAL_OUTCOMES.filter((o) => isFault(o)),
  );
  return rows.map((r) => ({
    complaintId: r.complaint_id,
    reference: r.reference,
    serviceArea: r.service_area,
    decidedOn: r.decided_on,
    outcome: r.outcome,
    outcomeName: FINAL_OUTCOME_NAMES[r.outcome],
    formName: FORM_NAMES[r.form].final,
    statement: r.statement,
    remedies: ((r.remedies ?? []) as RemedyProposal[]).map(remedyLine),
  }));
}

/**
 * Current drafts waiting for the authority's comments, for a home page (an authority's, or an
 * investigator's cases), soonest comment deadline first, with counts. `actor` null: the system.
 */
export async function awaitingComment(
  ctx: DecisionsContext,
  actor: Actor | null,
  scope: HomeScope,
  o: { dueBy?: IsoDate | null; limit: number },
) {
  if (!mayReadScope(actor, scope)) throw forbidden();
  if (actor && actor.authorityId !== null && !can(actor, 'decisions:portal')) throw forbidden();
  const today = londonToday(ctx);
  const panel = await ctx.lists.awaitingComment(scope, { today, dueBy: o.dueBy ?? null, limit: o.limit });
  return {
    total: panel.total,
    late: panel.late,
    items: panel.rows.map((r) => ({
      id: r.id,
      complaintId: r.complaint_id,
      version: r.version,
      formName: FORM_NAMES[r.form].draft,
      reference: r.reference,
      authorityName: r.authority_name,
      dueDate: r.due_on,
      late: r.due_on < today,
    })),
  };
}

/** Reviews of final decisions waiting for a casework manager, for the staff home. */
export async function pendingReviews(ctx: DecisionsContext, actor: Actor, limit = 5) {
  requireStaff(actor, 'decisions:review');
  return ctx.lists.pendingReviews(limit);
}
