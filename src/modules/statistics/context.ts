import type { Readable } from 'node:stream';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import { yearOfDate, type Counts, type Rates, type SimilarAuthorities, type StatisticsYear } from './domain.ts';
import { StatisticsRefreshRepository } from './statistics-refresh.repository.ts';
import { StatisticsRepository, type AuthorityRef } from './statistics.repository.ts';

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

/** What every statistics use case works with: the repositories, the clock and where the open data files go. */
export interface StatisticsContext {
  repo: StatisticsRepository;
  /** The published figures' reads: through the replica when there is one (a refresh is seen a moment later). */
  reads: StatisticsRepository;
  refresher: StatisticsRefreshRepository;
  clock: Clock;
  /** The folder for each year's open data files (null: none are written). */
  openDataDir: string | null;
}

export function statisticsContext(
  db: DbOrTx,
  clock: Clock,
  reader: DbOrTx,
  openDataDir: string | null,
): StatisticsContext {
  return {
    repo: new StatisticsRepository(db),
    reads: new StatisticsRepository(reader),
    refresher: new StatisticsRefreshRepository(db),
    clock,
    openDataDir,
  };
}

/** The statistics year today falls in. */
export function currentYear(ctx: StatisticsContext): number {
  return yearOfDate(londonToday(ctx));
}
