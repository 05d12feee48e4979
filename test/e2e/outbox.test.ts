import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
} from '../support/browser.ts';
import { signedInAs } from '../support/factories.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
  await h.services.mail.enqueue(h.db.kysely, {
    kind: 'invitation',
    to: 'new.colleague@example.test',
    subject: 'You have been invited to Liaison',
    text: 'Hello,\n\nYou have been invited to Liaison.',
    html: '<p>Hello,</p><p>You have been invited to <a href="https://liaison.example/accept">Liaison</a>.</p>',
    headers: { 'Reply-To': 'support@liaison.test' },
    idempotencyKey: 'e2e-outbox-1',
  });
});
afterAll(async () => {
  await h.closeAll();
});

describe('the outbox in Chromium', () => {
  it('lets an administrator find a message in the outbox and read it', async () => {
    const { token } = await signedInAs(h.db, h.services, 'administrator');
    const { page, context } = await h.newPage();
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: h.baseUrl }]);

    await page.goto('/staff');
    await openArea(page, 'Outbox');
    await expect(page.locator('h1').textContent()).resolves.toBe('Outbox');
    await expect(page.getByRole('row', { name: /You have been invited to Liaison/ }).textContent()).resolves.toContain(
      'Queued',
    );
    await expectAccessible(page);

    await clickThrough(page.getByRole('link', { name: 'You have been invited to Liaison' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('You have been invited to Liaison');
    await expect(page.locator('#text-body').textContent()).resolves.toContain('You have been invited to Liaison.');
    // The HTML version opens as a sandboxed document of its own; its source can be read here.
    await expect(page.locator('#html-view').getAttribute('href')).resolves.toMatch(/\/html$/);
    await page.getByText('Show the HTML source').click();
    await expect(page.locator('#html-body').textContent()).resolves.toContain(
      '<a href="https://liaison.example/accept">',
    );
    // The HTML is shown as text: the link in it is not a link on the page.
    await expect(page.locator('#html-body a').count()).resolves.toBe(0);
    await expectAccessible(page);

    await clickThrough(page.getByRole('link', { name: 'Back to the outbox' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Outbox');
    await context.close();
  });
});
