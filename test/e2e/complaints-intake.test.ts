import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, startBrowserHarness, type BrowserHarness } from '../support/browser.ts';
import { complaintInput, createAuthority } from '../support/factories.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

describe('intake in Chromium', () => {
  it('an intake officer records a letter with a representative, correcting a phone number the form refused', async () => {
    await createAuthority(h.db, { name: 'Ravenmoor County Council' });
    const { page } = await h.pageAs('intake-officer', null, 'Ines Intake');
    await page.goto('/staff/complaints/new?q=ravenmoor');
    await expectAccessible(page);
    await page.getByLabel('Ravenmoor County Council').check();
    await page.getByLabel('Letter').check();
    await page.getByLabel('Service', { exact: true }).selectOption('adult-social-care');
    const complainant = page.getByRole('group', { name: 'Complainant' });
    await complainant.getByLabel('Full name').fill('Edna Marsh');
    await complainant.getByLabel('Postal address (optional)').fill('4 Quay Street, Ravenmoor');
    await complainant
      .getByRole('group', { name: /agree to their details being shared/ })
      .getByLabel('Yes')
      .check();
    const representative = page.getByRole('group', { name: 'Representative (optional)' });
    await representative.getByLabel('Full name').fill('Carl Marsh');
    await representative.getByLabel('Relationship to the complainant (optional)').fill('Son');
    await representative.getByLabel('Phone (optional)').fill('12345');
    await representative.getByLabel('Accessibility or communication needs (optional)').fill('Text messages only');
    await page.getByLabel('What happened').fill('Care visits stopped without notice.');
    await page
      .getByRole('group', { name: /complaints process finished/ })
      .getByLabel('Yes')
      .check();
    await page.getByRole('button', { name: 'Record complaint' }).click();

    await expectAccessible(page);
    const summary = page.locator('.govuk-error-summary');
    await expect(summary.textContent()).resolves.toContain('Enter the representative’s phone number as a UK number');
    await summary.getByRole('link', { name: /representative’s phone number/ }).click();
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe(
      'representativePhone',
    );
    await page.locator('#representativePhone').fill('07911 123456');
    await page.getByRole('button', { name: 'Record complaint' }).click();

    await expectAccessible(page);
    const details = page.locator('#representative');
    await expect(details.textContent()).resolves.toContain('07911 123456');
    await expect(details.textContent()).resolves.toContain('Text messages only');
    await expect(page.locator('#case-status').textContent()).resolves.toContain('Intake');
  });

  it('an intake officer starts intake on a complaint from the public form, then sends it to assessment', async () => {
    const authorityId = await createAuthority(h.db, { name: 'Saltcombe District Council' });
    const created = await h.services.complaints.receive(
      null,
      complaintInput(authorityId, { channel: 'online', complainant: { email: 'robin.hale@example.test' } }),
    );
    const { page } = await h.pageAs('intake-officer', null, 'Ines Intake');
    await page.goto(`/staff/complaints/${created.id}`);
    await expectAccessible(page);
    await expect(page.locator('#case-status').textContent()).resolves.toContain('Received');
    await page.getByRole('button', { name: 'Start intake checks' }).click();

    await expectAccessible(page);
    await expect(page.locator('#case-status').textContent()).resolves.toContain('Intake');
    await page.getByLabel('Send to assessment').check();
    await page.getByRole('button', { name: 'Record intake decision' }).click();

    await expectAccessible(page);
    await expect(page.locator('#case-status').textContent()).resolves.toContain('Assessment');
    await page.getByRole('link', { name: 'Timeline' }).click();
    await expectAccessible(page);
    const timeline = (await page.locator('#timeline').innerText()).replace(/\s+/g, ' ');
    expect(timeline).toMatch(
      /Moved to assessment by Intake and assessment officer \(Ines Intake\).*Moved to intake by Intake and assessment officer \(Ines Intake\).*Intake checks started.*Complaint received by Online form/,
    );
  });
});
