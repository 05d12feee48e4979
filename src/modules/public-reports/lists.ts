import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { forbidden } from '../../platform/errors.ts';
import { decodeCursor, toPage } from '../../platform/pagination.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { z } from 'zod';
import { can, type Actor } from '../accounts/domain.ts';
import { mayReadScope } from '../home/scope.ts';
import type { PublicReportsContext } from './context.ts';
import { REPORT_STATUS_NAMES, STEP_NAMES } from './domain.ts';

/* Lists: the portal's reports and the home page's statutory steps. */

const LIST_PAGE = 25;
const listCursor = z.tuple([z.string(), z.uuid()]);

/** The authority's public reports for the portal, newest first, with the next step due. */
export async function listForAuthority(ctx: PublicReportsContext, actor: Actor, cursor?: string) {
  if (actor.authorityId === null || !can(actor, 'public-reports:portal')) throw forbidden();
  const after = cursor ? decodeCursor(cursor, listCursor) : null;
  const rows = await ctx.repo.forAuthority(actor.authorityId, LIST_PAGE + 1, after);
  const page = toPage(rows, LIST_PAGE, (r) => [r.created_key, r.id]);
  return {
    ...page,
    items: page.items.map((r) => ({
      id: r.id,
      reference: r.reference,
      status: r.status,
      statusName: REPORT_STATUS_NAMES[r.status],
      draftIssuedOn: r.draft_issued_on,
      finalIssuedOn: r.final_issued_on,
      nextDueOn: r.next_due_on,
    })),
  };
}

/**
 * An authority's statutory steps still to do on its public reports, soonest due first, with counts,
 * for its home page. `actor` null: the system.
 */
export async function stepsDue(
  ctx: PublicReportsContext,
  actor: Actor | null,
  authorityId: string,
  o: { dueBy?: IsoDate | null; limit: number },
) {
  if (!mayReadScope(actor, { authorityId })) throw forbidden();
  if (actor && !can(actor, 'public-reports:portal')) throw forbidden();
  const today = londonToday(ctx);
  const panel = await ctx.repo.stepsPanel(authorityId, { today, dueBy: o.dueBy ?? null, limit: o.limit });
  return {
    total: panel.total,
    late: panel.late,
    items: panel.rows.map((r) => ({
      id: r.id,
      reportId: r.report_id,
      stepName: STEP_NAMES[r.kind],
      reference: r.reference,
      dueDate: r.due_on,
      late: r.due_on < today,
    })),
  };
}
