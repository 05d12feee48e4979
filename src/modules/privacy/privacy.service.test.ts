import { describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import type { AnalyticsRepository, PageCount, VisitorCount } from './analytics.repository.ts';
import { PrivacyService } from './privacy.service.ts';

/** A repository that keeps what it is given, and refuses while `down`. */
class FakeRepository {
  down = false;
  readonly written: { pages: PageCount[]; visitors: VisitorCount[] }[] = [];

  add(pages: readonly PageCount[], visitors: readonly VisitorCount[]): Promise<void> {
    if (this.down) return Promise.reject(new Error('the database is not answering'));
    this.written.push({ pages: pages.map((p) => ({ ...p })), visitors: [...visitors] });
    return Promise.resolve();
  }
}

const serviceOver = (repository: FakeRepository) =>
  new PrivacyService(repository as unknown as AnalyticsRepository, systemClock, createLogger('silent'));

describe('counting page views', () => {
  it('adds up views per day and page, and visitors per day, into one write', async () => {
    const repository = new FakeRepository();
    const privacy = serviceOver(repository);
    privacy.count('2026-12-06', '/', true);
    privacy.count('2026-12-06', '/', false);
    privacy.count('2026-12-06', '/privacy', false);
    privacy.count('2026-12-07', '/', true);
    await privacy.flush();
    await privacy.flush(); // nothing new: nothing written
    expect(repository.written).toEqual([
      {
        pages: [
          { day: '2026-12-06', path: '/', views: 2 },
          { day: '2026-12-06', path: '/privacy', views: 1 },
          { day: '2026-12-07', path: '/', views: 1 },
        ],
        visitors: [
          { day: '2026-12-06', visitors: 1 },
          { day: '2026-12-07', visitors: 1 },
        ],
      },
    ]);
  });

  it('keeps the counts of a write that failed and adds them to the next', async () => {
    const repository = new FakeRepository();
    const privacy = serviceOver(repository);
    privacy.count('2026-12-06', '/', true);
    repository.down = true;
    await privacy.flush();
    repository.down = false;
    privacy.count('2026-12-06', '/', true);
    await privacy.flush();
    expect(repository.written).toEqual([
      { pages: [{ day: '2026-12-06', path: '/', views: 2 }], visitors: [{ day: '2026-12-06', visitors: 2 }] },
    ]);
  });
});
