import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
  submit,
} from '../support/browser.ts';
import { createUser } from '../support/factories.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.ts';
import { authorityWithOfficers } from '../integration/correspondence.fixtures.ts';

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

/** What the worker does: the fan-out, the outbox, and the sweep that marks an issue sent. */
async function work(): Promise<void> {
  await h.services.newsletter.sweep();
  await h.services.mailSender.sendDue();
  await h.services.newsletter.sweep();
}

const received = (to: string, subject: string): ReceivedMail[] =>
  sink.messages.filter((m) => m.envelopeTo.includes(to) && m.parsed.subject === subject);

/** A header of the message as sent (unfolded), read from its source. */
const header = (mail: ReceivedMail | undefined, name: string): string => {
  const head = (mail?.raw.toString('utf8') ?? '').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:[ \t]*(.*)$`, 'im').exec(unfolded)?.[1]?.trim() ?? '';
};

describe('the newsletter in Chromium', () => {
  it('subscribes a visitor, sends two issues to the audience of the day, and unsubscribes with one click', async () => {
    const council = await authorityWithOfficers(h.db, { name: 'Testham Borough Council' });
    const [officerOne, officerTwo] = council.officers;
    // An upcoming training session, for the composer to insert.
    const trainer = await createUser(h.services, { role: 'relationship-lead' });
    const organiser = {
      type: 'user' as const,
      id: trainer.id,
      roles: ['relationship-lead' as const],
      authorityId: null,
    };
    const courseId = await h.services.training.createCourse(organiser, {
      title: 'Remedies that put things right',
      audiences: ['councils'],
      format: 'online',
      description: 'Choosing a fair remedy.',
      learningOutcomes: '',
      durationMinutes: 120,
      pricePence: 0,
      externalUrl: null,
      published: true,
    });
    await h.services.training.createSession(organiser, courseId, {
      startsAt: new Date('2027-03-22T10:00:00Z'),
      endsAt: new Date('2027-03-22T12:00:00Z'),
      capacity: 20,
      bookingClosesAt: null,
      joiningInstructions: null,
      venue: null,
      trainerId: null,
      authorityId: null,
      network: null,
    });

    // A visitor subscribes and confirms by the emailed link.
    const visitor = await h.newPage();
    await visitor.page.goto('/newsletter');
    await expectAccessible(visitor.page);
    await visitor.page.getByRole('link', { name: 'Subscribe to Ombudsman Link' }).click();
    await visitor.page.getByLabel('Email address').fill('not an address');
    await submit(visitor.page, 'Subscribe');
    await expect(visitor.page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Enter an email address in the correct format',
    );
    await expectAccessible(visitor.page);
    await visitor.page.getByLabel('Email address').fill('sam@advice.example');
    await visitor.page.getByLabel('Full name (optional)').fill('Sam Adviser');
    await submit(visitor.page, 'Subscribe');
    await expect(visitor.page.locator('h1').textContent()).resolves.toBe('Check your email');
    await expectAccessible(visitor.page);
    await h.services.mailSender.sendDue();
    const [confirmation] = received('sam@advice.example', 'Confirm your subscription to Ombudsman Link');
    const link = /https?:\/\/[^/\s]+(\/newsletter\/confirm\/[A-Za-z0-9_-]{43})/.exec(
      confirmation?.parsed.text ?? '',
    )?.[1];
    expect(link).toBeDefined();
    await visitor.page.goto(link ?? '');
    await expectAccessible(visitor.page);
    await submit(visitor.page, 'Confirm subscription');
    await expect(visitor.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'You are subscribed to Ombudsman Link',
    );
    await expectAccessible(visitor.page);

    // The relationship lead sees the subscriber, composes an issue, sends a test, then sends it.
    const lead = await h.pageAs('relationship-lead', null, 'Rita Lead');
    await lead.page.goto('/staff');
    await openArea(lead.page, 'Newsletter');
    await expectAccessible(lead.page);
    await expect(lead.page.locator('main').textContent()).resolves.toContain('sam@advice.example');
    await lead.page.getByRole('button', { name: 'Write an issue' }).click();
    await lead.page.getByLabel('Content').fill('## Our new guidance\n\nRead it **today**.');
    // The next training session goes in with one button, after what was typed.
    await submit(lead.page, 'Insert Remedies that put things right, 22 March 2027');
    await expect(lead.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'is added at the end of the content',
    );
    expect(await lead.page.getByLabel('Content').inputValue()).toBe(
      `## Our new guidance\n\nRead it **today**.\n\n- [Remedies that put things right, 22 March 2027](${h.config.BASE_URL}/training/courses/${courseId})`,
    );
    await expectAccessible(lead.page);
    await submit(lead.page, 'Save draft');
    await expect(lead.page.locator('.govuk-error-summary').textContent()).resolves.toContain('Enter a subject');
    await expectAccessible(lead.page);
    await lead.page.getByLabel('Subject').fill('Ombudsman Link: spring issue');
    await submit(lead.page, 'Save draft');
    await expect(lead.page.locator('h1').textContent()).resolves.toBe('Ombudsman Link: spring issue');
    await expectAccessible(lead.page);
    await submit(lead.page, 'Send a test to me');
    await expect(lead.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'A test has been sent',
    );
    await h.services.mailSender.sendDue();
    expect(received(lead.user.email, '[Test] Ombudsman Link: spring issue')).toHaveLength(1);
    await lead.page.getByLabel('Now', { exact: true }).check();
    await submit(lead.page, 'Send issue');
    await expect(lead.page.locator('h1').textContent()).resolves.toBe('Sending progress');
    await expectAccessible(lead.page);
    await work();
    // The page follows the send by itself (its script reads the figures every few seconds).
    await lead.page.locator('#progress-status', { hasText: 'Sent: 100% done.' }).waitFor({ timeout: 60_000 });
    await expect(lead.page.locator('#progress-status').textContent()).resolves.toBe('Sent: 100% done.');
    await expectAccessible(lead.page);

    // Each of the two link officers and the subscriber receives one copy, with the unsubscribe headers.
    const subject = 'Ombudsman Link: spring issue';
    for (const to of [officerOne?.email ?? '', officerTwo?.email ?? '', 'sam@advice.example']) {
      const copies = received(to, subject);
      expect(copies).toHaveLength(1);
      expect(header(copies[0], 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(header(copies[0], 'list-unsubscribe')).toMatch(
        /^<https?:\/\/\S+\/newsletter\/unsubscribe\/\w{40}>, <mailto:/,
      );
      expect(copies[0]?.parsed.html).toContain('<strong>today</strong>');
      expect(copies[0]?.parsed.text).toContain('Read it **today**.');
      expect(copies[0]?.parsed.html).toContain(`/training/courses/${courseId}`);
    }

    // The subscriber's mail client posts the one click: they are unsubscribed, without signing in.
    const [samCopy] = received('sam@advice.example', subject);
    const oneClick = /<(https?:\/\/[^>]+)>/.exec(header(samCopy, 'list-unsubscribe'))?.[1] ?? '';
    const response = await fetch(`${h.baseUrl}${new URL(oneClick).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);

    // The first officer is replaced; the next issue follows the link officers of the day.
    const admin = await createUser(h.services, { role: 'administrator' });
    await h.services.linkOfficers.replaceOfficer(
      { type: 'user', id: admin.id, roles: ['administrator'], authorityId: null },
      council.authorityId,
      officerOne?.id ?? '',
      {
        title: 'Mr',
        forename: 'Nigel',
        surname: 'New',
        jobTitle: 'Complaints lead',
        email: `nigel.new@${council.domain}`,
        correspondenceEmail: null,
        phone: '+442079460958',
      },
    );
    await lead.page.goto('/staff/newsletter');
    await lead.page.getByRole('button', { name: 'Write an issue' }).click();
    await lead.page.getByLabel('Subject').fill('Ombudsman Link: summer issue');
    await lead.page.getByLabel('Content').fill('Summer news.');
    await submit(lead.page, 'Save draft');
    await lead.page.getByLabel('Now', { exact: true }).check();
    await submit(lead.page, 'Send issue');
    await work();
    const summer = 'Ombudsman Link: summer issue';
    expect(received(`nigel.new@${council.domain}`, summer)).toHaveLength(1);
    expect(received(officerTwo?.email ?? '', summer)).toHaveLength(1);
    expect(received(officerOne?.email ?? '', summer)).toHaveLength(0);
    expect(received('sam@advice.example', summer)).toHaveLength(0);

    // The report, and the public archive (which carries nobody's token).
    await lead.page.goto('/staff/newsletter');
    await clickThrough(lead.page.getByRole('link', { name: 'Ombudsman Link: spring issue' }));
    await clickThrough(lead.page.getByRole('link', { name: 'Report' }));
    await expect(lead.page.locator('main').textContent()).resolves.toContain('no tracking pixel');
    await expect(lead.page.locator('#report-table').textContent()).resolves.toContain('district');
    await expectAccessible(lead.page);
    await visitor.page.goto('/newsletter');
    await clickThrough(visitor.page.getByRole('link', { name: 'Ombudsman Link: spring issue' }));
    await expect(visitor.page.locator('h1').textContent()).resolves.toBe('Ombudsman Link: spring issue');
    await expect(visitor.page.content()).resolves.not.toMatch(/unsubscribe\/\w{40}/);
    await expectAccessible(visitor.page);
  });
});
