import { parse } from 'node-html-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { londonDate } from '../../src/platform/calendar/calendar.ts';
import { encodeConsent } from '../../src/modules/privacy/consent.ts';
import { TEST_SECRET, TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';

/**
 * The cookie banner, the privacy settings page and the analytics they allow: nothing is counted and
 * no analytics cookie is set until the visitor says yes, and a no (or Global Privacy Control, or a
 * consent cookie Liaison did not set) takes them away again.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.services.privacy.flush();
  await t.db.kysely.deleteFrom('analytics_page_views').execute();
  await t.db.kysely.deleteFrom('analytics_visitors').execute();
});

const CONSENT = 'liaison_consent';
const ANALYTICS = 'liaison_analytics';
const today = () => londonDate(new Date());

/** What the database holds once this process's counts are written. */
async function stored() {
  await t.services.privacy.flush();
  const pages = await t.db.kysely
    .selectFrom('analytics_page_views')
    .select(['path', 'views'])
    .orderBy('path')
    .execute();
  const visitors = await t.db.kysely.selectFrom('analytics_visitors').select(['day', 'visitors']).execute();
  return { pages: Object.fromEntries(pages.map((p) => [p.path, p.views])), visitors };
}

const bannerOf = (html: string) => parse(html).querySelector('.govuk-cookie-banner');
const bannerText = (html: string) => bannerOf(html)?.textContent.replace(/\s+/g, ' ').trim() ?? null;

describe('before the visitor chooses', () => {
  it('shows the banner on public pages, sets no analytics cookie and counts nothing', async () => {
    const visitor = new TestClient(t.app);
    for (const url of ['/', '/privacy', '/accessibility?from=footer']) {
      const page = await visitor.get(url);
      expect(page.statusCode).toBe(200);
      expect(bannerText(page.body)).toContain('Cookies on Liaison');
      // The banner's form goes back to the page it was on.
      expect(parse(page.body).querySelector('input[name="returnTo"]')?.getAttribute('value')).toBe(url);
      expect(page.cookies.map((c) => c.name)).not.toContain(ANALYTICS);
    }
    expect(visitor.cookies.has(ANALYTICS)).toBe(false);
    expect(await stored()).toEqual({ pages: {}, visitors: [] });
  });

  it('does not show the banner on the privacy settings page itself, nor on staff pages', async () => {
    expect(bannerOf((await new TestClient(t.app).get('/privacy-settings')).body)).toBeNull();
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    expect(bannerOf((await new TestClient(t.app).withSession(token).get('/staff')).body)).toBeNull();
  });

  it('sends the old cookies page to the privacy settings page', async () => {
    const response = await new TestClient(t.app).get('/cookies');
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/privacy-settings');
  });
});

describe('accepting analytics in the banner', () => {
  it('returns to the page, confirms once, then counts each page view and the visitor once a day', async () => {
    const visitor = new TestClient(t.app);
    await visitor.get('/privacy');
    const chosen = await visitor.post('/privacy-settings/banner', {
      analytics: 'yes',
      returnTo: '/privacy?from=banner',
    });
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers.location).toBe('/privacy?from=banner');
    expect(visitor.cookies.has(CONSENT)).toBe(true);

    const back = await visitor.get('/privacy?from=banner');
    expect(bannerText(back.body)).toContain('You’ve accepted analytics cookies');
    expect(visitor.cookies.get(ANALYTICS)).toBe(today());
    // Shown once: the next page has no banner at all.
    expect(bannerOf((await visitor.get('/')).body)).toBeNull();
    await visitor.get('/');
    // Not counted: a redirect, a missing page and a staff page.
    await visitor.get('/cookies');
    await visitor.get('/no-such-page');

    expect(await stored()).toEqual({ pages: { '/': 2, '/privacy': 1 }, visitors: [{ day: today(), visitors: 1 }] });
  });
});

describe('rejecting analytics in the banner', () => {
  it('confirms, sets no analytics cookie and counts nothing', async () => {
    const visitor = new TestClient(t.app);
    await visitor.post('/privacy-settings/banner', { analytics: 'no', returnTo: '/accessibility' });
    const back = await visitor.get('/accessibility');
    expect(bannerText(back.body)).toContain('You’ve rejected analytics cookies');
    await visitor.get('/');
    expect(visitor.cookies.has(ANALYTICS)).toBe(false);
    expect(await stored()).toEqual({ pages: {}, visitors: [] });
  });

  it('never sends the visitor to another site', async () => {
    const visitor = new TestClient(t.app);
    const chosen = await visitor.post('/privacy-settings/banner', { analytics: 'no', returnTo: '//evil.example/' });
    expect(chosen.headers.location).toBe('/');
  });
});

describe('Global Privacy Control', () => {
  it('is treated as a no: no banner, nothing counted, the analytics cookie deleted, and the page says so', async () => {
    const visitor = new TestClient(t.app);
    const gpc = { 'sec-gpc': '1' };
    expect(bannerOf((await visitor.get('/', gpc)).body)).toBeNull();
    // Even a yes given earlier counts for nothing while the browser sends the signal.
    visitor.cookies.set(CONSENT, encodeConsent(TEST_SECRET, { analytics: 'yes', justChosen: false }));
    visitor.cookies.set(ANALYTICS, today());
    await visitor.get('/privacy', gpc);
    expect(visitor.cookies.has(ANALYTICS)).toBe(false);
    const settings = await visitor.get('/privacy-settings', gpc);
    expect(settings.body).toContain('Global Privacy Control');
    expect(parse(settings.body).querySelector('input[name="analytics"]')).toBeNull();
    expect(await stored()).toEqual({ pages: {}, visitors: [] });
  });
});

describe('a consent cookie Liaison did not set', () => {
  it('is no choice yet: the banner shows and nothing is counted', async () => {
    for (const forged of ['yes', '1.yes', `1.yes.${'A'.repeat(43)}`, '%7B%22analytics%22%3Atrue%7D']) {
      const visitor = new TestClient(t.app);
      visitor.cookies.set(CONSENT, forged);
      const page = await visitor.get('/');
      expect(bannerText(page.body), forged).toContain('Cookies on Liaison');
      expect(visitor.cookies.has(ANALYTICS)).toBe(false);
    }
    expect(await stored()).toEqual({ pages: {}, visitors: [] });
  });
});

describe('the privacy settings page', () => {
  it('lists every required cookie by name, has analytics off by default, and saves a yes', async () => {
    const visitor = new TestClient(t.app);
    const page = parse((await visitor.get('/privacy-settings')).body);
    const names = page.querySelectorAll('tbody th code').map((c) => c.textContent);
    expect(names).toEqual([
      'liaison_session',
      'liaison_csrf',
      'liaison_flash',
      'liaison_complaint',
      'liaison_consent',
      'liaison_analytics',
    ]);
    expect(page.querySelector('input[name="analytics"][checked]')?.getAttribute('value')).toBe('no');
    expect(page.textContent).toContain('We recommend you say yes');

    const saved = await visitor.post('/privacy-settings', { analytics: 'yes' });
    expect(saved.headers.location).toBe('/privacy-settings');
    const after = await visitor.get('/privacy-settings');
    expect(after.body).toContain('You’ve set your cookie preferences.');
    expect(parse(after.body).querySelector('input[name="analytics"][checked]')?.getAttribute('value')).toBe('yes');
    expect(visitor.cookies.get(ANALYTICS)).toBe(today());
    expect(await stored()).toEqual({ pages: { '/privacy-settings': 1 }, visitors: [{ day: today(), visitors: 1 }] });
  });

  it('withdrawing consent deletes the analytics cookie and stops the counting', async () => {
    const visitor = new TestClient(t.app);
    await visitor.post('/privacy-settings', { analytics: 'yes' });
    await visitor.get('/');
    expect(visitor.cookies.has(ANALYTICS)).toBe(true);
    const withdrawn = await visitor.post('/privacy-settings', { analytics: 'no' });
    expect(withdrawn.cookies.find((c) => c.name === ANALYTICS)?.maxAge).toBe(0);
    expect(visitor.cookies.has(ANALYTICS)).toBe(false);
    await visitor.get('/');
    await visitor.get('/privacy');
    expect(await stored()).toEqual({ pages: { '/': 1 }, visitors: [{ day: today(), visitors: 1 }] });
  });

  it('refuses a choice that is neither yes nor no with the error summary, changing nothing', async () => {
    const visitor = new TestClient(t.app);
    await visitor.post('/privacy-settings', { analytics: 'yes' });
    const consent = visitor.cookies.get(CONSENT);
    for (const form of [{ analytics: 'maybe' }, {}] as Record<string, string>[]) {
      const refused = await visitor.post('/privacy-settings', form);
      expect(refused.headers.location).toBe('/privacy-settings');
      const page = parse((await visitor.get('/privacy-settings')).body);
      expect(page.querySelector('.govuk-error-summary')?.textContent).toContain(
        'Select yes if you want to accept analytical cookies',
      );
    }
    expect(visitor.cookies.get(CONSENT)).toBe(consent);
    // The banner's form is refused the same way, and needs the form's token like every other.
    expect((await visitor.post('/privacy-settings/banner', { analytics: 'no' }, { csrf: false })).statusCode).toBe(403);
    expect(visitor.cookies.get(CONSENT)).toBe(consent);
  });
});

describe('the staff analytics page', () => {
  it('shows the relationship lead visits per day and the most viewed pages', async () => {
    const visitor = new TestClient(t.app);
    await visitor.post('/privacy-settings/banner', { analytics: 'yes', returnTo: '/' });
    await visitor.get('/');
    await visitor.get('/privacy');
    await visitor.get('/privacy');
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const page = parse((await new TestClient(t.app).withSession(token).get('/staff/analytics')).body);
    expect(page.querySelector('#total-views')?.textContent.trim()).toBe('3');
    expect(page.querySelector('#total-visitors')?.textContent).toContain('1');
    expect(page.querySelector('svg[role="img"]')).not.toBeNull();
    const firstRow = page.querySelectorAll('#visits-per-day tbody tr')[0];
    expect(firstRow?.querySelector('time')?.getAttribute('datetime')).toBe(today());
    expect(firstRow?.querySelectorAll('td').map((c) => c.textContent.trim())).toEqual(['3', '1']);
    expect(page.querySelectorAll('#visits-per-day tbody tr')).toHaveLength(28);
    const top = page.querySelectorAll('#top-pages tbody tr').map((r) => r.textContent.replace(/\s+/g, ' ').trim());
    expect(top).toEqual(['/privacy 2', '/ 1']);
  });

  it('answers bad dates with the error summary', async () => {
    const { token } = await signedInAs(t.db, t.services, 'administrator');
    const staff = new TestClient(t.app).withSession(token);
    for (const [query, message] of [
      ['from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026', 'Date from must be a real date'],
      [
        'from-day=1&from-month=3&from-year=2026&to-day=1&to-month=2&to-year=2026',
        'Date to must be the same as or after',
      ],
      ['from-day=1&from-month=1&from-year=2020&to-day=1&to-month=1&to-year=2026', '366 days apart or fewer'],
      ['from-day=1&from-month=1&from-year=2026', 'Enter the date to'],
      [
        `from-day=${'9'.repeat(40)}&from-month=1&from-year=2026&to-day=1&to-month=2&to-year=2026`,
        'Date from must be a real date',
      ],
      ['from-day=1&from-day=2', 'There is a problem'],
    ] as const) {
      const response = await staff.get(`/staff/analytics?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(parse(response.body).querySelector('.govuk-error-summary')?.textContent, query).toContain(message);
    }
    const ranged = await staff.get(
      '/staff/analytics?from-day=1&from-month=3&from-year=2026&to-day=7&to-month=3&to-year=2026',
    );
    expect(ranged.statusCode).toBe(200);
    expect(parse(ranged.body).querySelectorAll('#visits-per-day tbody tr')).toHaveLength(7);
  });

  it('is for the relationship lead and administrators only', async () => {
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    expect((await new TestClient(t.app).withSession(token).get('/staff/analytics')).statusCode).toBe(403);
  });
});

describe('stopping the application', () => {
  it('writes the page views counted but not yet written', async () => {
    const other = await createTestApp();
    try {
      const visitor = new TestClient(other.app);
      await visitor.post('/privacy-settings', { analytics: 'yes' });
      await visitor.get('/');
      await other.app.close();
      const rows = await other.db.kysely.selectFrom('analytics_page_views').select(['path', 'views']).execute();
      expect(rows).toEqual([{ path: '/', views: 1 }]);
    } finally {
      await other.db.close();
    }
  });
});
