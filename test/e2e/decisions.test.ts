import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createComplaint, createEnquiryAuthority } from '../integration/enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ clock });
});
afterAll(async () => {
  await h.closeAll();
});

describe('decisions in Chromium', () => {
  it('a draft goes to both parties, the authority comments, a revised draft and a final decision follow, and the timeline shows it in order', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Morecambe Borough Council');
    const complaint = await createComplaint(h.db, authority.id);
    const staff = await h.pageAs('investigator', null, 'Ivy Investigator');
    const lo = await h.pageAs('link-officer', authority.id, 'Lowri Link');

    // The investigator writes the draft.
    await staff.page.goto(`/staff/complaints/${complaint.id}/decision`);
    await expectAccessible(staff.page);
    await clickThrough(staff.page.getByRole('link', { name: 'Write the draft decision' }));
    await expect(staff.page.locator('h1').textContent()).resolves.toContain('Draft decision');
    await expectAccessible(staff.page);
    await staff.page.getByLabel('The complaint', { exact: true }).fill('Mrs B complains about damp.');
    await staff.page
      .getByLabel('What I found', { exact: true })
      .fill('The council did not inspect.\nIt did not reply.');
    await staff.page.getByLabel('Proposed remedy', { exact: true }).fill('Apologise.');
    await staff.page.getByLabel('Draft decision', { exact: true }).fill('Fault causing injustice.');
    await staff.page.getByRole('button', { name: 'Send the draft to both parties' }).click();
    await staff.page.waitForURL(/\/decision$/);
    await expect(staff.page.locator('.govuk-notification-banner, main').first().textContent()).resolves.toContain(
      'sent to the complainant and the authority',
    );
    await expectAccessible(staff.page);
    const letters = await h.db.kysely
      .selectFrom('correspondence_items')
      .select('addressees')
      .where('complaint_id', '=', complaint.id)
      .where('kind', '=', 'draft-decision')
      .execute();
    expect(letters.map((l) => [...l.addressees].sort().join('+')).sort()).toEqual([
      'chief-executive+link-officers',
      'complainant',
    ]);

    // The link officer comments, then records that the officer criticised saw the draft.
    await lo.page.goto(`/portal/complaints/${complaint.id}`);
    await expectAccessible(lo.page);
    await clickThrough(lo.page.getByRole('link', { name: 'Draft and final decision' }));
    await expect(lo.page.locator('h1').textContent()).resolves.toContain('Draft and final decision');
    await expectAccessible(lo.page);
    clock.set(new Date('2026-12-11T10:02:00Z'));
    await lo.page.getByLabel('Comments', { exact: true }).fill('We did inspect, in May.');
    await clickThrough(lo.page.getByRole('button', { name: 'Send comments' }));
    await expect(lo.page.locator('main').textContent()).resolves.toContain('Your comments have been sent');
    await expectAccessible(lo.page);
    await lo.page.getByLabel('Who was shown the draft').fill('The repairs manager');
    await lo.page.getByLabel('Day').fill('11');
    await lo.page.getByLabel('Month').fill('12');
    await lo.page.getByLabel('Year').fill('2026');
    await lo.page.getByLabel('They were shown the evidence too').check();
    await clickThrough(lo.page.getByRole('button', { name: 'Record that they were shown the draft' }));
    await expect(lo.page.locator('main').textContent()).resolves.toContain('The repairs manager, shown on');
    await expectAccessible(lo.page);

    // A revised draft, with what changed.
    clock.set(new Date('2026-12-11T10:05:00Z'));
    await staff.page.goto(`/staff/complaints/${complaint.id}/decision`);
    await expect(staff.page.locator('main').textContent()).resolves.toContain('We did inspect, in May.');
    await clickThrough(staff.page.getByRole('link', { name: 'Issue a revised draft' }));
    await expect(staff.page.locator('h1').textContent()).resolves.toContain('version 2');
    await expectAccessible(staff.page);
    await staff.page.getByLabel('What I found', { exact: true }).fill('The council did not inspect.\nIt replied late.');
    await staff.page.getByRole('button', { name: 'Send the draft to both parties' }).click();
    await staff.page.waitForURL(/\/decision$/);
    await clickThrough(staff.page.getByRole('link', { name: 'Read version 2 and what changed' }));
    await expect(staff.page.locator('h1').textContent()).resolves.toContain('version 2');
    await expectAccessible(staff.page);
    const diff = (await staff.page.locator('#diff-findings').textContent()) ?? '';
    expect(diff).toContain('Removed: It did not reply.');
    expect(diff).toContain('Added: It replied late.');

    // The final decision closes the case. Comments are not yet due: it needs a confirmation and a reason.
    clock.set(new Date('2026-12-11T10:10:00Z'));
    await staff.page.goto(`/staff/complaints/${complaint.id}/decision/final`);
    await expect(staff.page.locator('.govuk-warning-text').textContent()).resolves.toContain(
      'Comments on the draft are due by',
    );
    await expectAccessible(staff.page);
    await staff.page.getByLabel('Not upheld').check();
    await staff.page.getByLabel('Decision statement').fill('We do not uphold the complaint.');
    await staff.page.getByRole('button', { name: 'Issue the final decision' }).click();
    await staff.page.waitForURL(/\/decision\/final$/);
    const problems = (await staff.page.locator('.govuk-error-summary').textContent()) ?? '';
    expect(problems).toContain('Confirm that the final decision is to be issued before comments are due');
    expect(problems).toContain('Enter why it cannot wait until comments are due');
    await expectAccessible(staff.page);
    await staff.page.getByLabel('Not upheld').check();
    await staff.page.getByLabel(/I confirm the final decision is to be issued before comments are due/).check();
    await staff.page.getByLabel('Why it cannot wait until comments are due').fill('Both parties have nothing to add.');
    await staff.page.getByRole('button', { name: 'Issue the final decision' }).click();
    await staff.page.waitForURL(/\/decision$/);
    await expect(staff.page.locator('#final-outcome').textContent()).resolves.toContain('Not upheld');
    await expect(staff.page.locator('#final-early-reason').textContent()).resolves.toContain(
      'Both parties have nothing to add.',
    );
    await expect(staff.page.locator('#case-status').textContent()).resolves.toContain('Closed');
    await expectAccessible(staff.page);

    // The staff timeline, in order, filterable by kind.
    await clickThrough(staff.page.getByRole('link', { name: 'Timeline' }));
    await expect(staff.page.locator('h2').first().textContent()).resolves.toContain('Timeline');
    await expectAccessible(staff.page);
    const titles = (await staff.page.locator('#timeline .moj-timeline__title').allTextContents()).map((s) => s.trim());
    const oldestFirst = [...titles].reverse();
    // Each step of the decision is on the timeline, in the order it happened.
    const positions = [
      'Draft decision issued (version 1)',
      'Comments from the authority on version 1',
      'Draft decision issued (version 2)',
      'Final decision: Not upheld',
    ].map((step) => oldestFirst.findIndex((t) => t.startsWith(step)));
    expect(positions, titles.join(' | ')).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    await staff.page.getByText('Filter events').click();
    await staff.page.getByLabel('Comments on drafts').check();
    await staff.page.getByRole('button', { name: 'Filter the timeline' }).click();
    await staff.page.waitForURL(/kind=comment/);
    await expectAccessible(staff.page);
    const filtered = await staff.page.locator('#timeline .moj-timeline__title').allTextContents();
    expect(filtered.map((s) => s.trim())).toEqual(['Comments from the authority on version 1']);

    // The portal timeline and the findings page.
    await lo.page.goto(`/portal/complaints/${complaint.id}/timeline`);
    await expectAccessible(lo.page);
    await expect(lo.page.locator('#timeline').textContent()).resolves.toContain('Final decision: Not upheld');
    await expect(lo.page.locator('#timeline').textContent()).resolves.not.toContain(
      'Both parties have nothing to add.',
    );
    await lo.page.goto('/portal/findings');
    await expectAccessible(lo.page);
    await expect(lo.page.locator('#findings').textContent()).resolves.toContain('No findings of fault');
  });
});
