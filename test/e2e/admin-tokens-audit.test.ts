import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithTwoFactor, signInThroughPages } from '../support/auth.ts';
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

const callMe = (token: string) => fetch(`${h.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });

describe('API tokens and the audit log in Chromium', () => {
  it('lets an administrator make a token, use it once shown, revoke it, and find both in the audit log', async () => {
    const admin = await createUserWithTwoFactor(h.db, h.services, { role: 'administrator' });
    const { page, context } = await h.newPage();
    await signInThroughPages(page, admin.email, admin.password, admin.totpSecret);

    await openArea(page, 'API tokens');
    await expect(page.locator('h1').textContent()).resolves.toBe('API tokens');
    await expectAccessible(page);

    await clickThrough(page.getByRole('button', { name: 'Create an API token' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Create an API token');
    await expectAccessible(page);

    // A mistake first: no name, and an authority role without its authority.
    await page.getByLabel('Delegate').check();
    await clickThrough(page.getByRole('button', { name: 'Create token' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Enter a name for the token');
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Select the authority for a Delegate token',
    );
    await expectAccessible(page);

    await page.getByLabel('Name').fill('Case management export');
    await page.getByLabel('Investigator').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.locator('#new-token-panel h2').textContent()).resolves.toBe('Copy your new token now');
    const token = await page.getByLabel('Your new API token').inputValue();
    expect(token).toMatch(/^liaison_/);
    await expectAccessible(page);

    const me = await callMe(token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ type: 'token', roles: ['investigator'], authorityId: null });

    // Shown once: a fresh look at the list no longer has it.
    await page.reload();
    await expect(page.locator('#new-token').count()).resolves.toBe(0);
    await expect(page.getByRole('row', { name: /Case management export/ }).textContent()).resolves.toContain('Active');

    await clickThrough(page.getByRole('button', { name: 'Revoke Case management export' }));
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'API token ‘Case management export’ revoked',
    );
    await expect(page.getByRole('row', { name: /Case management export/ }).textContent()).resolves.toContain('Revoked');
    await expectAccessible(page);
    expect((await callMe(token)).status).toBe(401);

    await openArea(page, 'Audit log');
    await expect(page.locator('h1').textContent()).resolves.toBe('Audit log');
    const log = (await page.locator('table').textContent()) ?? '';
    expect(log).toContain('api-token.created');
    expect(log).toContain('api-token.revoked');
    expect(log).toContain('Administrator');
    await expectAccessible(page);

    await page.getByLabel('Action').fill('api-token.revoked');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // A click that navigates returns once the next page has started to arrive: counting and reading
    // all of a list (which do not wait) come after that page has loaded.
    await page.waitForURL(/[?&]action=api-token\.revoked/);
    await expect(page.locator('table tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('table tbody').textContent()).resolves.toContain('api-token.revoked');
    await expectAccessible(page);

    // Following a record's link shows everything that happened to that token.
    await page.locator('table tbody tr').first().getByRole('link').last().click();
    await page.waitForURL(/[?&]recordId=/);
    const actions = await page.locator('table tbody code').allTextContents();
    expect(actions).toEqual(['api-token.revoked', 'api-token.created']);
    await expectAccessible(page);

    // A date that does not exist.
    await page.goto('/staff/audit');
    const from = page.getByRole('group', { name: 'Date from' });
    await from.getByLabel('Day').fill('31');
    await from.getByLabel('Month').fill('2');
    await from.getByLabel('Year').fill('2026');
    await clickThrough(page.getByRole('button', { name: 'Apply filters' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Date from must be a real date',
    );
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await expect(from.getByLabel('Day').inputValue()).resolves.toBe('31');
    await expectAccessible(page);
    await page.locator('.govuk-error-summary a').first().click();
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('from-day');

    await context.close();
  });
});
