import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { expectAccessible, startBrowserHarness, type BrowserHarness } from '../support/browser.ts';
import { createUser } from '../support/factories.ts';
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

const sections = {
  complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
  findings: 'The council did not inspect the property.',
  proposedRemedy: 'Apologise.',
  decision: 'We find fault causing injustice.',
};

describe("the link officer's home in Chromium", () => {
  it('lands on the home, sees the overdue enquiry, the delegated task and the draft, and reaches each in one click', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Dunmere Borough Council');
    const investigatorUser = await createUser(h.services, { role: 'investigator' });
    const investigator: Actor = { type: 'user', id: investigatorUser.id, roles: ['investigator'], authorityId: null };

    clock.set(new Date('2026-10-01T10:00:00Z'));
    const late = await createComplaint(h.db, authority.id);
    await h.services.enquiries.send(investigator, late.id, { kind: 'enquiry', questions: ['Why?'] });
    clock.set(new Date('2026-12-11T10:00:00Z'));

    const lo = await h.pageAs('link-officer', authority.id, 'Lowri Link');
    const officer: Actor = { type: 'user', id: lo.user.id, roles: ['link-officer'], authorityId: authority.id };
    const delegate = await createUser(h.services, {
      role: 'delegate',
      authorityId: authority.id,
      displayName: 'Dewi Delegate',
    });
    const tasked = await createComplaint(h.db, authority.id);
    const sent = await h.services.enquiries.send(investigator, tasked.id, { kind: 'enquiry', questions: ['Log?'] });
    await h.services.enquiries.delegate(officer, sent.id, {
      questionId: null,
      delegateUserId: delegate.id,
      internalDueDate: '2026-12-18',
    });
    const drafted = await createComplaint(h.db, authority.id);
    await h.services.decisions.issueDraft(investigator, drafted.id, { sections });

    const { page } = lo;
    await page.goto('/portal');
    await expect(page.locator('h1').textContent()).resolves.toBe('Dunmere Borough Council');
    await expectAccessible(page);

    const enquiries = page.locator('#panel-enquiries');
    await expect(enquiries.textContent()).resolves.toContain('Overdue');
    await enquiries.getByRole('link', { name: new RegExp(`Enquiry 1\\s*, complaint ${late.reference}`) }).click();
    await page.waitForURL(/\/portal\/enquiries\/[0-9a-f-]{36}$/);
    await expect(page.locator('main').textContent()).resolves.toContain(late.reference);
    await expectAccessible(page);

    await page.goto('/portal');
    await page
      .locator('#panel-tasks')
      .getByRole('link', { name: new RegExp(`Dewi Delegate: enquiry 1\\s*, complaint ${tasked.reference}`) })
      .click();
    await page.waitForURL(`**/portal/enquiries/${sent.id}`);
    await expectAccessible(page);

    await page.goto('/portal');
    await page
      .locator('#panel-drafts')
      .getByRole('link', { name: new RegExp(`complaint ${drafted.reference}`) })
      .click();
    await page.waitForURL(`**/portal/complaints/${drafted.id}/decision`);
    await expectAccessible(page);
  });
});
