import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
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

/** A fresh session at the clock's time, after the clock has moved on past the last one. */
async function refresh(who: Awaited<ReturnType<BrowserHarness['pageAs']>>) {
  await who.context.addCookies([
    { name: SESSION_COOKIE, value: await sessionAt(h.db, who.user.id, clock.now()), url: h.baseUrl },
  ]);
}

const pdf = (text: string) => ({
  name: 'evidence.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
});

describe('remedies in Chromium', () => {
  it('evidence sent late is returned once, then accepted, and the compliance rate changes', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Silverdale District Council');
    const complaint = await createComplaint(h.db, authority.id);
    const investigatorUser = await createUser(h.services, { role: 'investigator', displayName: 'Ivy Investigator' });
    const investigator: Actor = { type: 'user', id: investigatorUser.id, roles: ['investigator'], authorityId: null };
    await h.services.decisions.issueDraft(investigator, complaint.id, {
      sections: {
        complaint: 'The council left a family in damp temporary accommodation.',
        findings: 'The council did not inspect the property.',
        proposedRemedy: 'Apologise in writing.',
        decision: 'We find fault causing injustice.',
      },
      remedies: [
        {
          type: 'apology',
          description: 'Apologise in writing to Mrs B for the delay in moving the family.',
          dueDate: '2027-01-08',
        },
      ],
    });
    await h.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'upheld-injustice',
      statement: 'We uphold the complaint.',
      earlyConfirmed: true,
      earlyReason: 'The council has accepted the findings and the remedy.',
    });

    // Past the due date: the remedy is late, and the authority's compliance rate is 0%.
    clock.set(new Date('2027-01-12T10:00:00Z'));
    const lo = await h.pageAs('link-officer', authority.id, 'Lowri Link');
    await lo.page.goto('/portal/remedies');
    await expectAccessible(lo.page);
    await expect(lo.page.getByTestId('remedy-rates').textContent()).resolves.toMatch(/Compliance rate\s+0%/);
    await lo.page.getByRole('link', { name: new RegExp(complaint.reference) }).click();
    await lo.page.waitForURL(/\/portal\/remedies\/[0-9a-f-]+$/);
    await expect(lo.page.locator('.govuk-warning-text').textContent()).resolves.toContain('This remedy is late');
    await expectAccessible(lo.page);
    const remedyUrl = lo.page.url();
    await lo.page.getByLabel('What was done, and what the document shows').fill('We telephoned Mrs B to apologise.');
    await lo.page.getByLabel('Document', { exact: true }).setInputFiles(pdf('telephone note'));
    await clickThrough(lo.page.getByRole('button', { name: 'Send evidence' }));
    await expect(lo.page.locator('.govuk-notification-banner').textContent()).resolves.toContain('recorded as late');
    await expectAccessible(lo.page);

    // The team coordinator returns it, with reasons.
    const coordinator = await h.pageAs('team-coordinator', null, 'Cai Coordinator');
    await coordinator.page.goto('/staff/remedies');
    await expectAccessible(coordinator.page);
    await coordinator.page
      .getByRole('table', { name: 'Evidence waiting for review' })
      .getByRole('link', { name: complaint.reference })
      .click();
    await coordinator.page.waitForURL(/\/remedies/);
    await expectAccessible(coordinator.page);
    await coordinator.page.getByRole('radio', { name: 'Return it with reasons' }).check();
    await coordinator.page.getByLabel('Reasons it is returned').fill('A phone call is not a written apology.');
    await clickThrough(coordinator.page.getByRole('button', { name: 'Record the review' }));
    await expect(coordinator.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'The evidence is returned',
    );
    await expectAccessible(coordinator.page);

    // The authority sees why, and sends the written apology.
    clock.set(new Date('2027-01-14T10:00:00Z'));
    await refresh(lo);
    await refresh(coordinator);
    await lo.page.goto(remedyUrl);
    await expect(lo.page.locator('main').textContent()).resolves.toContain('A phone call is not a written apology.');
    await expectAccessible(lo.page);
    await lo.page.getByLabel('What was done, and what the document shows').fill('Our letter of apology to Mrs B.');
    await lo.page.getByLabel('Document', { exact: true }).setInputFiles(pdf('letter of apology'));
    await clickThrough(lo.page.getByRole('button', { name: 'Send evidence' }));
    await expect(lo.page.locator('.govuk-notification-banner').textContent()).resolves.toContain('recorded as late');
    await expectAccessible(lo.page);

    // Accepted: the remedy is complied with, late; the case closes.
    await coordinator.page.goto(`/staff/complaints/${complaint.id}/remedies`);
    await coordinator.page.getByRole('radio', { name: 'Accept: the remedy is complied with' }).check();
    await clickThrough(coordinator.page.getByRole('button', { name: 'Record the review' }));
    await expect(coordinator.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'the case is closed',
    );
    await expect(coordinator.page.locator('main').textContent()).resolves.toContain('Complied with late');
    await expectAccessible(coordinator.page);

    // The compliance rate has changed, for staff and in the portal; on time it was not.
    await coordinator.page.goto(`/staff/authorities/${authority.id}`);
    const staffRates = (await coordinator.page.getByTestId('remedy-rates').innerText()).replace(/\s+/g, ' ');
    expect(staffRates).toContain('Compliance rate 100%');
    expect(staffRates).toContain('On-time rate 0%');
    await expectAccessible(coordinator.page);
    await lo.page.goto('/portal/remedies');
    await expect(lo.page.getByTestId('remedy-rates').textContent()).resolves.toMatch(/Compliance rate\s+100%/);
    await expectAccessible(lo.page);
  });
});
