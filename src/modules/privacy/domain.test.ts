import { describe, expect, it } from 'vitest';
import { countedPath, daysBetween, defaultRange, fillDays, isCountedPageView } from './domain.ts';

describe('the path a page view is counted under', () => {
  it('keeps public names and writes any other parameter as its name', () => {
    expect(countedPath('/', {})).toBe('/');
    expect(countedPath('/privacy-settings', {})).toBe('/privacy-settings');
    expect(countedPath('/publications/:slug', { slug: 'complaints-about-care' })).toBe(
      '/publications/complaints-about-care',
    );
    expect(countedPath('/complain/:step', { step: 'about-you' })).toBe('/complain/about-you');
    expect(countedPath('/decision/:token', { token: 'secret-token-value' })).toBe('/decision/:token');
    expect(countedPath('/set-up/:token', { token: 'abc' })).toBe('/set-up/:token');
    expect(countedPath('/publications/:slug', { slug: 'Not A Slug <script>' })).toBe('/publications/:slug');
  });
});

describe('which page views are counted', () => {
  const view = { method: 'GET', status: 200, access: 'public', routeUrl: '/', contentType: 'text/html; charset=utf-8' };

  it('counts public pages fetched and answered 200 with HTML', () => {
    expect(isCountedPageView(view)).toBe(true);
  });

  it('does not count anything else', () => {
    expect(isCountedPageView({ ...view, method: 'HEAD' })).toBe(false);
    expect(isCountedPageView({ ...view, method: 'POST' })).toBe(false);
    expect(isCountedPageView({ ...view, status: 303 })).toBe(false);
    expect(isCountedPageView({ ...view, status: 404, routeUrl: undefined, access: undefined })).toBe(false);
    expect(isCountedPageView({ ...view, access: 'staff:home', routeUrl: '/staff' })).toBe(false);
    expect(isCountedPageView({ ...view, access: 'public', routeUrl: '/staff/sign-in' })).toBe(false);
    expect(isCountedPageView({ ...view, routeUrl: '/healthz', contentType: 'application/json' })).toBe(false);
    expect(isCountedPageView({ ...view, routeUrl: '/publications.atom', contentType: 'application/atom+xml' })).toBe(
      false,
    );
  });
});

describe('date ranges', () => {
  it('defaults to the last 28 days, today included', () => {
    const range = defaultRange('2026-12-06');
    expect(range).toEqual({ from: '2026-11-09', to: '2026-12-06' });
    expect(daysBetween(range)).toBe(28);
  });

  it('fills the days nothing was counted on with zeros', () => {
    expect(fillDays({ from: '2026-03-28', to: '2026-03-30' }, [{ day: '2026-03-29', views: 3, visitors: 2 }])).toEqual([
      { day: '2026-03-28', views: 0, visitors: 0 },
      { day: '2026-03-29', views: 3, visitors: 2 },
      { day: '2026-03-30', views: 0, visitors: 0 },
    ]);
  });
});
