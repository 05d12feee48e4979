import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
} from '../support/browser.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

const ANALYTICS = 'liaison_analytics';

describe('privacy settings and analytics in Chromium', () => {
  it('counts a visitor only once they opt in, and shows the relationship lead that visit alone', async () => {
    const { page, context } = await h.newPage();
    const analyticsCookies = async () => (await context.cookies()).filter((c) => c.name === ANALYTICS);

    // A first visit: the banner asks, and the visitor says no.
    await page.goto('/');
    const banner = page.getByRole('region', { name: 'Cookies on Liaison' });
    await expect(banner.getByRole('heading').innerText()).resolves.toBe('Cookies on Liaison');
    await expectAccessible(page);
    await banner.getByRole('button', { name: 'Reject analytics cookies' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect(banner.textContent()).resolves.toContain('You’ve rejected analytics cookies');
    await expectAccessible(page);
    await banner.getByRole('button', { name: 'Hide cookie message' }).click();
    await page.waitForLoadState();
    await expect(banner.count()).resolves.toBe(0);
    expect(await analyticsCookies()).toEqual([]);

    // Later the visitor opts in on the privacy settings page, from the footer.
    await page.getByRole('contentinfo').getByRole('link', { name: 'Cookies' }).click();
    await page.waitForURL((url) => url.pathname === '/privacy-settings');
    await expect(page.getByRole('row', { name: /liaison_session/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('radio', { name: 'No' }).isChecked()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByRole('button', { name: 'Save cookie settings' }).click();
    await page.waitForURL((url) => url.pathname === '/privacy-settings');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'You’ve set your cookie preferences.',
    );
    await expectAccessible(page);
    expect((await analyticsCookies()).map((c) => c.httpOnly)).toEqual([true]);

    // The relationship lead sees one visitor and one page view: the page after opting in, not the earlier ones.
    const lead = await h.pageAs('relationship-lead', null, 'Rosa Lead');
    await lead.page.goto('/staff');
    await openArea(lead.page, 'Analytics');
    await expect(lead.page.locator('h1').textContent()).resolves.toBe('Analytics');
    await expect(lead.page.getByRole('img', { name: /Page views and visitors per day/ }).count()).resolves.toBe(1);
    const today = lead.page
      .getByRole('table', { name: /Visits per day/ })
      .getByRole('row')
      .nth(1);
    await expect(today.getByRole('cell').allTextContents()).resolves.toEqual(['1', '1']);
    const topPages = lead.page.locator('#top-pages tbody tr');
    await expect(topPages.allTextContents()).resolves.toEqual([expect.stringMatching(/\/privacy-settings\s+1/)]);
    await expectAccessible(lead.page);

    // A bad date is answered with the error summary.
    await lead.page.getByRole('group', { name: 'Date from' }).getByLabel('Day').fill('31');
    await lead.page.getByRole('group', { name: 'Date from' }).getByLabel('Month').fill('2');
    await clickThrough(lead.page.getByRole('button', { name: 'Show visits' }));
    await expect(lead.page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Date from must be a real date',
    );
    await expectAccessible(lead.page);

    await lead.context.close();
    await context.close();
  });
});
