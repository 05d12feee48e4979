import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createUser } from '../support/factories.ts';
import {
  createComplaint,
  createEnquiryAuthority,
  dispatchCorrespondence,
  sentTo,
  sessionAt,
} from '../integration/enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ clock });
});
afterAll(async () => {
  await h.closeAll();
});

describe('enquiries in Chromium', () => {
  it('sent over Christmas, delegated, answered, extended, responded; an overdue one escalates', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Carnforth Borough Council');
    const complaint = await createComplaint(h.db, authority.id);

    // The investigator sends the first enquiry.
    const staff = await h.pageAs('investigator', null, 'Ivy Investigator');
    await staff.page.goto(`/staff/complaints/${complaint.id}/enquiries/new`);
    await expectAccessible(staff.page);
    await staff.page.getByLabel('Question 1', { exact: true }).fill('Why were the repairs not done?');
    await staff.page.getByLabel('Question 2', { exact: true }).fill('Send the repairs log.');
    await clickThrough(staff.page.getByRole('button', { name: 'Send enquiry' }));
    await expect(staff.page.locator('h1').textContent()).resolves.toContain('Enquiry 1');
    const body = (await staff.page.locator('main').textContent()) ?? '';
    expect(body).toContain('13 January 2027');
    expect(body).toContain('Bank holiday: Christmas Day');
    expect(body).toContain('Bank holiday: Boxing Day (substitute day)');
    await expectAccessible(staff.page);
    const enquiryUrl = staff.page.url();
    const enquiryId = enquiryUrl.split('/').pop() ?? '';
    expect(await sentTo(h.services, complaint.id, 'Enquiry 1')).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort(),
    );

    // The link officer delegates question 1.
    const delegateUser = await createUser(h.services, {
      role: 'delegate',
      authorityId: authority.id,
      displayName: 'Dewi Delegate',
    });
    const lo = await h.pageAs('link-officer', authority.id, 'Lowri Link');
    await lo.page.goto('/portal/enquiries');
    await expectAccessible(lo.page);
    await lo.page.getByRole('link', { name: new RegExp(complaint.reference) }).click();
    await expectAccessible(lo.page);
    await lo.page.getByRole('radio', { name: 'Question 1' }).check();
    await lo.page.getByLabel('Colleague').selectOption({ label: 'Dewi Delegate' });
    await lo.page.getByLabel('Day').fill('18');
    await lo.page.getByLabel('Month').fill('12');
    await lo.page.getByLabel('Year').fill('2026');
    await clickThrough(lo.page.getByRole('button', { name: 'Delegate' }));
    await expect(lo.page.locator('.govuk-notification-banner').textContent()).resolves.toContain('delegated');
    await expectAccessible(lo.page);

    // The delegate answers it.
    const { context: dc, page: dp } = await h.newPage();
    await dc.addCookies([
      { name: SESSION_COOKIE, value: await sessionAt(h.db, delegateUser.id, clock.now()), url: h.baseUrl },
    ]);
    await dp.goto(`/portal/enquiries/${enquiryId}`);
    await expectAccessible(dp);
    await expect(dp.getByText('Send the repairs log.').count()).resolves.toBe(0);
    await dp.getByLabel('Your answer to question 1').fill('The contractor missed two appointments.');
    await dp.getByRole('button', { name: 'Save answer to question 1' }).click();
    await expectAccessible(dp);

    // The link officer sees the delegate's answer and on-time rate, asks for more time.
    await lo.page.goto('/portal/delegation');
    await expectAccessible(lo.page);
    const row = lo.page.getByRole('row', { name: /Dewi Delegate/ });
    await expect(row.textContent()).resolves.toContain('100%');
    await lo.page.goto(`/portal/enquiries/${enquiryId}`);
    await expect(
      lo.page.locator('.govuk-inset-text', { hasText: 'The contractor missed two appointments.' }).count(),
    ).resolves.toBe(1);
    await lo.page.getByLabel('Why the authority needs more time').fill('The housing manager is away until January.');
    await lo.page.getByRole('button', { name: 'Ask for more time' }).click();
    await expectAccessible(lo.page);

    // The investigator grants five working days more: the page with the request waiting is accessible.
    await staff.page.goto(enquiryUrl);
    await expect(staff.page.getByRole('heading', { name: 'Decide the request for more time' }).count()).resolves.toBe(
      1,
    );
    await expectAccessible(staff.page);
    await staff.page.getByRole('radio', { name: 'Grant more time' }).check();
    await staff.page.getByRole('radio', { name: 'A number of working days' }).check();
    await staff.page.getByLabel('Working days after the current due date').fill('5');
    await expectAccessible(staff.page);
    await staff.page.getByLabel('Reason (the authority is told)').fill('Absence is a good reason.');
    await clickThrough(staff.page.getByRole('button', { name: 'Save decision' }));
    await expect(staff.page.locator('main').textContent()).resolves.toContain('20 January 2027');
    await expectAccessible(staff.page);

    // The link officer accepts the delegate's answer, answers question 2 and sends the response.
    await lo.page.goto(`/portal/enquiries/${enquiryId}`);
    await lo.page.getByRole('button', { name: 'Accept answer to question 1' }).click();
    await lo.page.getByLabel('Your answer to question 2').fill('The log is attached to our records.');
    await clickThrough(lo.page.getByRole('button', { name: 'Save answer to question 2' }));
    await clickThrough(lo.page.getByRole('button', { name: 'Send response to the ombudsman' }));
    await expect(lo.page.locator('.govuk-notification-banner').textContent()).resolves.toContain('on time');
    await expectAccessible(lo.page);

    // A second enquiry goes unanswered: the clock moves on, the sweep escalates to the chief executive.
    const investigator = {
      type: 'user' as const,
      id: staff.user.id,
      roles: ['investigator' as const],
      authorityId: null,
    };
    const second = await h.services.enquiries.send(investigator, complaint.id, {
      kind: 'enquiry',
      questions: ['Any update?'],
    });
    clock.set(new Date('2027-01-20T09:00:00Z'));
    await h.services.enquiries.sweep();
    const manager = await h.pageAs('casework-manager', null, 'Mo Manager');
    await manager.page.goto('/staff');
    await expect(manager.page.getByRole('link', { name: `${complaint.reference}, enquiry 2` }).count()).resolves.toBe(
      1,
    );
    await expectAccessible(manager.page);
    await manager.page.goto(`/staff/enquiries/${second.id}`);
    await expect(manager.page.locator('main').textContent()).resolves.toContain(
      'Overdue: escalated to the chief executive',
    );
    await expectAccessible(manager.page);
    await dispatchCorrespondence(h.services);
    // The case's correspondence page shows the enquiry letter and the escalation with where each went.
    await manager.page.goto(`/staff/complaints/${complaint.id}/correspondence`);
    await expectAccessible(manager.page);
    const enquiryItem = manager.page.getByRole('region', { name: /^Enquiry 1 on complaint/ });
    await expect(enquiryItem.textContent()).resolves.toContain('with the letter as a PDF');
    for (const address of [...authority.officerEmails, authority.genericInbox]) {
      await expect(enquiryItem.locator(`tr[data-recipient="${address}"]`).textContent()).resolves.toContain('Queued');
    }
    const escalation = manager.page.getByRole('region', { name: /^Escalation: enquiry 2/ });
    await expect(escalation.innerText()).resolves.toMatch(/Reminder to\s+the chief executive/);
    await expect(
      escalation.locator(`tr[data-recipient="${authority.chiefExecutiveEmail}"]`).textContent(),
    ).resolves.toContain('Chief executive');
  });
});
