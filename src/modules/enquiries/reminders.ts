import { sumCounts } from '../../platform/db/sweep-parts.ts';
import type { EnquiriesContext } from './context.ts';
import { sweepThresholds } from './domain.ts';

/** The reminder sweep: four parts, so that workers running it at once share it (sweepInParts). */
const SWEEP = { lockClass: 7_240_332, parts: 4 };

/**
 * Writes every reminder and escalation due now, each once, as correspondence on its case (sent by
 * the correspondence dispatch). Safe to run on several workers at once, and they share the work:
 * the enquiries are split into four parts by id, each worker takes the parts no other holds
 * (starting at a random one), and each part is one transaction. A part is all or nothing: if any
 * of its reminders lacked its item the part is undone, and the next sweep tries it again.
 */
export async function sweep(ctx: EnquiriesContext): Promise<{ reminders: number; items: number }> {
  const now = ctx.clock.now();
  const thresholds = sweepThresholds(ctx.calendar, ctx.calendar.londonDate(now), ctx.settings);
  const parts = await ctx.reminders.inParts(SWEEP, async (repo, part) => {
    const written = await repo.sweep(thresholds, now, ctx.settings.baseUrl, part);
    if (written.items !== written.reminders)
      throw new Error(`The reminder sweep wrote ${written.items} items for ${written.reminders} reminders`);
    return written;
  });
  return sumCounts(parts, { reminders: 0, items: 0 });
}
