import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import type { MailGateway } from '../../src/platform/mail/inbound.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
} from '../support/browser.ts';
import { signedInAs } from '../support/factories.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  authorityWithOfficers,
  createComplaint,
  sendToGateway,
  startTestGateway,
} from '../integration/correspondence.fixtures.ts';

const DOMAIN = 'liaison.test';
let h: BrowserHarness;
let sink: SmtpSink;
let gateway: MailGateway;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startBrowserHarness({ env: { SMTP_URL: sink.url, MAIL_DOMAIN: DOMAIN } });
  gateway = await startTestGateway(h, DOMAIN);
});
afterAll(async () => {
  await gateway.close();
  h.services.mailSender.close();
  await h.closeAll();
  await sink.close();
});

describe('correspondence in Chromium', () => {
  it('shows staff each recipient’s status, and files a held message onto its case', async () => {
    const a = await authorityWithOfficers(h.db, { officers: 2 });
    const c = await createComplaint(h.db, a.authorityId);
    const itemId = await h.db.kysely.transaction().execute((trx) =>
      h.services.correspondence.write(trx, {
        complaintId: c.id,
        kind: 'enquiry',
        addressees: ['link-officers'],
        subject: 'Enquiry about the repair',
        text: 'Dear link officer,\n\nPlease send us your file.',
        actor: null,
      }),
    );
    await h.services.correspondence.dispatch(itemId);
    sink.rejectNext(1, 451);
    await h.services.mailSender.sendDue();
    await sendToGateway(gateway, {
      from: 'unknown.person@elsewhere.example',
      to: `info@${DOMAIN}`,
      subject: 'Some papers for you',
      text: 'Here are the papers about the repair.',
    });

    const { token } = await signedInAs(h.db, h.services, 'intake-officer');
    const { page, context } = await h.newPage();
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: h.baseUrl }]);

    await page.goto(`/staff/complaints/${c.id}/correspondence`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Correspondence');
    const rows = page.locator(`[data-item="${itemId}"] tbody tr`);
    await expect(rows.count()).resolves.toBe(2);
    const statuses = (await rows.locator('.govuk-tag').allTextContents()).map((s) => s.trim()).sort();
    expect(statuses).toEqual(['Deferred, retrying', 'Sent']);
    await expectAccessible(page);

    await page.goto('/staff');
    await openArea(page, 'Holding pen');
    await expect(page.locator('h1').textContent()).resolves.toBe('Holding pen');
    await expectAccessible(page);
    await clickThrough(page.getByRole('link', { name: 'Some papers for you' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Some papers for you');
    await expectAccessible(page);

    // Without a reason nothing is discarded: the error summary says what is missing.
    await clickThrough(page.getByRole('button', { name: 'Discard' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Enter why the message is being discarded',
    );
    await expectAccessible(page);

    await page.getByLabel('Case reference').fill(c.reference);
    await clickThrough(page.getByRole('button', { name: 'File on the case' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Correspondence');
    await expect(page.getByText('The message has been filed on the case.').count()).resolves.toBe(1);
    await expect(page.getByRole('heading', { name: 'Some papers for you' }).count()).resolves.toBe(1);
    await expect(page.getByText('unknown.person@elsewhere.example').count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page);

    await page.goto('/staff/holding-pen');
    await expect(page.getByText('There is nothing waiting.').count()).resolves.toBe(1);
    await expectAccessible(page);
    await context.close();
  });
});
