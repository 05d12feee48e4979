import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import {
  ASSESSED_AND_CLOSED,
  INVESTIGATED,
  NOT_FOR_US,
  SATISFACTORY_REMEDY,
  UPHELD,
  type StatisticsYear,
} from './domain.ts';
import { COUNT_COLUMNS, StatisticsRepository } from './statistics.repository.ts';
import './statistics.tables.ts';

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql.lit(v)),
    sql`, `,
  );

/**
 * The statements that fill the summary table from the casework tables: one set-based statement per
 * year (`refreshYear`), the authorities' addresses, and the names of each year's open data files.
 */
export class StatisticsRefreshRepository {
  /** The summary's reads, in the same transaction (the open data written at a refresh reads what it wrote). */
  readonly figures: StatisticsRepository;

  constructor(private readonly db: DbOrTx) {
    this.figures = new StatisticsRepository(db);
  }

  transaction<T>(work: (repo: StatisticsRefreshRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new StatisticsRefreshRepository(trx)));
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
}
