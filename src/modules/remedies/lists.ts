import { addDays, type IsoDate } from '../../platform/calendar/calendar.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { REMEDY_TYPE_NAMES } from '../decisions/domain.ts';
import { mayReadScope, type HomeScope } from '../home/scope.ts';
import { mayRead, staffOnly, type RemediesContext } from './context.ts';
import { REMEDY_STATUS_NAMES, complianceRates, isLate, type ComplianceRates } from './domain.ts';
import type { RemedyRow } from './remedies.repository.ts';

/* The lists across many remedies: an authority's, the staff work lists, the rates and the home pages' panels. */

/** An authority's agreed remedies for the portal, those still to do first. */
export async function forAuthority(ctx: RemediesContext, actor: Actor, authorityId: string, limit = 200) {
  if (!mayRead(actor, authorityId)) throw notFound('The authority');
  const rows = await ctx.lists.forAuthority(authorityId, limit);
  const today = londonToday(ctx);
  return rows.map((r) => ({
    id: r.id,
    complaintId: r.complaint_id,
    reference: r.reference,
    typeName: REMEDY_TYPE_NAMES[r.type],
    description: r.description,
    status: r.status,
    statusName: REMEDY_STATUS_NAMES[r.status],
    dueOn: r.due_on,
    late: isLate(r.status, r.due_on, today),
  }));
}

/** Staff work lists: evidence waiting for review, remedies escalated, remedies late. */
export async function workList(ctx: RemediesContext, actor: Actor, limit = 100) {
  staffOnly(actor, 'remedies:read');
  const [awaitingReview, escalated, late] = await Promise.all([
    ctx.lists.awaitingReview(limit),
    ctx.lists.escalated(limit),
    ctx.lists.late(londonToday(ctx), limit),
  ]);
  const name = (t: RemedyRow['type']) => REMEDY_TYPE_NAMES[t];
  return {
    awaitingReview: awaitingReview.map((r) => ({ ...r, typeName: name(r.type) })),
    escalated: escalated.map((r) => ({ ...r, typeName: name(r.type) })),
    late: late.map((r) => ({ ...r, typeName: name(r.type) })),
  };
}

/**
 * An authority's compliance rate and on-time rate over the year to `to` (default today): the
 * remedies that fell due in it or were complied with in it, computed from the records.
 */
export async function rates(
  ctx: RemediesContext,
  actor: Actor,
  authorityId: string,
  to?: IsoDate,
): Promise<ComplianceRates & { from: IsoDate; to: IsoDate }> {
  if (!mayRead(actor, authorityId)) throw notFound('The authority');
  const end = to ?? londonToday(ctx);
  const from = addDays(`${String(Number(end.slice(0, 4)) - 1)}${end.slice(4)}`, 1);
  const counts = await ctx.lists.counts(authorityId, from, end);
  return { ...complianceRates(counts), from, to: end };
}

/**
 * Agreed remedies not yet complied with, for a home page (an authority's, or an investigator's
 * cases), soonest due first, with counts. `actor` null: the system.
 */
export async function homePanel(
  ctx: RemediesContext,
  actor: Actor | null,
  scope: HomeScope,
  o: { dueBy?: IsoDate | null; limit: number },
) {
  if (!mayReadScope(actor, scope)) throw forbidden();
  if (actor && actor.authorityId !== null && !can(actor, 'remedies:portal')) throw forbidden();
  const today = londonToday(ctx);
  const panel = await ctx.lists.homePanel(scope, { today, dueBy: o.dueBy ?? null, limit: o.limit });
  return {
    total: panel.total,
    late: panel.late,
    items: panel.rows.map((r) => ({
      id: r.id,
      complaintId: r.complaint_id,
      typeName: REMEDY_TYPE_NAMES[r.type],
      description: r.description,
      reference: r.reference,
      authorityName: r.authority_name,
      dueDate: r.due_on,
      late: r.due_on < today,
      evidenceWaiting: r.evidence_waiting,
    })),
  };
}

/** Evidence waiting for a coordinator's check, oldest first, and how much there is, for the staff home. */
export async function evidenceToCheck(ctx: RemediesContext, actor: Actor, limit = 5) {
  staffOnly(actor, 'remedies:read');
  const [rows, total] = await Promise.all([ctx.lists.awaitingReview(limit), ctx.lists.countAwaitingReview()]);
  return { total, items: rows.map((r) => Object.assign({ typeName: REMEDY_TYPE_NAMES[r.type] }, r)) };
}

/** Remedies escalated to a casework manager, for the staff home. */
export async function escalatedRemedies(ctx: RemediesContext, actor: Actor, limit = 5) {
  staffOnly(actor, 'remedies:read');
  const rows = await ctx.lists.escalated(limit);
  return rows.map((r) => Object.assign({ typeName: REMEDY_TYPE_NAMES[r.type] }, r));
}
