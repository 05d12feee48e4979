import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Actor } from '../accounts/domain.ts';
import { currentYear, statisticsContext, type OpenDataFormat, type StatisticsContext } from './context.ts';
import * as figures from './figures.ts';
import * as refreshing from './refreshing.ts';
import type { StatisticsRepository } from './statistics.repository.ts';
import * as years from './years.ts';

export {
  YearNotFound,
  type AuthorityPerformance,
  type OpenDataFile,
  type OpenDataFormat,
  type YearChoice,
  type YearFigures,
} from './context.ts';
export type { AuthorityRef, NationalRow } from './statistics.repository.ts';

/**
 * Performance statistics: the summary table kept from the casework, the figures of an authority or
 * of every authority for a year, who may see a year before it is published, and its publication date.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class StatisticsService {
  private readonly ctx: StatisticsContext;

  /**
   * @param reader the published figures' reads: through the replica when there is one (a refresh is
   *   seen a moment later).
   * @param openDataDir the folder for each year's open data files, written at each refresh (null:
   *   none are written, and every download is built from the table).
   */
  constructor(db: DbOrTx, clock: Clock, reader: DbOrTx = db, openDataDir: string | null = null) {
    this.ctx = statisticsContext(db, clock, reader, openDataDir);
  }

  /** The statistics year today falls in. */
  currentYear = (): number => currentYear(this.ctx);

  // The summary table and the open data files written from it.
  refresh = (year?: number, options: { wait: boolean } = { wait: true }) => refreshing.refresh(this.ctx, year, options);
  openDataFile = (actor: Actor | null, year: number, format: OpenDataFormat) =>
    refreshing.openDataFile(this.ctx, actor, year, format);

  // Years and authorities.
  visibleYears = (actor: Actor | null, authorityId: string | null, repo?: StatisticsRepository) =>
    years.visibleYears(this.ctx, actor, authorityId, repo);
  authority = (key: string) => years.authority(this.ctx, key);
  slugsOf = (ids: readonly string[]): Promise<Map<string, string>> => this.ctx.reads.slugsOf(ids);
  authorityYear = (actor: Actor | null, key: string, year: number) => years.authorityYear(this.ctx, actor, key, year);

  // Figures.
  authorityPerformance = (actor: Actor | null, key: string, year?: number) =>
    figures.authorityPerformance(this.ctx, actor, key, year);
  national = (actor: Actor | null, year: number | undefined, kind: string | null) =>
    figures.national(this.ctx, actor, year, kind);
  nationalSummary = (actor: Actor | null, year: number | undefined) => figures.nationalSummary(this.ctx, actor, year);
  yearsForStaff = (actor: Actor) => figures.yearsForStaff(this.ctx, actor);
  setPublication = (actor: Actor, year: number, publishOn: string | null) =>
    figures.setPublication(this.ctx, actor, year, publishOn);
  authorityObject = (actor: Actor | null, key: string, year?: number) =>
    figures.authorityObject(this.ctx, actor, key, year);
  yearObjects = (actor: Actor | null, year: number | undefined, kind: string | null) =>
    figures.yearObjects(this.ctx, actor, year, kind);
}
