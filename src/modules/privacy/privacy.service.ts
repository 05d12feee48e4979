import { londonDate } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import { forbidden } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { can, type Actor } from '../accounts/domain.ts';
import type { AnalyticsRepository, PageCount, TopPage, VisitorCount } from './analytics.repository.ts';
import { fillDays, type DailyFigures, type DateRange } from './domain.ts';

/** Distinct (day, page) pairs held between writes; past it, new pairs wait for the next write. */
const MAX_PENDING_PAGES = 10_000;
export const TOP_PAGES = 20;

export interface AnalyticsReport {
  range: DateRange;
  days: DailyFigures[];
  totals: { views: number; visitors: number };
  topPages: TopPage[];
}

/**
 * First-party analytics of the public pages. A counted page view is added to counts held in this
 * process's memory and written to the database in one statement per table every few seconds
 * (`flush`, run by a timer in the web process and when it stops), so a page view costs no database
 * work of its own. Counts not yet written are lost only if the process dies without stopping; a
 * write that fails keeps them for the next.
 */
export class PrivacyService {
  private pages = new Map<string, PageCount>();
  private visitors = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();
  private warnedFull = false;

  constructor(
    private readonly repository: AnalyticsRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Today in London: the day a page view is counted under. */
  today(): string {
    return londonDate(this.clock.now());
  }

  /** Counts one page view of `path` on `day`, and one visitor when it is the browser's first that day. */
  count(day: string, path: string, newVisitor: boolean): void {
    const key = `${day} ${path}`;
    const held = this.pages.get(key);
    if (held) held.views += 1;
    else if (this.pages.size < MAX_PENDING_PAGES) this.pages.set(key, { day, path, views: 1 });
    else if (!this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        { pending: this.pages.size },
        'analytics: too many pages waiting to be written; some views are not counted',
      );
    }
    if (newVisitor) this.visitors.set(day, (this.visitors.get(day) ?? 0) + 1);
  }

  /** Writes the counts held so far. Writes run one at a time; a failed write keeps its counts for the next. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.pages.size === 0 && this.visitors.size === 0) return;
    const pages = [...this.pages.values()].sort((a, b) => (a.day + a.path < b.day + b.path ? -1 : 1));
    const visitors: VisitorCount[] = [...this.visitors]
      .map(([day, n]) => ({ day, visitors: n }))
      .sort((a, b) => (a.day < b.day ? -1 : 1));
    this.pages = new Map();
    this.visitors = new Map();
    this.warnedFull = false;
    try {
      await this.repository.add(pages, visitors);
    } catch (error) {
      this.logger.error({ err: error }, 'analytics: could not write the counts; keeping them for the next write');
      for (const page of pages) {
        const held = this.pages.get(`${page.day} ${page.path}`);
        if (held) held.views += page.views;
        else this.pages.set(`${page.day} ${page.path}`, page);
      }
      for (const v of visitors) this.visitors.set(v.day, (this.visitors.get(v.day) ?? 0) + v.visitors);
    }
  }

  /** The staff page: page views and visitors per day over the range, and the most viewed pages. */
  async report(actor: Actor, range: DateRange): Promise<AnalyticsReport> {
    if (!can(actor, 'analytics:read')) throw forbidden();
    // What this process has counted is written first, so the page shows every view it has seen.
    await this.flush();
    const [counted, topPages] = await Promise.all([
      this.repository.daily(range),
      this.repository.topPages(range, TOP_PAGES),
    ]);
    const days = fillDays(range, counted);
    const totals = days.reduce((sum, d) => ({ views: sum.views + d.views, visitors: sum.visitors + d.visitors }), {
      views: 0,
      visitors: 0,
    });
    return { range, days, totals, topPages };
  }
}
