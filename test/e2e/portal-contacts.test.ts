import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createSession, createUser } from '../support/factories.ts';

let h: BrowserHarness;
let authorityId: string;

beforeAll(async () => {
  h = await startBrowserHarness();
  const lead = await createUser(h.services, { role: 'relationship-lead' });
  const actor: Actor = { type: 'user', id: lead.id, roles: ['relationship-lead'], authorityId: null };
  authorityId = await h.services.authorities.create(actor, {
    name: 'Eastmere Borough Council',
    kind: 'district',
    reference: 'E07000999',
    address: 'Town Hall\nEastmere',
    region: 'East of England',
    genericInbox: null,
    chiefExecutive: { title: null, name: 'Edith East', jobTitle: 'Chief Executive', email: 'edith@eastmere.example' },
    monitoringOfficer: null,
  });
});
afterAll(async () => {
  await h.closeAll();
});

describe('an authority’s contacts in the portal, in Chromium', () => {
  it('a link officer changes the generic inbox after correcting an error, and adds then removes a head of service', async () => {
    const user = await createUser(h.services, { role: 'link-officer', authorityId });
    const token = await createSession(h.db, user.id);
    const { context, page } = await h.newPage();
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: h.baseUrl }]);

    await page.goto('/portal/authority');
    await expect(page.locator('h1').textContent()).resolves.toBe('Your authority’s contacts');
    await expectAccessible(page);

    await clickThrough(page.getByRole('link', { name: 'Change generic inbox' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Change your authority’s contacts');
    await expectAccessible(page);
    await page.getByLabel('Generic inbox (optional)').fill('ombudsman at eastmere');
    await clickThrough(page.getByRole('button', { name: 'Save' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Enter the generic inbox in the correct format, like name@example.com',
    );
    await expect(page.getByLabel('Generic inbox (optional)').inputValue()).resolves.toBe('ombudsman at eastmere');
    await expectAccessible(page);

    await page.getByLabel('Generic inbox (optional)').fill('ombudsman@eastmere.example');
    await clickThrough(page.getByRole('button', { name: 'Save' }));
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Contacts changed');
    await expect(page.getByText('ombudsman@eastmere.example').count()).resolves.toBe(1);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Add a head of service' }).click();
    await expectAccessible(page);
    await page.getByLabel('Service area').selectOption('housing');
    await page.getByLabel('Full name').fill('Harriet Home');
    await page.getByLabel('Job title').fill('Head of Housing');
    await page.getByLabel('Email address').fill('harriet@eastmere.example');
    await clickThrough(page.getByRole('button', { name: 'Save' }));
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Head of service added');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Change head of housing' }).click();
    await expectAccessible(page);
    await clickThrough(page.getByRole('button', { name: 'Remove this head of service' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Remove the head of housing?');
    await expectAccessible(page);
    await clickThrough(page.getByRole('button', { name: 'Remove head of service' }));
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Head of service removed',
    );
    await expect(page.getByText('Harriet Home').count()).resolves.toBe(0);
    await expectAccessible(page);

    const staffView = await h.services.authorities.findAuthority(authorityId);
    expect(staffView?.genericInbox).toBe('ombudsman@eastmere.example');
    await context.close();
  });
});
