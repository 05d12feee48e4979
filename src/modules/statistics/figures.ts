import { forbidden, notFound } from '../../platform/errors.ts';
import { auditActor, can, isStaff, type Actor } from '../accounts/domain.ts';
import type { AuthorityPerformance, StatisticsContext, YearChoice } from './context.ts';
import {
  ratesOf,
  similarFrom,
  statisticsYear,
  yearLabel,
  ZERO_COUNTS,
  type KindTotals,
  type SimilarAuthorities,
  type StatisticsYear,
} from './domain.ts';
import { authorityYearObject, type AuthorityYearObject } from './open-data.ts';
import type { NationalRow } from './statistics.repository.ts';
import { authority, visibleYear, visibleYears } from './years.ts';

// The figures of an authority or of every authority for a year, as pages and as the open data's
// objects, and the day a year's figures are published.

/** Similar authorities when the kind has no totals for the year. */
const noSimilar = (kind: string): SimilarAuthorities => ({
  kind,
  authorities: 0,
  upheldRate: null,
  satisfactoryRemedyRate: null,
  complianceRate: null,
});

/** The figures of similar authorities: those of the kind's totals, or none when the kind has none that year. */
const similarOf = (kind: string, totals: KindTotals | undefined): SimilarAuthorities =>
  totals ? similarFrom(totals) : noSimilar(kind);

/** Every authority's year as the open data's objects, from the table's rows and the kinds' totals. */
export function yearObjectsOf(
  year: number,
  published: boolean,
  rows: readonly NationalRow[],
  kinds: readonly KindTotals[],
): AuthorityYearObject[] {
  const byKind = new Map(kinds.map((k) => [k.kind, similarFrom(k)]));
  return rows.map((r) =>
    authorityYearObject(
      { id: r.authorityId, name: r.name, kind: r.kind },
      year,
      published,
      r,
      byKind.get(r.kind) ?? noSimilar(r.kind),
    ),
  );
}

/** An authority's performance for a year (the newest it may see by default). */
export async function authorityPerformance(
  ctx: StatisticsContext,
  actor: Actor | null,
  key: string,
  year?: number,
): Promise<AuthorityPerformance> {
  const found = await authority(ctx, key);
  const { visible, chosen } = await visibleYear(ctx, actor, found.id, year);
  const [all, totals] = await Promise.all([ctx.reads.countsOfAuthority(found.id), ctx.reads.kindTotals(found.kind)]);
  const counts = all.find((c) => c.year === chosen.year)?.counts ?? ZERO_COUNTS;
  const previousYear = visible.find((v) => v.year === chosen.year - 1);
  const previous = previousYear ? (all.find((c) => c.year === previousYear.year)?.counts ?? ZERO_COUNTS) : null;
  return {
    authority: found,
    years: visible.map((v) => ({ year: v.year, label: v.label, published: v.published })),
    figures: {
      year: statisticsYear(chosen.year),
      published: chosen.published,
      publishOn: chosen.publishOn,
      counts,
      rates: ratesOf(counts),
      previous,
      similar: similarOf(
        found.kind,
        totals.find((k) => k.year === chosen.year),
      ),
    },
  };
}

/** Every kind's totals for a year, with their rates. */
async function kindsOfYear(ctx: StatisticsContext, year: number) {
  const kinds = await ctx.reads.kindTotalsOfYear(year);
  return kinds.map((k) => Object.assign(similarFrom(k), k));
}

/** Every authority's figures for a year (optionally of one kind), with each kind's totals. */
export async function national(
  ctx: StatisticsContext,
  actor: Actor | null,
  year: number | undefined,
  kind: string | null,
) {
  const { visible, chosen } = await visibleYear(ctx, actor, null, year);
  const [rows, kinds] = await Promise.all([ctx.reads.nationalRows(chosen.year, kind), kindsOfYear(ctx, chosen.year)]);
  return { year: statisticsYear(chosen.year), published: chosen.published, years: visible, rows, kinds };
}

/** The kinds' totals of a year, for the national summary page. */
export async function nationalSummary(ctx: StatisticsContext, actor: Actor | null, year: number | undefined) {
  const { visible, chosen } = await visibleYear(ctx, actor, null, year);
  return {
    year: statisticsYear(chosen.year),
    published: chosen.published,
    publishOn: chosen.publishOn,
    years: visible,
    kinds: await kindsOfYear(ctx, chosen.year),
  };
}

/** An authority's year as the open data's object (the API's `statistics/authorities/{id}`). */
export async function authorityObject(
  ctx: StatisticsContext,
  actor: Actor | null,
  key: string,
  year?: number,
): Promise<AuthorityYearObject> {
  const p = await authorityPerformance(ctx, actor, key, year);
  return authorityYearObject(
    p.authority,
    p.figures.year.year,
    p.figures.published,
    p.figures.counts,
    p.figures.similar,
  );
}

/** Every authority's year (optionally of one kind) as the open data's objects. */
export async function yearObjects(
  ctx: StatisticsContext,
  actor: Actor | null,
  year: number | undefined,
  kind: string | null,
): Promise<{ year: StatisticsYear; published: boolean; authorities: AuthorityYearObject[] }> {
  const { chosen } = await visibleYear(ctx, actor, null, year);
  const [rows, kinds] = await Promise.all([
    ctx.reads.nationalRows(chosen.year, kind),
    ctx.reads.kindTotalsOfYear(chosen.year),
  ]);
  return {
    year: statisticsYear(chosen.year),
    published: chosen.published,
    authorities: yearObjectsOf(chosen.year, chosen.published, rows, kinds),
  };
}

/** The years for the relationship lead, with their publication dates. */
export async function yearsForStaff(ctx: StatisticsContext, actor: Actor): Promise<YearChoice[]> {
  if (!isStaff(actor) || !can(actor, 'statistics:read')) throw forbidden();
  // From the primary: the relationship lead sees a publication day just set.
  return visibleYears(ctx, actor, null, ctx.repo);
}

/** Sets (or clears) the day a year's figures are published. */
export async function setPublication(
  ctx: StatisticsContext,
  actor: Actor,
  year: number,
  publishOn: string | null,
): Promise<void> {
  if (!can(actor, 'statistics:manage')) throw forbidden();
  await ctx.repo.transaction(async (repo) => {
    const updated = await repo.setPublishOn(year, publishOn, actor.type === 'user' ? actor.id : null, ctx.clock.now());
    if (!updated) throw notFound(`The figures for ${yearLabel(year)}`);
    await repo.audit({
      actor: auditActor(actor),
      action: publishOn === null ? 'statistics.publication-withdrawn' : 'statistics.publication-set',
      recordType: 'statistics-year',
      recordId: null,
      requestId: actor.requestId ?? null,
    });
  });
}
