import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Counts, KindTotals } from './domain.ts';
import './statistics.tables.ts';

export interface YearRow {
  year: number;
  refreshed_at: Date;
  publish_on: string | null;
  open_data_key: string | null;
}

export interface AuthorityRef {
  id: string;
  name: string;
  kind: string;
  active: boolean;
  slug: string | null;
}

export interface AuthorityCounts {
  year: number;
  counts: Counts;
}

export interface NationalRow extends Counts {
  authorityId: string;
  name: string;
  kind: string;
  slug: string | null;
}

/** The counts' columns as stored (null where an authority has no row for the year). */
type CountsRow = {
  [K in keyof StoredCounts]: StoredCounts[K] | null;
};

interface StoredCounts {
  received: number;
  received_by_area: Record<string, number>;
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

/** A row's counts; a count not there (no row for the year) is zero. */
const countsOf = (r: CountsRow): Counts => ({
  received: r.received ?? 0,
  receivedByArea: r.received_by_area ?? {},
  decided: r.decided ?? 0,
  notForUs: r.not_for_us ?? 0,
  assessedAndClosed: r.assessed_and_closed ?? 0,
  investigated: r.investigated ?? 0,
  upheld: r.upheld ?? 0,
  satisfactoryRemedy: r.satisfactory_remedy ?? 0,
  remediesDue: r.remedies_due ?? 0,
  remediesComplied: r.remedies_complied ?? 0,
  remediesCompliedLate: r.remedies_complied_late ?? 0,
  publicReports: r.public_reports ?? 0,
});

/** The columns of an authority's counts in `authority_statistics`. */
export const COUNT_COLUMNS = [
  'received',
  'received_by_area',
  'decided',
  'not_for_us',
  'assessed_and_closed',
  'investigated',
  'upheld',
  'satisfactory_remedy',
  'remedies_due',
  'remedies_complied',
  'remedies_complied_late',
  'public_reports',
] as const;

/**
 * The statistics module's reads of the summary table (every page and download reads it), and the
 * publication date of a year. The table is filled by `StatisticsRefreshRepository`.
 */
export class StatisticsRepository {
  constructor(private readonly db: DbOrTx) {}

  transaction<T>(work: (repo: StatisticsRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new StatisticsRepository(trx)));
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  years(): Promise<YearRow[]> {
    return this.db
      .selectFrom('statistics_years')
      .select(['year', 'refreshed_at', 'publish_on', 'open_data_key'])
      .orderBy('year', 'desc')
      .execute();
  }

  async setPublishOn(year: number, publishOn: string | null, by: string | null, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('statistics_years')
      .set({ publish_on: publishOn, publish_set_by: by, publish_set_at: at })
      .where('year', '=', year)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async authorityBySlug(slug: string): Promise<AuthorityRef | null> {
    const row = await this.db
      .selectFrom('authority_slugs as s')
      .innerJoin('authorities as a', 'a.id', 's.authority_id')
      .select(['a.id', 'a.name', 'a.kind', 'a.active', 's.slug'])
      .where('s.slug', '=', slug)
      .executeTakeFirst();
    return row ?? null;
  }

  async authorityById(id: string): Promise<AuthorityRef | null> {
    const row = await this.db
      .selectFrom('authorities as a')
      .leftJoin('authority_slugs as s', 's.authority_id', 'a.id')
      .select(['a.id', 'a.name', 'a.kind', 'a.active', 's.slug'])
      .where('a.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async slugsOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('authority_slugs')
      .select(['authority_id', 'slug'])
      .where('authority_id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.authority_id, r.slug]));
  }

  /** An authority's figures for every year it has them, newest first. */
  async countsOfAuthority(authorityId: string): Promise<AuthorityCounts[]> {
    const rows = await this.db
      .selectFrom('authority_statistics')
      .select(['year', ...COUNT_COLUMNS])
      .where('authority_id', '=', authorityId)
      .orderBy('year', 'desc')
      .execute();
    return rows.map((r) => ({ year: r.year, counts: countsOf(r) }));
  }

  /** The figures of each of these authorities in a year (an authority with no row had nothing: absent). */
  async countsInYear(authorityIds: readonly string[], year: number): Promise<Map<string, Counts>> {
    if (authorityIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('authority_statistics')
      .select(['authority_id', ...COUNT_COLUMNS])
      .where('year', '=', year)
      .where('authority_id', 'in', authorityIds)
      .execute();
    return new Map(rows.map((r) => [r.authority_id, countsOf(r)]));
  }

  /** The totals of one kind of authority, every year, newest first. */
  async kindTotals(kind: string): Promise<(KindTotals & { year: number })[]> {
    const rows = await this.db
      .selectFrom('statistics_kind_totals')
      .select([
        'year',
        'kind',
        'authorities',
        'investigated',
        'upheld',
        'satisfactory_remedy',
        'remedies_due',
        'remedies_complied',
      ])
      .where('kind', '=', kind)
      .orderBy('year', 'desc')
      .execute();
    return rows.map(toKindTotals);
  }

  /** Every kind's totals for a year. */
  async kindTotalsOfYear(
    year: number,
  ): Promise<(KindTotals & { year: number; received: number; decided: number; publicReports: number })[]> {
    const rows = await this.db
      .selectFrom('statistics_kind_totals')
      .selectAll()
      .where('year', '=', year)
      .orderBy('kind')
      .execute();
    return rows.map((r) =>
      Object.assign({ received: r.received, decided: r.decided, publicReports: r.public_reports }, toKindTotals(r)),
    );
  }

  /**
   * Every authority's figures for a year, in name order: those with figures, and every open
   * authority (with zeros) besides. For the open data; `kind` narrows it to one kind.
   */
  async nationalRows(year: number, kind: string | null): Promise<NationalRow[]> {
    let query = this.db
      .selectFrom('authorities as a')
      .leftJoin('authority_statistics as s', (join) =>
        join.onRef('s.authority_id', '=', 'a.id').on('s.year', '=', year),
      )
      .leftJoin('authority_slugs as g', 'g.authority_id', 'a.id')
      .select(['a.id', 'a.name', 'a.kind', 'g.slug', ...COUNT_COLUMNS.map((c) => `s.${c}` as const)])
      .where((eb) => eb.or([eb('a.active', '=', true), eb('s.authority_id', 'is not', null)]));
    if (kind !== null) query = query.where('a.kind', '=', kind);
    const rows = await query.orderBy('a.sort_name').orderBy('a.id').execute();
    return rows.map((r) => Object.assign({ authorityId: r.id, name: r.name, kind: r.kind, slug: r.slug }, countsOf(r)));
  }
}

function toKindTotals(r: {
  year: number;
  kind: string;
  authorities: number;
  investigated: number;
  upheld: number;
  satisfactory_remedy: number;
  remedies_due: number;
  remedies_complied: number;
}): KindTotals & { year: number } {
  return {
    year: r.year,
    kind: r.kind,
    authorities: r.authorities,
    investigated: r.investigated,
    upheld: r.upheld,
    satisfactoryRemedy: r.satisfactory_remedy,
    remediesDue: r.remedies_due,
    remediesComplied: r.remedies_complied,
  };
}
