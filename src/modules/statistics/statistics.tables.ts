import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export interface StatisticsYearsTable {
  year: number;
  refreshed_at: Timestamp;
  publish_on: string | null;
  publish_set_by: string | null;
  publish_set_at: NullableTimestamp;
  /** Names the files of the year's open data written at its latest refresh (null: none written). */
  open_data_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AuthorityStatisticsTable {
  authority_id: string;
  year: number;
  received: number;
  received_by_area: ColumnType<Record<string, number>, string, string>;
  decided: number;
  not_for_us: number;
  assessed_and_closed: number;
  investigated: number;
  upheld: number;
  satisfactory_remedy: number;
  remedies_due: number;
  remedies_complied: number;
  remedies_complied_late: number;
  public_reports: number;
}

export interface StatisticsKindTotalsTable {
  year: number;
  kind: string;
  authorities: number;
  received: number;
  decided: number;
  investigated: number;
  upheld: number;
  satisfactory_remedy: number;
  remedies_due: number;
  remedies_complied: number;
  public_reports: number;
}

export interface AuthoritySlugsTable {
  authority_id: string;
  slug: string;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    statistics_years: StatisticsYearsTable;
    authority_statistics: AuthorityStatisticsTable;
    statistics_kind_totals: StatisticsKindTotalsTable;
    authority_slugs: AuthoritySlugsTable;
  }
}
