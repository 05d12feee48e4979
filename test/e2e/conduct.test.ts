import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import type { MailGateway } from '../../src/platform/mail/inbound.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
  submit,
} from '../support/browser.ts';
import { createSession } from '../support/factories.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  authorityWithOfficers,
  createComplaint,
  sendToGateway,
  startTestGateway,
} from '../integration/correspondence.fixtures.ts';

const DOMAIN = 'liaison.test';
const EMAIL = 'dana.vale@home.example';
const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let h: BrowserHarness;
let sink: SmtpSink;
let gateway: MailGateway;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startBrowserHarness({ clock, env: { SMTP_URL: sink.url, MAIL_DOMAIN: DOMAIN } });
  gateway = await startTestGateway(h, DOMAIN);
});
afterAll(async () => {
  await gateway.close();
  h.services.mailSender.close();
  await h.closeAll();
  await sink.close();
});

/** Sends what is waiting, as the worker would. */
async function sendMail() {
  await h.services.correspondence.dispatchPending();
  await h.services.mailSender.sendDue();
}

describe('unreasonable behaviour in Chromium', () => {
  it('links two cases as one person, warns, restricts with a named officer, flags mail, reminds and lifts', async () => {
    const a = await authorityWithOfficers(h.db, { officers: 1 });
    const caseA = await createComplaint(h.db, a.authorityId, EMAIL);
    const caseB = await createComplaint(h.db, a.authorityId, EMAIL);
    await h.pageAs('investigator', null, 'Olu Officer');
    const manager = await h.pageAs('casework-manager', null, 'Mina Manager');
    const { page } = manager;

    // The casework manager finds the other case from the person and links them after comparing.
    await page.goto(`/staff/complaints/${caseA.id}`);
    await page.getByRole('link', { name: 'Contact', exact: true }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: /^See the person/ }).click();
    await expect(page.locator('#suggestions').textContent()).resolves.toContain(caseB.reference);
    await expectAccessible(page);
    await page
      .locator('#suggestions')
      .getByRole('link', { name: /^Compare/ })
      .click();
    await expectAccessible(page);
    await submit(page, 'Link as one person');
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Confirm that you have checked that these are the same person',
    );
    await expectAccessible(page);
    await page.getByLabel('I have checked these details side by side and they are the same person').check();
    await submit(page, 'Link as one person');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Linked as one person');
    await expect(page.locator('#cases').textContent()).resolves.toContain(caseB.reference);
    await expectAccessible(page);

    // A warning first, then a restriction to email only with a named officer.
    await page.getByRole('link', { name: 'Warnings and contact restrictions' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Record a warning or a restriction' }).click();
    await expectAccessible(page);
    await page.getByLabel('A contact restriction').check();
    await page.getByLabel('The reason').fill('Twenty calls a day since 3 February.');
    await page.getByLabel('By email').check();
    await submit(page, 'Record and send the letter');
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Give a warning first');
    await expectAccessible(page);
    await page.getByLabel('A warning').check();
    await page.getByLabel('By email').uncheck();
    await page
      .getByLabel('The reason')
      .fill('On 3, 5 and 9 February you called us twenty times a day and shouted at the officer.');
    await submit(page, 'Record and send the letter');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Warning recorded');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'All warnings and restrictions of this person' }).click();
    await page.getByRole('button', { name: 'Record a warning or a restriction' }).click();
    await page.getByLabel('A contact restriction').check();
    await page.getByLabel('The reason').fill('The calls went on after our warning of 1 March.');
    await page.getByLabel('By email').check();
    await page.getByLabel('Named officer: their one point of contact').selectOption({ label: 'Olu Officer' });
    await page.getByLabel('Tell the authority of the named officer').check();
    await submit(page, 'Record and send the letter');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Restriction recorded');
    await expectAccessible(page);

    // The letter reaches the person.
    await sendMail();
    const letters = await sink.waitFor(2);
    const letter = letters.find((m) => (m.parsed.subject ?? '').startsWith('Our decision to restrict'));
    expect(letter?.envelopeTo).toEqual([EMAIL]);
    expect(letter?.parsed.text).toContain('Contact by email only');
    expect(letter?.parsed.text).toContain('One point of contact: Olu Officer');

    // The marker shows on both cases and in the case list.
    for (const c of [caseA, caseB]) {
      await page.goto(`/staff/complaints/${c.id}`);
      await expect(page.locator('.moj-alert--warning').textContent()).resolves.toContain(
        'Contact with this person is restricted',
      );
      await expect(page.locator('.moj-alert--warning').textContent()).resolves.toContain(
        'One point of contact: Olu Officer',
      );
      await expectAccessible(page);
    }
    await page.goto('/staff/complaints');
    await expect(page.locator('#cases').textContent()).resolves.toContain('Contact restricted');

    // An email from the person to the case is filed and flagged, and nothing is sent back.
    const thread = await h.db.kysely
      .selectFrom('correspondence_threads')
      .select(['reply_token', 'complaint_id'])
      .where('complaint_id', 'in', [caseA.id, caseB.id])
      .where('audience', '=', 'complainant')
      .executeTakeFirstOrThrow();
    const before = sink.messages.length;
    await sendToGateway(gateway, {
      from: EMAIL,
      to: `case+${thread.reply_token}@${DOMAIN}`,
      subject: 'Ring me back now',
      text: 'I will keep calling.',
    });
    await page.goto(`/staff/complaints/${thread.complaint_id}/contact`);
    await expect(page.locator('#contacts').textContent()).resolves.toContain(
      'Received outside the restriction: not sent to their named officer',
    );
    await expectAccessible(page);
    await page.goto(`/staff/complaints/${thread.complaint_id}/correspondence`);
    await expect(page.locator('main').textContent()).resolves.toContain('Ring me back now');
    await sendMail();
    expect(sink.messages.slice(before).filter((m) => m.envelopeTo.includes(EMAIL))).toEqual([]);

    // A phone call is logged from the case: phone is not an allowed channel, so it is flagged, not refused.
    await page.goto(`/staff/complaints/${caseA.id}/contact`);
    await page
      .getByRole('link', { name: /^Log a phone call/ })
      .first()
      .click();
    await expectAccessible(page);
    await submit(page, 'Log the call');
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Enter the time the call began',
    );
    await expectAccessible(page);
    await page.getByLabel('Day').fill('1');
    await page.getByLabel('Month').fill('3');
    await page.getByLabel('Year').fill('2027');
    await page.getByLabel('Time the call began').fill('08:30');
    await page.getByLabel('How long it lasted, in minutes').fill('12');
    await page.getByLabel('A short note (optional)').fill('Demanded a call back today.');
    await submit(page, 'Log the call');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('flagged');
    await expect(page.locator('#calls').textContent()).resolves.toContain(
      'Received outside the restriction: a channel they may not use',
    );
    await expectAccessible(page);

    // The authority is told only that contact goes through the named officer.
    await h.db.kysely.updateTable('complaints').set({ status: 'investigation' }).where('id', '=', caseA.id).execute();
    const portal = await h.pageAs('link-officer', a.authorityId, 'Lee Link');
    await portal.page.goto(`/portal/complaints/${caseA.id}`);
    await expect(portal.page.locator('#named-contact').textContent()).resolves.toContain('Olu Officer');
    await expect(portal.page.locator('main').textContent()).resolves.not.toContain('The calls went on');
    await expectAccessible(portal.page);

    // Five months on the review reminder fires; the manager lifts the restriction and the marker goes.
    clock.set(new Date('2027-08-20T08:00:00Z'));
    expect(await h.services.conduct.remindReviewsDue()).toBeGreaterThan(0);
    await h.services.mailSender.sendDue();
    const reminders = sink.messages.filter(
      (m) => m.envelopeTo.includes(manager.user.email) && (m.parsed.subject ?? '').startsWith('Review due'),
    );
    expect(reminders.length).toBeGreaterThan(0);
    const token = await createSession(h.db, manager.user.id, clock.now());
    await manager.context.addCookies([{ name: SESSION_COOKIE, value: token, url: h.baseUrl }]);
    await page.goto('/staff');
    await expect(page.locator('#panel-conduct-reviews').textContent()).resolves.toContain('Review due soon');
    await expectAccessible(page);
    await openArea(page, 'Restrictions');
    await expectAccessible(page);
    await clickThrough(page.locator('#due-soon').getByRole('link').first());
    await expectAccessible(page);
    if ((await page.locator('h1').textContent()) !== 'Contact restriction') {
      await page.goBack();
      await clickThrough(page.locator('#due-soon').getByRole('link').nth(1));
    }
    await expect(page.locator('h1').textContent()).resolves.toBe('Contact restriction');
    await page.getByLabel('Lift it: the marker goes from their cases').check();
    await page.getByLabel('The reason').fill('Contact has been reasonable since March.');
    await submit(page, 'Record the review and send the letter');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Lifted');
    await expectAccessible(page);
    for (const c of [caseA, caseB]) {
      await page.goto(`/staff/complaints/${c.id}`);
      await expect(page.locator('main').textContent()).resolves.not.toContain('Contact with this person is restricted');
    }
  });
});
