import { sql } from 'kysely';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import {
  ASSESSED_AND_CLOSED,
  INVESTIGATED,
  NOT_FOR_US,
  SATISFACTORY_REMEDY,
  UPHELD,
  type Counts,
  type KindTotals,
  type StatisticsYear,
} from './domain.ts';
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

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql.lit(v)),
    sql`, `,
  );

interface CountsRow {
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

const countsOf = (r: CountsRow): Counts => ({
  received: r.received,
  receivedByArea: r.received_by_area,
  decided: r.decided,
  notForUs: r.not_for_us,
  assessedAndClosed: r.assessed_and_closed,
  investigated: r.investigated,
  upheld: r.upheld,
  satisfactoryRemedy: r.satisfactory_remedy,
  remediesDue: r.remedies_due,
  remediesComplied: r.remedies_complied,
  remediesCompliedLate: r.remedies_complied_late,
  publicReports: r.public_reports,
});

const COUNT_COLUMNS = [
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
 * The statistics module's statements. The summary table is filled from the casework tables by one
 * set-based statement per year (`refreshYear`); every page and download reads the summary.
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

  /**
   * Takes the refresh's lock for the rest of the transaction: two refreshes never rebuild the same
   * rows at once. With `wait` false, says whether it was free (a worker skips its turn if not).
   */
  async lockRefresh(wait: boolean): Promise<boolean> {
    const key = sql`hashtext('statistics.refresh')`;
    if (wait) {
      await sql`SELECT pg_advisory_xact_lock(${key})`.execute(this.db);
      return true;
    }
    const row = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${key}) AS locked`.execute(this.db);
    return row.rows[0]?.locked === true;
  }

  /** The London date of the first complaint received, or null when there is none. */
  async firstReceivedOn(): Promise<string | null> {
    const row = await sql<{ first: string | null }>`
      SELECT to_char(min(received_at) AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS first FROM complaints
    `.execute(this.db);
    return row.rows[0]?.first ?? null;
  }

  /**
   * Works out every authority's figures for `year` from the casework and replaces the year's rows,
   * with the totals per kind of authority. Run inside a transaction: readers see the old figures
   * until it commits. Returns the number of authorities with figures.
   */
  async refreshYear(y: StatisticsYear, today: string, now: Date): Promise<number> {
    await sql`
      INSERT INTO statistics_years (year, refreshed_at) VALUES (${y.year}, ${now})
      ON CONFLICT (year) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at
    `.execute(this.db);
    await sql`DELETE FROM authority_statistics WHERE year = ${y.year}`.execute(this.db);
    const inserted = await sql`
      WITH received_areas AS (
        SELECT authority_id, service_area, count(*)::int AS n
        FROM complaints
        WHERE received_at >= ${y.startsAt} AND received_at < ${y.endsBefore}
        GROUP BY authority_id, service_area
      ), received AS (
        SELECT authority_id, sum(n)::int AS received, jsonb_object_agg(service_area, n) AS by_area
        FROM received_areas GROUP BY authority_id
      ), decisions AS (
        SELECT fd.authority_id,
          CASE WHEN r.result = 'decision-changed' AND r.new_outcome IS NOT NULL THEN r.new_outcome ELSE fd.outcome END AS outcome
        FROM final_decisions fd
        LEFT JOIN decision_reviews r ON r.final_decision_id = fd.id
        WHERE fd.decided_on BETWEEN ${y.from}::date AND ${y.to}::date
        UNION ALL
        SELECT c.authority_id, c.outcome
        FROM complaints c
        WHERE c.closed_at >= ${y.startsAt} AND c.closed_at < ${y.endsBefore} AND c.outcome <> 'withdrawn'
          AND NOT EXISTS (SELECT 1 FROM final_decisions fd WHERE fd.complaint_id = c.id)
      ), decided AS (
        SELECT authority_id,
          count(*) FILTER (WHERE outcome <> 'withdrawn')::int AS decided,
          count(*) FILTER (WHERE outcome IN (${list(NOT_FOR_US)}))::int AS not_for_us,
          count(*) FILTER (WHERE outcome IN (${list(ASSESSED_AND_CLOSED)}))::int AS assessed_and_closed,
          count(*) FILTER (WHERE outcome IN (${list(INVESTIGATED)}))::int AS investigated,
          count(*) FILTER (WHERE outcome IN (${list(UPHELD)}))::int AS upheld,
          count(*) FILTER (WHERE outcome IN (${list(SATISFACTORY_REMEDY)}))::int AS satisfactory_remedy
        FROM decisions GROUP BY authority_id
      ), due AS (
        SELECT authority_id,
          count(*)::int AS remedies_due,
          count(*) FILTER (WHERE status = 'complied')::int AS remedies_complied,
          count(*) FILTER (WHERE status = 'complied' AND NOT complied_on_time)::int AS remedies_complied_late
        FROM remedies
        WHERE status IN ('agreed', 'complied', 'not-satisfied')
          AND due_on BETWEEN ${y.from}::date AND ${y.to}::date
          AND (status = 'complied' OR due_on <= ${today}::date)
        GROUP BY authority_id
      ), reports AS (
        SELECT authority_id, count(*)::int AS public_reports
        FROM public_reports
        WHERE final_issued_on BETWEEN ${y.from}::date AND ${y.to}::date
        GROUP BY authority_id
      ), ids AS (
        SELECT authority_id FROM received UNION SELECT authority_id FROM decided
        UNION SELECT authority_id FROM due UNION SELECT authority_id FROM reports
      )
      INSERT INTO authority_statistics (authority_id, year, ${sql.join(COUNT_COLUMNS.map((c) => sql.ref(c)))})
      SELECT ids.authority_id, ${y.year},
        coalesce(received.received, 0), coalesce(received.by_area, '{}'::jsonb),
        coalesce(decided.decided, 0), coalesce(decided.not_for_us, 0), coalesce(decided.assessed_and_closed, 0),
        coalesce(decided.investigated, 0), coalesce(decided.upheld, 0), coalesce(decided.satisfactory_remedy, 0),
        coalesce(due.remedies_due, 0), coalesce(due.remedies_complied, 0), coalesce(due.remedies_complied_late, 0),
        coalesce(reports.public_reports, 0)
      FROM ids
      LEFT JOIN received USING (authority_id)
      LEFT JOIN decided USING (authority_id)
      LEFT JOIN due USING (authority_id)
      LEFT JOIN reports USING (authority_id)
    `.execute(this.db);
    await sql`DELETE FROM statistics_kind_totals WHERE year = ${y.year}`.execute(this.db);
    await sql`
      INSERT INTO statistics_kind_totals (year, kind, authorities, received, decided, investigated, upheld,
        satisfactory_remedy, remedies_due, remedies_complied, public_reports)
      SELECT ${y.year}, a.kind, count(*)::int,
        coalesce(sum(s.received), 0)::int, coalesce(sum(s.decided), 0)::int, coalesce(sum(s.investigated), 0)::int,
        coalesce(sum(s.upheld), 0)::int, coalesce(sum(s.satisfactory_remedy), 0)::int,
        coalesce(sum(s.remedies_due), 0)::int, coalesce(sum(s.remedies_complied), 0)::int,
        coalesce(sum(s.public_reports), 0)::int
      FROM authorities a
      LEFT JOIN authority_statistics s ON s.authority_id = a.id AND s.year = ${y.year}
      WHERE a.active OR s.authority_id IS NOT NULL
      GROUP BY a.kind
    `.execute(this.db);
    return Number(inserted.numAffectedRows ?? 0);
  }

  /**
   * Each authority's address on the public site, made again from the names: the name in lower case
   * with runs of anything but letters and digits as one hyphen; a name shared by several authorities
   * takes the first eight hex digits of each one's id after it.
   */
  async refreshSlugs(): Promise<void> {
    await sql`DELETE FROM authority_slugs`.execute(this.db);
    await sql`
      WITH named AS (
        SELECT id, coalesce(nullif(left(trim(both '-' FROM regexp_replace(
          replace(lower(name), '&', ' and '), '[^a-z0-9]+', '-', 'g')), 100), ''), 'authority') AS base
        FROM authorities
      ), counted AS (
        SELECT id, trim(trailing '-' FROM base) AS base, count(*) OVER (PARTITION BY trim(trailing '-' FROM base)) AS n
        FROM named
      )
      INSERT INTO authority_slugs (authority_id, slug)
      SELECT id, CASE WHEN n = 1 THEN base ELSE base || '-' || left(replace(id::text, '-', ''), 8) END
      FROM counted
    `.execute(this.db);
  }

  years(): Promise<YearRow[]> {
    return this.db
      .selectFrom('statistics_years')
      .select(['year', 'refreshed_at', 'publish_on', 'open_data_key'])
      .orderBy('year', 'desc')
      .execute();
  }

  /** Names the files of the year's open data; returns the key it replaces. */
  async setOpenDataKey(year: number, key: string): Promise<string | null> {
    const before = await this.db
      .selectFrom('statistics_years')
      .select('open_data_key')
      .where('year', '=', year)
      .forUpdate()
      .executeTakeFirst();
    await this.db.updateTable('statistics_years').set({ open_data_key: key }).where('year', '=', year).execute();
    return before?.open_data_key ?? null;
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
    return rows.map((r) =>
      Object.assign(
        { authorityId: r.id, name: r.name, kind: r.kind, slug: r.slug },
        countsOf({
          received: r.received ?? 0,
          received_by_area: r.received_by_area ?? {},
          decided: r.decided ?? 0,
          not_for_us: r.not_for_us ?? 0,
          assessed_and_closed: r.assessed_and_closed ?? 0,
          investigated: r.investigated ?? 0,
          upheld: r.upheld ?? 0,
          satisfactory_remedy: r.satisfactory_remedy ?? 0,
          remedies_due: r.remedies_due ?? 0,
          remedies_complied: r.remedies_complied ?? 0,
          remedies_complied_late: r.remedies_complied_late ?? 0,
          public_reports: r.public_reports ?? 0,
        }),
      ),
    );
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
