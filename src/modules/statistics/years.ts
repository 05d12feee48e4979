import { notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, isStaff, type Actor } from '../accounts/domain.ts';
import { currentYear, YearNotFound, type StatisticsContext, type YearChoice } from './context.ts';
import { yearLabel } from './domain.ts';
import type { AuthorityRef, StatisticsRepository, YearRow } from './statistics.repository.ts';

// Which years a reader may see (a year not yet published only by staff and the authority itself),
// the year asked for among them, and the authority whose figures are asked for.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isPublished(ctx: StatisticsContext, row: YearRow): boolean {
  return row.publish_on !== null && row.publish_on <= londonToday(ctx);
}

/** Whether `actor` may see `authorityId`'s figures for a year not yet published. */
function seesUnpublished(actor: Actor | null, authorityId: string | null): boolean {
  if (!actor || !can(actor, 'statistics:read')) return false;
  if (isStaff(actor)) return true;
  return authorityId !== null && actor.authorityId === authorityId;
}

/** The years with figures, newest first, as `actor` may see them (for `authorityId`, or for all authorities). */
export async function visibleYears(
  ctx: StatisticsContext,
  actor: Actor | null,
  authorityId: string | null,
  repo: StatisticsRepository = ctx.reads,
): Promise<YearChoice[]> {
  const rows = await repo.years();
  const unpublished = seesUnpublished(actor, authorityId);
  return rows
    .filter((r) => unpublished || isPublished(ctx, r))
    .map((r) => ({
      year: r.year,
      label: yearLabel(r.year),
      published: isPublished(ctx, r),
      publishOn: r.publish_on,
      refreshedAt: r.refreshed_at,
      openDataKey: r.open_data_key,
    }));
}

/** The year asked for among those visible, or the newest; a clear message for any other. */
export function chooseYear(ctx: StatisticsContext, visible: YearChoice[], year: number | undefined): YearChoice {
  if (year === undefined) {
    const newest = visible[0];
    if (!newest) throw new YearNotFound('No figures have been published yet', visible);
    return newest;
  }
  const found = visible.find((v) => v.year === year);
  if (found) return found;
  if (year > currentYear(ctx))
    throw new YearNotFound(`${yearLabel(year)} has not started yet, so it has no figures`, visible);
  const oldest = visible[visible.length - 1];
  throw new YearNotFound(
    oldest
      ? `There are no published figures for ${yearLabel(year)}: they start in ${oldest.label} and end in ${visible[0]?.label ?? oldest.label}`
      : `There are no published figures for ${yearLabel(year)}`,
    visible,
  );
}

/** The year asked for (or the newest) among those `actor` may see for `authorityId` (or all authorities). */
export async function visibleYear(
  ctx: StatisticsContext,
  actor: Actor | null,
  authorityId: string | null,
  year: number | undefined,
): Promise<{ visible: YearChoice[]; chosen: YearChoice }> {
  const visible = await visibleYears(ctx, actor, authorityId);
  return { visible, chosen: chooseYear(ctx, visible, year) };
}

/** An authority by its address (slug) or id; closed authorities keep their figures. */
export async function authority(ctx: StatisticsContext, key: string): Promise<AuthorityRef> {
  const found = UUID.test(key)
    ? await ctx.reads.authorityById(key.toLowerCase())
    : await ctx.reads.authorityBySlug(key);
  if (!found) throw notFound('The authority');
  return found;
}

/** An authority and one of its years that `actor` may see (a YearNotFound for any other year). */
export async function authorityYear(
  ctx: StatisticsContext,
  actor: Actor | null,
  key: string,
  year: number,
): Promise<{ authority: AuthorityRef; year: YearChoice }> {
  const found = await authority(ctx, key);
  return { authority: found, year: (await visibleYear(ctx, actor, found.id, year)).chosen };
}
