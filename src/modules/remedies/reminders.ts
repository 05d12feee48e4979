import { sumCounts } from '../../platform/db/sweep-parts.ts';
import type { RemediesContext } from './context.ts';
import { sweepThresholds } from './domain.ts';

/** The remedy sweep: four parts, so that workers running it at once share it (sweepInParts). */
const SWEEP = { lockClass: 7_240_333, parts: 4 };

/**
 * Writes every reminder due now (before the date, then late) as correspondence to the case's
 * link officers, and escalates remedies long past their date to the casework managers' list, each
 * once. Safe to run on several workers at once, and they share the work: the remedies are split
 * into four parts by id (sweepInParts). A part is all or nothing.
 */
export async function sweep(ctx: RemediesContext): Promise<{ reminders: number; items: number; escalated: number }> {
  const now = ctx.clock.now();
  const t = sweepThresholds(ctx.calendar, ctx.calendar.londonDate(now), ctx.settings);
  const parts = await ctx.reminders.inParts(SWEEP, async (repo, part) => {
    const result = await repo.sweep(t, now, ctx.settings.baseUrl, part);
    if (result.items !== result.reminders)
      throw new Error(`The remedy sweep wrote ${result.items} items for ${result.reminders} reminders`);
    return result;
  });
  return sumCounts(parts, { reminders: 0, items: 0, escalated: 0 });
}
