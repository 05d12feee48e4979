import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { type BrowserHarness, expectAccessible, openArea, startBrowserHarness, submit } from '../support/browser.ts';
import { createAuthority, createSession } from '../support/factories.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.ts';

const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let h: BrowserHarness;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startBrowserHarness({ clock, env: { SMTP_URL: sink.url } });
});
afterAll(async () => {
  h.services.mailSender.close();
  await h.closeAll();
  await sink.close();
});

/** Sends the outbox and returns the messages to `to` whose subject starts with `subject`. */
async function mailTo(to: string, subject: string): Promise<ReceivedMail[]> {
  await h.services.mailSender.sendDue();
  return sink.messages.filter((m) => m.envelopeTo.includes(to) && (m.parsed.subject ?? '').startsWith(subject));
}

/** The path of the link in a message, to open on the test server. */
const linkPath = (mail: ReceivedMail | undefined, prefix: string) => {
  const match = new RegExp(`https?://[^/\\s]+(${prefix}/[A-Za-z0-9_-]{43})`).exec(mail?.parsed.text ?? '');
  if (!match?.[1]) throw new Error(`no ${prefix} link in the message`);
  return match[1];
};

describe('training in Chromium', () => {
  it('runs a course from creation to certificates, with the waiting list and an offer on the way', async () => {
    const authorityId = await createAuthority(h.db, { name: 'London Borough of Testham' });
    const trainer = await h.pageAs('investigator', null, 'Tess Trainer');

    // The relationship lead creates a course and a session of two places.
    const lead = await h.pageAs('relationship-lead', null, 'Rita Lead');
    await lead.page.goto('/staff');
    await openArea(lead.page, 'Training');
    await expectAccessible(lead.page);
    await lead.page.getByRole('button', { name: 'Create a course' }).click();
    await expectAccessible(lead.page);
    await lead.page.getByLabel('Title').fill('Effective complaint handling');
    await lead.page.getByLabel('Councils').check();
    await lead.page.getByLabel('Care providers').check();
    await lead.page.getByLabel('Online, live').check();
    await lead.page.getByLabel('Description').fill('How to investigate a complaint **well**.');
    await lead.page.getByLabel('Price per place').fill('0');
    await lead.page.getByLabel('Yes', { exact: true }).check();
    await submit(lead.page, 'Save course');
    await expect(lead.page.locator('h1').textContent()).resolves.toBe('Effective complaint handling');
    await expectAccessible(lead.page);
    await lead.page.getByRole('button', { name: 'Add a session' }).click();
    await lead.page.getByLabel('Day').first().fill('29');
    await lead.page.getByLabel('Month').first().fill('3');
    await lead.page.getByLabel('Year').first().fill('2027');
    await lead.page.getByLabel('Start time (UK time)').fill('10:00');
    await lead.page.getByLabel('End time (UK time)').fill('09:00');
    await lead.page.getByLabel('Places').fill('2');
    await lead.page.getByLabel('Trainer').selectOption({ label: 'Tess Trainer' });
    await submit(lead.page, 'Add session');
    await expect(lead.page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'The end must be after the start',
    );
    await expectAccessible(lead.page);
    await lead.page.getByLabel('End time (UK time)').fill('13:00');
    await submit(lead.page, 'Add session');
    await expect(lead.page.locator('h1').textContent()).resolves.toContain('29 March 2027, 10am to 1pm');
    await expectAccessible(lead.page);

    // A link officer books two colleagues in the portal; both get a confirmation with a calendar file.
    const officer = await h.pageAs('link-officer', authorityId, 'Lara Link');
    await officer.page.goto('/portal');
    await openArea(officer.page, 'Training');
    await expectAccessible(officer.page);
    for (const [name, email] of [
      ['Ann Colleague', 'ann@testham.example'],
      ['Ben Colleague', 'ben@testham.example'],
    ] as const) {
      await officer.page.getByRole('link', { name: /^Book 29 March 2027/ }).click();
      await expectAccessible(officer.page);
      await officer.page.getByLabel('Full name of the person attending').fill(name);
      await officer.page.getByLabel('Their email address').fill(email);
      await submit(officer.page, 'Book place');
      await expect(officer.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
        `${name} is booked`,
      );
    }
    await expectAccessible(officer.page);
    for (const to of ['ann@testham.example', 'ben@testham.example']) {
      const [confirmation] = await mailTo(to, 'Booking confirmed');
      const calendar = confirmation?.parsed.attachments.find((a) => a.filename === 'session.ics');
      expect(calendar?.contentType).toBe('text/calendar');
      expect(calendar?.content.toString('utf8')).toContain('DTSTART:20270329T090000Z');
    }

    // A care provider's manager books on the public site, confirms by email, and is waitlisted.
    const visitor = await h.newPage();
    await visitor.page.goto('/training');
    await expectAccessible(visitor.page);
    await visitor.page.getByLabel('Who it is for').selectOption('care-providers');
    await submit(visitor.page, 'Show courses');
    await visitor.page.getByRole('link', { name: 'Effective complaint handling' }).click();
    await expectAccessible(visitor.page);
    await visitor.page.getByRole('link', { name: /^Book/ }).click();
    await expectAccessible(visitor.page);
    await visitor.page.getByLabel('Full name').fill('Carol Manager');
    await visitor.page.getByLabel('Email address').fill('carol@sunrise-care.example');
    await visitor.page.getByLabel('Organisation').fill('Sunrise Care Homes');
    await submit(visitor.page, 'Send me the confirmation link');
    await expect(visitor.page.locator('h1').textContent()).resolves.toBe('Check your email');
    await expectAccessible(visitor.page);
    const [confirmLink] = await mailTo('carol@sunrise-care.example', 'Confirm your booking');
    const confirmPath = linkPath(confirmLink, '/training/confirm');
    await visitor.page.goto(confirmPath);
    await expectAccessible(visitor.page);
    await submit(visitor.page, 'Confirm booking');
    await expect(visitor.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'you are on the waiting list',
    );
    await visitor.page.goto(confirmPath);
    await expect(visitor.page.locator('body').textContent()).resolves.toContain('This link has already been used');

    // A colleague's place is cancelled; the waitlisted manager is offered it and accepts.
    await officer.page.goto('/portal/training');
    await officer.page.getByRole('button', { name: 'Cancel the booking of Ann Colleague' }).click();
    await officer.page.waitForLoadState();
    await expect(officer.page.locator('.govuk-notification-banner').textContent()).resolves.toContain('cancelled');
    const [offer] = await mailTo('carol@sunrise-care.example', 'A place is free');
    await visitor.page.goto(linkPath(offer, '/training/offers'));
    await expectAccessible(visitor.page);
    await visitor.page.getByLabel('Yes, book me on the session').check();
    await submit(visitor.page, 'Send answer');
    await expect(visitor.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'You have accepted the place',
    );
    expect(await mailTo('carol@sunrise-care.example', 'Booking confirmed')).toHaveLength(1);

    // After the session, the trainer marks attendance on the register (checked at a phone's width too).
    clock.set(new Date('2027-03-29T12:45:00Z'));
    await trainer.context.addCookies([
      { name: SESSION_COOKIE, value: await createSession(h.db, trainer.user.id, clock.now()), url: h.baseUrl },
    ]);
    await trainer.page.goto('/staff');
    await openArea(trainer.page, 'Training');
    await trainer.page.getByRole('link', { name: /^register/ }).click();
    await expectAccessible(trainer.page);
    await trainer.page.getByRole('group', { name: 'Carol Manager' }).getByLabel('Attended', { exact: true }).check();
    await trainer.page.getByRole('group', { name: 'Ben Colleague' }).getByLabel('Did not attend').check();
    await submit(trainer.page, 'Save register');
    await expect(trainer.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'The register is saved',
    );
    await expectAccessible(trainer.page);

    // The attendee downloads a certificate and gives feedback.
    const [attended] = await mailTo('carol@sunrise-care.example', 'Your certificate');
    await visitor.page.goto(linkPath(attended, '/training/attendance'));
    await expectAccessible(visitor.page);
    const [download] = await Promise.all([
      visitor.page.waitForEvent('download'),
      visitor.page.getByRole('link', { name: /Download your certificate/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^certificate-.*\.pdf$/);
    await visitor.page.getByLabel('Very useful', { exact: true }).check();
    await submit(visitor.page, 'Send feedback');
    await expect(visitor.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Thank you for your feedback',
    );

    // The authority's page shows the session in its training history.
    await officer.context.addCookies([
      { name: SESSION_COOKIE, value: await createSession(h.db, officer.user.id, clock.now()), url: h.baseUrl },
    ]);
    await officer.page.goto('/portal/authority');
    await expectAccessible(officer.page);
    const history = officer.page.locator('table', { hasText: 'Effective complaint handling' });
    await expect(history.textContent()).resolves.toContain('0 of 1 attended');
    await lead.context.addCookies([
      { name: SESSION_COOKIE, value: await createSession(h.db, lead.user.id, clock.now()), url: h.baseUrl },
    ]);
    await lead.page.goto(`/staff/authorities/${authorityId}`);
    await expect(lead.page.locator('body').textContent()).resolves.toContain('Effective complaint handling');
    await expectAccessible(lead.page);
  });
});
