import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../../platform/clock.ts';
import { writeWhole } from '../../platform/files/write-whole.ts';
import { londonDate } from '../../platform/calendar/calendar.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { DomainError, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { auditActor, can, isStaff, type Actor } from '../accounts/domain.ts';
import {
  FIRST_YEAR,
  ratesOf,
  similarFrom,
  statisticsYear,
  yearLabel,
  yearOfDate,
  ZERO_COUNTS,
  type Counts,
  type KindTotals,
  type Rates,
  type SimilarAuthorities,
  type StatisticsYear,
} from './domain.ts';
import { authorityYearObject, yearCsv, yearJson, type AuthorityYearObject } from './open-data.ts';
import { StatisticsRepository, type AuthorityRef, type NationalRow, type YearRow } from './statistics.repository.ts';

export type { AuthorityRef, NationalRow } from './statistics.repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A year that has no figures this reader may see: the message says why and which years there are. */
export class YearNotFound extends DomainError {
  constructor(
    message: string,
    readonly years: YearChoice[],
  ) {
    super('not-found', message);
  }
}

/** A year's figures as the pages, the open data and the letters show them. */
export interface YearFigures {
  year: StatisticsYear;
  published: boolean;
  publishOn: string | null;
  counts: Counts;
  rates: Rates;
  previous: Counts | null;
  similar: SimilarAuthorities;
}

export interface AuthorityPerformance {
  authority: AuthorityRef;
  /** The years this reader may see, newest first. */
  years: { year: number; label: string; published: boolean }[];
  figures: YearFigures;
}

export interface YearChoice {
  year: number;
  label: string;
  published: boolean;
  publishOn: string | null;
  refreshedAt: Date;
  /** Names the files of the year's open data written at its latest refresh. */
  openDataKey: string | null;
}

export type OpenDataFormat = 'csv' | 'json';

/** A published year's open data as written at its refresh, ready to send. */
export interface OpenDataFile {
  stream: Readable;
  size: number;
}

const noSimilar = (kind: string): SimilarAuthorities => ({
  kind,
  authorities: 0,
  upheldRate: null,
  satisfactoryRemedyRate: null,
  complianceRate: null,
});

/** Every authority's year as the open data's objects, from the table's rows and the kinds' totals. */
function yearObjectsOf(
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

async function removeQuietly(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true }).catch(() => undefined);
}

/**
 * Performance statistics: the summary table kept from the casework, the figures of an authority or
 * of every authority for a year, who may see a year before it is published, and its publication date.
 */
export class StatisticsService {
  private readonly repo: StatisticsRepository;
  /** The published figures' reads: through the replica when there is one (a refresh is seen a moment later). */
  private readonly reads: StatisticsRepository;

  /**
   * @param openDataDir the folder for each year's open data files, written at each refresh (null:
   *   none are written, and every download is built from the table).
   */
  constructor(
    db: DbOrTx,
    private readonly clock: Clock,
    reader: DbOrTx = db,
    private readonly openDataDir: string | null = null,
  ) {
    this.repo = new StatisticsRepository(db);
    this.reads = new StatisticsRepository(reader);
  }

  private today(): string {
    return londonDate(this.clock.now());
  }

  /** The statistics year today falls in. */
  currentYear(): number {
    return yearOfDate(this.today());
  }

  /**
   * Works the figures of `year` out again from the casework (or, with no year, those of this year and
   * the last). A year in the future, or before the first complaint, is refused and changes nothing.
   */
  async refresh(
    year?: number,
    options: { wait: boolean } = { wait: true },
  ): Promise<{ year: number; authorities: number }[]> {
    const current = this.currentYear();
    const first = await this.repo.firstReceivedOn();
    const firstYear = first === null ? current : yearOfDate(first);
    if (year !== undefined) {
      if (year > current)
        throw invalid(
          [{ field: 'year', message: `${yearLabel(year)} has not started: the latest year is ${yearLabel(current)}` }],
          `Figures for ${yearLabel(year)} cannot be worked out yet`,
        );
      if (year < firstYear || year < FIRST_YEAR)
        throw invalid(
          [{ field: 'year', message: `There are no cases before ${yearLabel(firstYear)}` }],
          `There is nothing to count in ${yearLabel(year)}`,
        );
    }
    const years = year !== undefined ? [year] : [current - 1, current].filter((y) => y >= firstYear);
    const done: { year: number; authorities: number }[] = [];
    const written: string[] = [];
    const replaced: string[] = [];
    try {
      await this.repo.transaction(async (repo) => {
        if (!(await repo.lockRefresh(options.wait))) return;
        await repo.refreshSlugs();
        for (const y of years) {
          done.push({
            year: y,
            authorities: await repo.refreshYear(statisticsYear(y), this.today(), this.clock.now()),
          });
          if (this.openDataDir === null) continue;
          const key = await this.writeOpenData(repo, y, this.openDataDir);
          written.push(...this.openDataPaths(this.openDataDir, y, key));
          const previous = await repo.setOpenDataKey(y, key);
          if (previous !== null && previous !== key)
            replaced.push(...this.openDataPaths(this.openDataDir, y, previous));
        }
      });
    } catch (error) {
      // The files of a refresh that did not commit are named by nothing.
      await Promise.all(written.map(removeQuietly));
      throw error;
    }
    // Once the new key has committed, no one is sent the files it replaced (a reader that still sees
    // the old key, on a replica a moment behind, finds no file and builds the data from the table).
    await Promise.all(replaced.map(removeQuietly));
    return done;
  }

  private openDataPath(dir: string, year: number, key: string, format: OpenDataFormat): string {
    return path.join(dir, `${year}-${key}.${format}`);
  }

  private openDataPaths(dir: string, year: number, key: string): string[] {
    return [this.openDataPath(dir, year, key, 'csv'), this.openDataPath(dir, year, key, 'json')];
  }

  /**
   * Writes the year's open data (every authority, as CSV and as JSON) from the table as `repo` sees
   * it (the refresh's transaction), as the public sees it once the year is published; returns its key.
   */
  private async writeOpenData(repo: StatisticsRepository, year: number, dir: string): Promise<string> {
    const [rows, kinds] = await Promise.all([repo.nationalRows(year, null), repo.kindTotalsOfYear(year)]);
    const objects = yearObjectsOf(year, true, rows, kinds);
    const key = crypto.randomBytes(16).toString('hex');
    await writeWhole(this.openDataPath(dir, year, key, 'csv'), Buffer.from(yearCsv(objects)));
    await writeWhole(this.openDataPath(dir, year, key, 'json'), Buffer.from(yearJson(statisticsYear(year), objects)));
    return key;
  }

  /**
   * A published year's open data as the file written at its latest refresh; null when the year is not
   * published yet (its readers see figures the public does not) or its file is not there: the caller
   * then builds it with `yearObjects`. A year this reader may not see is a YearNotFound.
   */
  async openDataFile(actor: Actor | null, year: number, format: OpenDataFormat): Promise<OpenDataFile | null> {
    const chosen = this.chooseYear(await this.visibleYears(actor, null), year);
    if (!chosen.published || chosen.openDataKey === null || this.openDataDir === null) return null;
    const file = this.openDataPath(this.openDataDir, chosen.year, chosen.openDataKey, format);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      return { stream: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private isPublished(row: YearRow): boolean {
    return row.publish_on !== null && row.publish_on <= this.today();
  }

  /** Whether `actor` may see `authorityId`'s figures for a year not yet published. */
  private seesUnpublished(actor: Actor | null, authorityId: string | null): boolean {
    if (!actor || !can(actor, 'statistics:read')) return false;
    if (isStaff(actor)) return true;
    return authorityId !== null && actor.authorityId === authorityId;
  }

  /** The years with figures, newest first, as `actor` may see them (for `authorityId`, or for all authorities). */
  async visibleYears(
    actor: Actor | null,
    authorityId: string | null,
    repo: StatisticsRepository = this.reads,
  ): Promise<YearChoice[]> {
    const rows = await repo.years();
    const unpublished = this.seesUnpublished(actor, authorityId);
    return rows
      .filter((r) => unpublished || this.isPublished(r))
      .map((r) => ({
        year: r.year,
        label: yearLabel(r.year),
        published: this.isPublished(r),
        publishOn: r.publish_on,
        refreshedAt: r.refreshed_at,
        openDataKey: r.open_data_key,
      }));
  }

  /** The year asked for among those visible, or the newest; a clear message for any other. */
  private chooseYear(visible: YearChoice[], year: number | undefined): YearChoice {
    if (year === undefined) {
      const newest = visible[0];
      if (!newest) throw new YearNotFound('No figures have been published yet', visible);
      return newest;
    }
    const found = visible.find((v) => v.year === year);
    if (found) return found;
    if (year > this.currentYear())
      throw new YearNotFound(`${yearLabel(year)} has not started yet, so it has no figures`, visible);
    const oldest = visible[visible.length - 1];
    throw new YearNotFound(
      oldest
        ? `There are no published figures for ${yearLabel(year)}: they start in ${oldest.label} and end in ${visible[0]?.label ?? oldest.label}`
        : `There are no published figures for ${yearLabel(year)}`,
      visible,
    );
  }

  /** An authority by its address (slug) or id; closed authorities keep their figures. */
  async authority(key: string): Promise<AuthorityRef> {
    const found = UUID.test(key)
      ? await this.reads.authorityById(key.toLowerCase())
      : await this.reads.authorityBySlug(key);
    if (!found) throw notFound('The authority');
    return found;
  }

  async slugsOf(ids: readonly string[]): Promise<Map<string, string>> {
    return this.reads.slugsOf(ids);
  }

  private similar(totals: (KindTotals & { year: number })[], kind: string, year: number): SimilarAuthorities {
    const t = totals.find((k) => k.year === year);
    return similarFrom(
      t ?? {
        kind,
        authorities: 0,
        investigated: 0,
        upheld: 0,
        satisfactoryRemedy: 0,
        remediesDue: 0,
        remediesComplied: 0,
      },
    );
  }

  /** An authority and one of its years that `actor` may see (a YearNotFound for any other year). */
  async authorityYear(
    actor: Actor | null,
    key: string,
    year: number,
  ): Promise<{ authority: AuthorityRef; year: YearChoice }> {
    const authority = await this.authority(key);
    return { authority, year: this.chooseYear(await this.visibleYears(actor, authority.id), year) };
  }

  /** An authority's performance for a year (the newest it may see by default). */
  async authorityPerformance(actor: Actor | null, key: string, year?: number): Promise<AuthorityPerformance> {
    const authority = await this.authority(key);
    const visible = await this.visibleYears(actor, authority.id);
    const chosen = this.chooseYear(visible, year);
    const [all, totals] = await Promise.all([
      this.reads.countsOfAuthority(authority.id),
      this.reads.kindTotals(authority.kind),
    ]);
    const counts = all.find((c) => c.year === chosen.year)?.counts ?? ZERO_COUNTS;
    const previousYear = visible.find((v) => v.year === chosen.year - 1);
    const previous = previousYear ? (all.find((c) => c.year === previousYear.year)?.counts ?? ZERO_COUNTS) : null;
    return {
      authority,
      years: visible.map((v) => ({ year: v.year, label: v.label, published: v.published })),
      figures: {
        year: statisticsYear(chosen.year),
        published: chosen.published,
        publishOn: chosen.publishOn,
        counts,
        rates: ratesOf(counts),
        previous,
        similar: this.similar(totals, authority.kind, chosen.year),
      },
    };
  }

  /** Every authority's figures for a year (optionally of one kind), with each kind's totals. */
  async national(actor: Actor | null, year: number | undefined, kind: string | null) {
    const visible = await this.visibleYears(actor, null);
    const chosen = this.chooseYear(visible, year);
    const [rows, kinds] = await Promise.all([
      this.reads.nationalRows(chosen.year, kind),
      this.reads.kindTotalsOfYear(chosen.year),
    ]);
    return {
      year: statisticsYear(chosen.year),
      published: chosen.published,
      years: visible,
      rows,
      kinds: kinds.map((k) => Object.assign(similarFrom(k), k)),
    };
  }

  /** The kinds' totals of a year, for the national summary page. */
  async nationalSummary(actor: Actor | null, year: number | undefined) {
    const visible = await this.visibleYears(actor, null);
    const chosen = this.chooseYear(visible, year);
    const kinds = await this.reads.kindTotalsOfYear(chosen.year);
    return {
      year: statisticsYear(chosen.year),
      published: chosen.published,
      publishOn: chosen.publishOn,
      years: visible,
      kinds: kinds.map((k) => Object.assign(similarFrom(k), k)),
    };
  }

  /** The years for the relationship lead, with their publication dates. */
  async yearsForStaff(actor: Actor): Promise<YearChoice[]> {
    if (!isStaff(actor) || !can(actor, 'statistics:read')) throw forbidden();
    // From the primary: the relationship lead sees a publication day just set.
    return this.visibleYears(actor, null, this.repo);
  }

  /** Sets (or clears) the day a year's figures are published. */
  async setPublication(actor: Actor, year: number, publishOn: string | null): Promise<void> {
    if (!can(actor, 'statistics:manage')) throw forbidden();
    await this.repo.transaction(async (repo) => {
      const updated = await repo.setPublishOn(
        year,
        publishOn,
        actor.type === 'user' ? actor.id : null,
        this.clock.now(),
      );
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

  /** An authority's year as the open data's object (the API's `statistics/authorities/{id}`). */
  async authorityObject(actor: Actor | null, key: string, year?: number): Promise<AuthorityYearObject> {
    const p = await this.authorityPerformance(actor, key, year);
    return authorityYearObject(
      p.authority,
      p.figures.year.year,
      p.figures.published,
      p.figures.counts,
      p.figures.similar,
    );
  }

  /** Every authority's year (optionally of one kind) as the open data's objects. */
  async yearObjects(
    actor: Actor | null,
    year: number | undefined,
    kind: string | null,
  ): Promise<{ year: StatisticsYear; published: boolean; authorities: AuthorityYearObject[] }> {
    const chosen = this.chooseYear(await this.visibleYears(actor, null), year);
    const [rows, kinds] = await Promise.all([
      this.reads.nationalRows(chosen.year, kind),
      this.reads.kindTotalsOfYear(chosen.year),
    ]);
    return {
      year: statisticsYear(chosen.year),
      published: chosen.published,
      authorities: yearObjectsOf(chosen.year, chosen.published, rows, kinds),
    };
  }
}
