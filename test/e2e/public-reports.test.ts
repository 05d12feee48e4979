import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createUser } from '../support/factories.ts';
import { createComplaint, createEnquiryAuthority, sessionAt } from '../integration/enquiries.fixtures.ts';

// Monday 11 January 2027, 10:00 in London.
const clock = new FixedClock(new Date('2027-01-11T10:00:00Z'));
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ clock });
});
afterAll(async () => {
  await h.closeAll();
});

/** A fresh page signed in as the user at the clock's current time. */
async function pageFor(userId: string) {
  const { context, page } = await h.newPage();
  await context.addCookies([
    { name: SESSION_COOKIE, value: await sessionAt(h.db, userId, clock.now()), url: h.baseUrl },
  ]);
  return page;
}

async function userOf(role: Role, authorityId: string | null, displayName: string) {
  return createUser(h.services, { role, authorityId, displayName });
}

async function seniorOfficer(
  authorityId: string,
  role: 'monitoring-officer' | 'head-of-service',
  area: string | null,
  email: string,
) {
  await h.db.kysely
    .insertInto('senior_officers')
    .values({
      authority_id: authorityId,
      role,
      service_area: area,
      title: null,
      name: role === 'monitoring-officer' ? 'Idris Vaughan' : area === 'housing' ? 'Nia Housing' : 'Owain Planning',
      job_title: role === 'monitoring-officer' ? 'Monitoring Officer' : 'Director',
      email,
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
}

const PDF = {
  name: 'evidence.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
};

describe('public reports in Chromium', () => {
  it('a draft report alerts the leaders; the final report’s statutory steps run to a letter of satisfaction', async () => {
    const authority = await createEnquiryAuthority(h.db, 'Kendal Moor District Council');
    await seniorOfficer(authority.id, 'monitoring-officer', null, 'monitoring.officer@kendal.example');
    await seniorOfficer(authority.id, 'head-of-service', 'housing', 'head.housing@kendal.example');
    await seniorOfficer(authority.id, 'head-of-service', 'planning', 'head.planning@kendal.example');
    const complaint = await createComplaint(h.db, authority.id);
    const investigator = await userOf('investigator', null, 'Ivy Investigator');
    const linkOfficer = await userOf('link-officer', authority.id, 'Lowri Link');

    // The investigator proposes the report and issues its draft.
    let staff = await pageFor(investigator.id);
    await staff.goto(`/staff/complaints/${complaint.id}/public-report`);
    await expectAccessible(staff);
    await clickThrough(staff.getByRole('button', { name: 'Issue the draft report' }));
    await expect(staff.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Select the criteria for a public report that apply',
    );
    await expectAccessible(staff);
    await staff.getByLabel('Recurrent fault').check();
    await staff.getByLabel('Systemic problems').check();
    await staff.getByLabel('The complaint', { exact: true }).fill('Damp temporary accommodation for eleven months.');
    await staff.getByLabel('What I found').fill('The council did not review the placement; the third such case.');
    await staff.getByLabel('Proposed remedy').fill('Apologise, pay £1,500 and review every placement.');
    await staff.getByLabel('Draft decision', { exact: true }).fill('Fault causing injustice.');
    await clickThrough(staff.getByRole('button', { name: 'Issue the draft report' }));
    await expect(staff.locator('.govuk-notification-banner').textContent()).resolves.toContain('Draft report issued');
    const alerts = (await staff.locator('#alerts').textContent()) ?? '';
    expect(alerts).toContain(authority.chiefExecutiveEmail);
    expect(alerts).toContain('monitoring.officer@kendal.example');
    expect(alerts).toContain('head.housing@kendal.example');
    expect(alerts).not.toContain('head.planning@kendal.example');
    await expect(staff.locator('main').textContent()).resolves.toContain('1 February 2027');
    await expectAccessible(staff);

    // Five weeks later the investigator issues the final report: the statutory steps start.
    clock.set(new Date('2027-02-15T10:00:00Z'));
    staff = await pageFor(investigator.id);
    await staff.goto(`/staff/complaints/${complaint.id}/public-report`);
    await staff.getByLabel('Decision statement of the final report').fill('The council was at fault.');
    await clickThrough(staff.getByRole('button', { name: 'Issue the final report' }));
    await expect(staff.locator('.govuk-notification-banner').textContent()).resolves.toContain('Final report issued');
    const steps = (await staff.locator('#steps').textContent()) ?? '';
    expect(steps).toContain('1 March 2027');
    expect(steps).toContain('22 March 2027');
    expect(steps).toContain('15 May 2027');
    await expectAccessible(staff);

    // The link officer sends evidence for each step in the portal.
    clock.set(new Date('2027-02-22T10:00:00Z'));
    const portal = await pageFor(linkOfficer.id);
    await portal.goto('/portal/public-reports');
    await expectAccessible(portal);
    await portal.getByRole('link', { name: complaint.reference }).click();
    await portal.waitForURL(/\/portal\/public-reports\/[0-9a-f-]{36}$/);
    await expect(portal.locator('h1').textContent()).resolves.toContain(complaint.reference);
    await expectAccessible(portal);
    for (const step of [
      'Public notice in newspapers',
      'Report available for public inspection',
      'Consideration by the authority',
      'Notification to the ombudsman of the action taken',
    ]) {
      if (step === 'Consideration by the authority') await portal.getByLabel('Cabinet').check();
      await portal.getByLabel(`Evidence for: ${step}`).setInputFiles(PDF);
      await clickThrough(portal.getByRole('button', { name: `Send evidence: ${step}` }));
      await expect(portal.locator('.govuk-notification-banner').textContent()).resolves.toContain('Evidence received');
      await expectAccessible(portal);
    }
    await expect(portal.locator('#steps').textContent()).resolves.toContain('Considered by: Cabinet');

    // The ombudsman is satisfied: the letter closes the report and the case.
    staff = await pageFor(investigator.id);
    await staff.goto(`/staff/complaints/${complaint.id}/public-report`);
    await expectAccessible(staff);
    await staff
      .getByLabel('Letter to the chief executive')
      .fill('We are satisfied with the action the council has taken.');
    await clickThrough(staff.getByRole('button', { name: 'Send the letter of satisfaction' }));
    await expect(staff.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'The public report and the case are closed',
    );
    await expect(staff.locator('main').textContent()).resolves.toContain('Closed with a letter of satisfaction');
    await expectAccessible(staff);

    // The timeline shows the report from proposal to the letter of satisfaction.
    await staff.goto(`/staff/complaints/${complaint.id}/history`);
    const timeline = (await staff.locator('main').textContent()) ?? '';
    expect(timeline).toContain('Public report proposed: draft report issued');
    expect(timeline).toContain('Letter of satisfaction: public report closed');
    await expectAccessible(staff);
  });
});
