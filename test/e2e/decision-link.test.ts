import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { expectAccessible, startBrowserHarness, type BrowserHarness } from '../support/browser.ts';
import { createUser } from '../support/factories.ts';
import { createComplaint, createEnquiryAuthority, sessionAt } from '../integration/enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ clock });
});
afterAll(async () => {
  await h.closeAll();
});

describe('the complainant’s link to a draft decision, in Chromium', () => {
  it('shows the draft, refuses an empty comment with a clear message, and takes the comments', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Lancaster City Council');
    const complaint = await createComplaint(h.db, authority.id);
    const investigator = await createUser(h.services, { role: 'investigator' });
    const resolved = await h.services.accounts.resolveSession(await sessionAt(h.db, investigator.id, clock.now()));
    if (!resolved) throw new Error('the investigator’s session resolves');
    const issued = await h.services.decisions.issueDraft(resolved.actor, complaint.id, {
      sections: {
        complaint: 'Mr C complains about the council’s handling of his housing application.',
        findings: 'The council took nine months to decide.',
        proposedRemedy: 'Apologise and pay £200.',
        decision: 'Fault causing injustice.',
      },
    });
    const path = new URL(issued.complainantLink).pathname;

    const { page } = await h.newPage();
    await page.goto(path);
    await expect(page.locator('main').textContent()).resolves.toContain('The council took nine months to decide.');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Send comments' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    await expectAccessible(page);

    await page.getByLabel('Comments', { exact: true }).fill('It was ten months, not nine.');
    await page.getByRole('button', { name: 'Send comments' }).click();
    await page.locator('.govuk-notification-banner').waitFor();
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('We have your comments');
    await expectAccessible(page);
    const comments = await h.db.kysely
      .selectFrom('draft_comments')
      .select(['party', 'channel', 'text'])
      .where('complaint_id', '=', complaint.id)
      .execute();
    expect(comments).toEqual([
      { party: 'complainant', channel: 'complainant-link', text: 'It was ten months, not nine.' },
    ]);
  });
});
