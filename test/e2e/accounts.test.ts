import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithTwoFactor, currentTotpCode, nextTotpCode, signInThroughPages } from '../support/auth.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
} from '../support/browser.ts';
import { createAuthority, createUser } from '../support/factories.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

const errorSummary = (page: Page) => page.locator('.govuk-error-summary');
const heading = (page: Page) => page.locator('h1').first().textContent();
const pathOf = (page: Page) => new URL(page.url()).pathname;
const navLinks = async (page: Page) =>
  (await page.locator('.govuk-service-navigation__link').allTextContents()).map((s) => s.trim());
/** Every area this person may open: the header's row and, when it has one, its "More" page. */
async function areasOf(page: Page): Promise<string[]> {
  const links = await navLinks(page);
  const more = page.locator('.govuk-service-navigation').getByRole('link', { name: 'More', exact: true });
  if ((await more.count()) === 0) return links;
  const href = (await more.getAttribute('href')) ?? '';
  const back = page.url();
  await page.goto(href);
  const listed = (await page.locator('#more a').allTextContents()).map((s) => s.trim());
  await page.goto(back);
  return [...links, ...listed];
}

/** The path of the newest link under `prefix` emailed to `email`, read from the outbox. */
async function emailedLink(email: string, prefix: string): Promise<string> {
  const rows = await h.db.kysely
    .selectFrom('outbox_messages')
    .select('text_body')
    .where('to_address', '=', email)
    .orderBy('created_at', 'desc')
    .execute();
  const match = new RegExp(`https?://[^/\\s]+(/${prefix}/[\\w-]+)`).exec(rows.map((r) => r.text_body).join('\n'));
  if (!match?.[1]) throw new Error(`no ${prefix} link emailed to ${email}`);
  return match[1];
}

async function signInForm(page: Page, email: string, password: string) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
}

describe('signing in', () => {
  it('shows an error summary for a wrong password, then a clear lockout message', async () => {
    const authorityId = await createAuthority(h.db);
    const user = await createUser(h.services, { role: 'link-officer', authorityId });
    const { page, context } = await h.newPage();
    await page.goto('/sign-in');
    await expectAccessible(page);

    await clickThrough(page.getByRole('button', { name: 'Sign in', exact: true }));
    await expect(errorSummary(page).textContent()).resolves.toContain('Enter your email address');
    await expectAccessible(page);

    await signInForm(page, user.email, 'not my password');
    await expect(errorSummary(page).textContent()).resolves.toContain('Enter a correct email address and password');
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await expectAccessible(page);

    for (let i = 0; i < 4; i++) await signInForm(page, user.email, `still wrong ${i}`);
    await expect(errorSummary(page).textContent()).resolves.toContain(
      'You have entered the wrong details too many times',
    );
    await expectAccessible(page);
    // The right password is refused while the account is locked.
    await signInForm(page, user.email, user.password);
    expect(pathOf(page)).toBe('/sign-in');
    await expect(errorSummary(page).textContent()).resolves.toContain('too many times');
    await expectAccessible(page);
    await context.close();
  });

  it('makes staff set up two-factor, then asks for a code at each sign-in', async () => {
    const user = await createUser(h.services, { role: 'investigator', displayName: 'Ivy Investigator' });
    const { page, context } = await h.newPage();
    await page.goto('/sign-in');
    await expectAccessible(page);
    await signInForm(page, user.email, user.password);
    expect(pathOf(page)).toBe('/sign-in/two-factor/set-up');
    await expect(page.locator('svg[role="img"]').count()).resolves.toBe(1);
    await expectAccessible(page);

    await page.getByLabel('6-digit code').fill('000000');
    await clickThrough(page.getByRole('button', { name: 'Turn on two-factor authentication' }));
    await expect(errorSummary(page).textContent()).resolves.toContain('Enter the 6-digit code shown');
    await expectAccessible(page);

    const secret = ((await page.locator('#secret-key').textContent()) ?? '').replace(/\s+/g, '');
    await page.getByLabel('6-digit code').fill(await currentTotpCode(secret));
    await clickThrough(page.getByRole('button', { name: 'Turn on two-factor authentication' }));
    expect(pathOf(page)).toBe('/staff');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Two-factor authentication is set up',
    );
    // An investigator does not see the administration pages.
    const links = await areasOf(page);
    expect(links).not.toContain('Users');
    expect(links).not.toContain('Audit log');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Your account' }).click();
    await expect(page.locator('#two-factor-status').textContent()).resolves.toContain('On');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    expect(pathOf(page)).toBe('/sign-in');
    await expectAccessible(page);

    await signInForm(page, user.email, user.password);
    expect(pathOf(page)).toBe('/sign-in/two-factor');
    await expectAccessible(page);
    // The code that turned two-factor on is not accepted again: the app's next one is.
    await page.getByLabel('Enter your authentication code').fill(await nextTotpCode(secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(pathOf(page)).toBe('/staff');
    await expectAccessible(page);
    await context.close();
  });
});

describe('administration and invitations', () => {
  it('lets an administrator invite a link officer, who accepts from the email and lands in the portal', async () => {
    await createAuthority(h.db, { name: 'Riverside District Council' });
    const admin = await createUserWithTwoFactor(h.db, h.services, { role: 'administrator' });
    const { page, context } = await h.newPage();
    await signInThroughPages(page, admin.email, admin.password, admin.totpSecret);
    expect(pathOf(page)).toBe('/staff');
    const links = await areasOf(page);
    expect(links).toContain('Users');
    expect(links).toContain('Audit log');
    await expectAccessible(page);

    await openArea(page, 'Users');
    await expect(heading(page)).resolves.toBe('Users');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Invite a user' }).click();
    await expect(heading(page)).resolves.toBe('Invite a user');
    await expectAccessible(page);

    // The directory is searched, not listed: the authorities found are offered to choose from.
    await page.getByLabel('Find the authority').fill('rivers');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectAccessible(page);
    await page.getByLabel('Email address').fill('lena.link@riverside.example');
    await clickThrough(page.getByRole('button', { name: 'Send invitation' }));
    await expect(errorSummary(page).textContent()).resolves.toContain('Enter a name');
    await expectAccessible(page);

    await page.getByLabel('Full name').fill('Lena Link');
    await page.getByLabel('Link officer').check();
    await page.getByLabel('Riverside District Council').check();
    await clickThrough(page.getByRole('button', { name: 'Send invitation' }));
    await expect(heading(page)).resolves.toBe('Lena Link');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'An invitation has been sent',
    );
    await expectAccessible(page);

    const link = await emailedLink('lena.link@riverside.example', 'invitation');
    const invitee = await h.newPage();
    await invitee.page.goto(link);
    await expect(heading(invitee.page)).resolves.toBe('Create your password');
    await expectAccessible(invitee.page);
    await invitee.page.getByLabel('New password').fill('short');
    await clickThrough(invitee.page.getByRole('button', { name: 'Save password' }));
    await expect(errorSummary(invitee.page).textContent()).resolves.toContain('Password must be 12 characters or more');
    await expectAccessible(invitee.page);
    await invitee.page.getByLabel('New password').fill('riverside link officer passphrase');
    await invitee.page.getByRole('button', { name: 'Save password' }).click();
    expect(pathOf(invitee.page)).toBe('/portal');
    await expect(heading(invitee.page)).resolves.toBe('Riverside District Council');
    expect(await navLinks(invitee.page)).not.toContain('Users');
    await expectAccessible(invitee.page);

    // The link works once.
    await invitee.page.goto(link);
    await expect(heading(invitee.page)).resolves.toBe('This link has already been used');
    await expectAccessible(invitee.page);
    await invitee.context.close();

    // The administrator finds them in the list.
    await page.goto('/staff/users?q=lena');
    await expect(page.locator('#users').textContent()).resolves.toContain('Lena Link');
    await expectAccessible(page);
    await context.close();
  });

  it('signs a link officer straight into the portal', async () => {
    const officer = await createUser(h.services, {
      role: 'link-officer',
      authorityId: await createAuthority(h.db, { name: 'Hillside Borough Council' }),
    });
    const { page, context } = await h.newPage();
    await signInThroughPages(page, officer.email, officer.password);
    expect(pathOf(page)).toBe('/portal');
    await expect(heading(page)).resolves.toBe('Hillside Borough Council');
    await expectAccessible(page);
    await context.close();
  });
});

describe('password reset', () => {
  it('emails a single-use link that sets a new password', async () => {
    const user = await createUser(h.services, {
      role: 'delegate',
      authorityId: await createAuthority(h.db),
    });
    const { page, context } = await h.newPage();
    await page.goto('/sign-in');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Forgotten your password?' }).click();
    await expect(heading(page)).resolves.toBe('Reset your password');
    await expectAccessible(page);

    await clickThrough(page.getByRole('button', { name: 'Send reset link' }));
    await expect(errorSummary(page).textContent()).resolves.toContain('Enter your email address');
    await expectAccessible(page);
    await page.getByLabel('Email address').fill(user.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(heading(page)).resolves.toBe('Check your email');
    await expectAccessible(page);

    await page.goto(await emailedLink(user.email, 'password-reset'));
    await expect(heading(page)).resolves.toBe('Choose a new password');
    await expectAccessible(page);
    await page.getByLabel('New password').fill(user.email);
    await clickThrough(page.getByRole('button', { name: 'Save password' }));
    await expect(errorSummary(page).textContent()).resolves.toContain('Password must not be your email address');
    await expectAccessible(page);
    await page.getByLabel('New password').fill('a completely new passphrase');
    await clickThrough(page.getByRole('button', { name: 'Save password' }));
    expect(pathOf(page)).toBe('/sign-in');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Your password has been changed',
    );
    await expectAccessible(page);

    await signInForm(page, user.email, 'a completely new passphrase');
    expect(pathOf(page)).toBe('/portal');
    await expectAccessible(page);
    await context.close();
  });
});
