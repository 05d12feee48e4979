import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import type { MailGateway } from '../../src/platform/mail/inbound.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createSession, signedInAs } from '../support/factories.ts';
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

/** Writes an item as the system and sends it through the outbox to the SMTP sink. */
async function send(complaintId: string, to: 'link-officers' | 'complainant', subject: string) {
  const itemId = await h.db.kysely.transaction().execute((trx) =>
    h.services.correspondence.write(trx, {
      complaintId,
      kind: 'message',
      addressees: [to],
      subject,
      text: 'Please tell us what happened.',
      actor: null,
    }),
  );
  await h.services.correspondence.dispatch(itemId);
  await h.services.mailSender.sendDue();
  return itemId;
}

describe('a case’s correspondence in Chromium', () => {
  it('is a tab of the case; a link officer’s emailed reply shows on the timeline under their name and role; the portal shows the authority its own', async () => {
    const name = `Anytown Council ${crypto.randomBytes(3).toString('hex')}`;
    const a = await authorityWithOfficers(h.db, { officers: 1, name });
    const c = await createComplaint(h.db, a.authorityId);
    await h.db.kysely.updateTable('complaints').set({ status: 'investigation' }).where('id', '=', c.id).execute();
    await send(c.id, 'link-officers', 'Questions for the council');
    await send(c.id, 'complainant', 'Your complaint is with an investigator');

    // The link officer answers by email: a reply to the message they were sent, through the real gateway.
    const sent = sink.messages.find((m) => m.envelopeTo.includes(a.officers[0]?.email ?? ''));
    const replyTo = sent?.parsed.replyTo?.text ?? '';
    expect(replyTo).toMatch(new RegExp(`^case\\+.+@${DOMAIN.replace('.', '\\.')}$`));
    const response = await sendToGateway(gateway, {
      from: `"Officer1 Link" <${a.officers[0]?.email}>`,
      to: replyTo,
      subject: 'Re: Questions for the council',
      text: 'The repairs were booked for March.',
      inReplyTo: sent?.parsed.messageId,
    });
    expect(response).toMatch(/^250/);

    // Staff: from the case summary, the Correspondence tab is one click away.
    const { token } = await signedInAs(h.db, h.services, 'investigator');
    const staff = await h.newPage();
    await staff.context.addCookies([{ name: SESSION_COOKIE, value: token, url: h.baseUrl }]);
    await staff.page.goto(`/staff/complaints/${c.id}`);
    await expectAccessible(staff.page);
    await staff.page.locator('.moj-sub-navigation').getByRole('link', { name: 'Correspondence' }).click();
    await staff.page.waitForURL(`**/staff/complaints/${c.id}/correspondence`);
    await expect(staff.page.locator('h1').textContent()).resolves.toBe('Correspondence');
    await expect(staff.page.locator('.moj-sub-navigation [aria-current="page"]').textContent()).resolves.toContain(
      'Correspondence',
    );
    await expect(staff.page.getByRole('heading', { name: 'Re: Questions for the council' }).count()).resolves.toBe(1);
    await expect(
      staff.page.getByRole('heading', { name: /^Your complaint is with an investigator/ }).count(),
    ).resolves.toBe(1);
    await expectAccessible(staff.page);

    // The timeline names the link officer and the role they wrote in, and links to the message.
    await staff.page.locator('.moj-sub-navigation').getByRole('link', { name: 'Timeline' }).click();
    await expectAccessible(staff.page);
    const reply = staff.page.locator('.moj-timeline__item', {
      hasText: 'Reply received: Re: Questions for the council',
    });
    await expect(reply.locator('.moj-timeline__byline').textContent()).resolves.toBe(
      `by Link officer, ${name} (Officer1 Link)`,
    );
    await expect(staff.page.locator('#timeline').textContent()).resolves.toContain(
      `Message sent to the link officers of ${name}`,
    );
    // The filter starts closed, and opens to narrow the timeline to correspondence.
    await expect(staff.page.getByLabel('Correspondence').isVisible()).resolves.toBe(false);
    await staff.page.getByText('Filter events').click();
    await staff.page.getByLabel('Correspondence').check();
    await staff.page.getByRole('button', { name: 'Filter the timeline' }).click();
    await staff.page.waitForURL(/kind=correspondence/);
    await expectAccessible(staff.page);
    await reply.getByRole('link').click();
    await staff.page.waitForURL(/\/correspondence#item-/);
    await expect(staff.page.locator('h1').textContent()).resolves.toBe('Correspondence');
    await staff.context.close();

    // The portal: the link officer sees the authority's thread, never the complainant's.
    const officer = await h.services.accounts.createUser({
      email: a.officers[0]?.email ?? '',
      displayName: 'Officer1 Link',
      roles: ['link-officer'],
      authorityId: a.authorityId,
      password: 'correct horse battery staple',
    });
    const portal = await h.newPage();
    await portal.context.addCookies([
      { name: SESSION_COOKIE, value: await createSession(h.db, officer), url: h.baseUrl },
    ]);
    await portal.page.goto(`/portal/complaints/${c.id}`);
    await expectAccessible(portal.page);
    await portal.page.locator('.moj-sub-navigation').getByRole('link', { name: 'Correspondence' }).click();
    await portal.page.waitForURL(`**/portal/complaints/${c.id}/correspondence`);
    await expect(portal.page.locator('h1').textContent()).resolves.toBe('Correspondence');
    await expect(portal.page.locator('.moj-sub-navigation [aria-current="page"]').textContent()).resolves.toContain(
      'Correspondence',
    );
    const shown = (await portal.page.locator('main').textContent()) ?? '';
    expect(shown).toContain('Questions for the council');
    expect(shown).toContain('Re: Questions for the council');
    expect(shown).not.toContain('Your complaint is with an investigator');
    await expectAccessible(portal.page);
    await clickThrough(portal.page.getByRole('link', { name: /^Questions for the council/ }));
    await expect(portal.page.locator('h1').textContent()).resolves.toMatch(/^Questions for the council/);
    await expectAccessible(portal.page);

    // Its timeline names the sender by role only.
    await portal.page.goto(`/portal/complaints/${c.id}/timeline`);
    const timeline = (await portal.page.locator('#timeline').textContent()) ?? '';
    expect(timeline).toContain('Reply received: Re: Questions for the council');
    expect(timeline).not.toContain('Your complaint is with an investigator');
    await expectAccessible(portal.page);
    await portal.context.close();
  }, 120_000);
});
