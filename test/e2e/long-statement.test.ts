import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, startBrowserHarness, type BrowserHarness } from '../support/browser.ts';
import { createComplaint, createEnquiryAuthority } from '../integration/enquiries.fixtures.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

describe('a long form in Chromium', () => {
  it('keeps an investigator’s 50,000-character decision statement whole when the form comes back with an error', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Wyre Forest District Council');
    const complaint = await createComplaint(h.db, authority.id);
    const { page } = await h.pageAs('investigator', null, 'Ivo Investigator');
    // A one-page decision and more: paragraphs of text, with accents and quotes, well past a cookie's 4 KB.
    const paragraph =
      'The council’s officers did not visit Mrs Ó Briain’s home after her report of “black mould” in May. ';
    const statement = Array.from({ length: 500 }, (_, i) => `${i + 1}. ${paragraph}`)
      .join('\n')
      .slice(0, 50_000);
    expect(statement).toHaveLength(50_000);

    await page.goto(`/staff/complaints/${complaint.id}/decision/final`);
    await page.getByLabel('Decision statement').fill(statement);
    // No outcome chosen: the form must come back with the message and every character typed.
    await page.getByRole('button', { name: 'Issue the final decision' }).click();
    await page.waitForURL(/\/decision\/final$/);
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Choose the outcome');
    await expect(page.getByLabel('Decision statement').inputValue()).resolves.toBe(statement);
    await expectAccessible(page);
    const cookies = await page.context().cookies();
    for (const cookie of cookies) expect(cookie.name.length + cookie.value.length).toBeLessThan(4096);
  });
});
