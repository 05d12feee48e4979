import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { DailyFigures, DateRange } from './domain.ts';

export interface PageCount {
  day: string;
  path: string;
  views: number;
}

export interface VisitorCount {
  day: string;
  visitors: number;
}

export interface TopPage {
  path: string;
  views: number;
}

/**
 * The analytics tables: counts added in one statement per table, whatever the number of rows (the
 * rows travel as arrays, so the statement's text never changes and stays prepared), and the staff
 * page's reads.
 */
export class AnalyticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds page views and visitors to the stored counts, in one transaction. */
  async add(pages: readonly PageCount[], visitors: readonly VisitorCount[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (pages.length > 0) {
        await sql`
          INSERT INTO analytics_page_views (day, path, views)
          SELECT * FROM unnest(${pages.map((p) => p.day)}::date[], ${pages.map((p) => p.path)}::text[], ${pages.map((p) => p.views)}::int[])
          ON CONFLICT (day, path) DO UPDATE SET views = analytics_page_views.views + EXCLUDED.views
        `.execute(trx);
      }
      if (visitors.length > 0) {
        await sql`
          INSERT INTO analytics_visitors (day, visitors)
          SELECT * FROM unnest(${visitors.map((v) => v.day)}::date[], ${visitors.map((v) => v.visitors)}::int[])
          ON CONFLICT (day) DO UPDATE SET visitors = analytics_visitors.visitors + EXCLUDED.visitors
        `.execute(trx);
      }
    });
  }

  /** Page views and visitors of each day in the range that has any, in order. */
  async daily(range: DateRange): Promise<DailyFigures[]> {
    const { rows } = await sql<{ day: string; views: number; visitors: number }>`
      SELECT coalesce(p.day, v.day)::text AS day, coalesce(p.views, 0)::int AS views, coalesce(v.visitors, 0)::int AS visitors
      FROM (
        SELECT day, sum(views) AS views FROM analytics_page_views
        WHERE day BETWEEN ${range.from}::date AND ${range.to}::date GROUP BY day
      ) p
      FULL JOIN (
        SELECT day, visitors FROM analytics_visitors WHERE day BETWEEN ${range.from}::date AND ${range.to}::date
      ) v ON v.day = p.day
      ORDER BY 1
    `.execute(this.db);
    return rows;
  }

  /** The most viewed pages over the range, most first (ties by path). */
  async topPages(range: DateRange, limit: number): Promise<TopPage[]> {
    return this.db
      .selectFrom('analytics_page_views')
      .select(['path', sql<number>`sum(views)::int`.as('views')])
      .where('day', '>=', range.from)
      .where('day', '<=', range.to)
      .groupBy('path')
      .orderBy(sql`sum(views)`, 'desc')
      .orderBy('path')
      .limit(limit)
      .execute();
  }
}
