import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

describe('public pages in Chromium', () => {
  it('are reachable from the footer, accessible, and carry Liaison branding', async () => {
    const { page, context } = await h.newPage();
    await page.goto('/');
    await expect(page.locator('h1').textContent()).resolves.toBe('Liaison');
    await expectAccessible(page);
    for (const link of ['Accessibility statement', 'Privacy notice', 'Cookies']) {
      await clickThrough(page.getByRole('contentinfo').getByRole('link', { name: link }));
      await expect(page.locator('h1').textContent()).resolves.toBe(link);
      await expectAccessible(page);
    }
    // The home page leads the public to the complaint form and authorities to the change of link officer form.
    for (const [link, path] of [
      ['Make a complaint to the ombudsman', '/complain'],
      ['Tell us about a change of link officer or contact arrangements', '/link-officer-change'],
    ] as const) {
      await page.goto('/');
      await page.getByRole('main').getByRole('link', { name: link }).click();
      await page.waitForURL((url) => url.pathname === path);
      await expectAccessible(page);
    }
    await context.close();
  });

  it('shows the 404 page accessibly', async () => {
    const { page, context } = await h.newPage();
    const response = await page.goto('/not-a-page');
    expect(response?.status()).toBe(404);
    await expectAccessible(page);
    await context.close();
  });
});
