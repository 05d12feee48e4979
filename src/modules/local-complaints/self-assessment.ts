import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { auditEvent, authorityOf, inTransaction, oversightKey, type LocalComplaintsContext } from './context.ts';

// Oversight: the authority's figures for a year to 31 March, and its annual self-assessment.

/** The year to 31 March that a date falls in, as its first and last days. */
export function yearOf(date: string): { from: string; to: string; label: string } {
  const y = Number(date.slice(0, 4));
  const start = date.slice(5) >= '04-01' ? y : y - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31`, label: `${start} to ${start + 1}` };
}

export async function oversight(ctx: LocalComplaintsContext, actor: Actor, year: number | undefined) {
  const authorityId = authorityOf(actor, 'local-complaints:read');
  const period = yearOf(year ? `${year}-04-01` : londonToday(ctx));
  // The authority's figures for a year are kept for DASHBOARD_CACHE_SECONDS and shared by its
  // users' requests (the dashboard, its CSV, the self-assessment and its PDF): at most that old.
  const load = () => ctx.oversight.oversight(authorityId, period.from, period.to);
  const rows = await (ctx.snapshots ? ctx.snapshots.get(`${oversightKey(authorityId)}${period.from}`, load) : load());
  return { period, rows };
}

export async function selfAssessmentText(
  ctx: LocalComplaintsContext,
  actor: Actor,
  label: string,
): Promise<Record<string, string>> {
  const authorityId = authorityOf(actor, 'local-complaints:read');
  const s = await ctx.oversight.settings(authorityId);
  const all = (s?.self_assessment ?? {}) as Record<string, unknown>;
  const mine = all[label];
  return mine && typeof mine === 'object' ? (mine as Record<string, string>) : {};
}

export async function saveSelfAssessment(
  ctx: LocalComplaintsContext,
  actor: Actor,
  label: string,
  text: Record<string, string>,
): Promise<void> {
  const authorityId = authorityOf(actor, 'local-complaints:manage');
  await inTransaction(ctx, async (repos) => {
    const s = await repos.oversight.settings(authorityId);
    const all = { ...(s?.self_assessment ?? {}) } as Record<string, unknown>;
    all[label] = text;
    await repos.oversight.saveSettings(
      authorityId,
      { self_assessment: all as Record<string, string> },
      ctx.clock.now(),
    );
    await repos.records.audit({
      ...auditEvent(actor, 'local-complaint.self-assessment-saved', authorityId, authorityId),
      recordType: 'local-complaint-settings',
    });
  });
}
