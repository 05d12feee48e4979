import { addDays } from '../../platform/calendar/calendar.ts';
import { csvText } from '../../platform/csv.ts';
import { formatDate } from '../../platform/dates.ts';
import { notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { needs, type TrainingContext } from './context.ts';
import { TRAINED_WITHIN_YEARS, priceText } from './domain.ts';
import type { HistoryRow, ToInviteRow } from './reports.repository.ts';

export interface HistoryView {
  rows: (HistoryRow & { past: boolean })[];
  /** Whether the viewer may see who was booked (the authority itself, and those who manage training). */
  showNames: boolean;
}

/** An authority's training: staff see it on the authority's page, its own people in the portal. */
export async function authorityHistory(ctx: TrainingContext, actor: Actor, authorityId: string): Promise<HistoryView> {
  const own = can(actor, 'training:book') && actor.authorityId === authorityId;
  if (!own && !can(actor, 'training:read')) throw notFound('The authority');
  const now = ctx.clock.now();
  const rows = await ctx.reports.history(authorityId, 50);
  return {
    rows: rows.map((r) => Object.assign({ past: r.starts_at <= now }, r)),
    showNames: own || can(actor, 'training:manage'),
  };
}

/** Authorities with faults found or remedies not kept in the last year, and nobody trained in two. */
export async function authoritiesToInvite(ctx: TrainingContext, actor: Actor): Promise<ToInviteRow[]> {
  needs(actor, 'training:manage');
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  const trainedSince = new Date(now);
  trainedSince.setUTCFullYear(trainedSince.getUTCFullYear() - TRAINED_WITHIN_YEARS);
  return ctx.reports.toInvite({ faultsSince: addDays(today, -365), trainedSince, keptShare: 0.8, today });
}

/** The places to invoice on sessions between two dates, as CSV (one row a place). */
export async function financeCsv(ctx: TrainingContext, actor: Actor, from: Date, to: Date): Promise<string> {
  needs(actor, 'training:manage');
  const rows = await ctx.reports.finance(from, to);
  return csvText(
    rows.map((r) => [
      formatDate(r.starts_at),
      r.course_title,
      r.authority_name ?? r.organisation ?? '',
      r.name,
      r.email,
      r.purchase_order ?? '',
      priceText(r.price_pence),
      (r.price_pence / 100).toFixed(2),
      r.attendance === 'attended' ? 'Attended' : r.attendance === 'no-show' ? 'Did not attend' : 'Not yet marked',
      r.booking_id,
    ]),
    {
      header: true,
      columns: [
        'Session date',
        'Course',
        'Invoice to',
        'Attendee',
        'Attendee email',
        'Purchase order',
        'Price',
        'Amount (GBP)',
        'Attendance',
        'Booking reference',
      ],
    },
  );
}
