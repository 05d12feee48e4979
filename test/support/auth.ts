import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Services } from '../../src/composition.ts';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { newTotpSecret, totpCode } from '../../src/modules/accounts/two-factor.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { expectAccessible } from './browser.ts';
import { createAuthority, createUser, type TestUser } from './factories.ts';

/** A user whose two-factor authentication is already set up, with the secret their app would hold. */
export interface TestUserWithTwoFactor extends TestUser {
  totpSecret: string;
}

/**
 * Creates a user (any role) with two-factor already turned on, so a browser test can sign in through
 * the real pages with `signInThroughPages(page, user.email, user.password, user.totpSecret)`.
 * Authority roles get a new authority unless one is given.
 */
export async function createUserWithTwoFactor(
  db: Db,
  services: Services,
  options: { role: Role; authorityId?: string; email?: string; displayName?: string; password?: string },
): Promise<TestUserWithTwoFactor> {
  const staff = !['link-officer', 'delegate', 'senior-officer'].includes(options.role);
  const authorityId = staff ? null : (options.authorityId ?? (await createAuthority(db)));
  const user = await createUser(services, { ...options, authorityId });
  const totpSecret = newTotpSecret();
  await services.accounts.turnOnTwoFactor(user.id, totpSecret);
  return { ...user, totpSecret };
}

/** The code the user's authenticator app shows now. */
export const currentTotpCode = (secret: string): Promise<string> => totpCode(secret, new Date());

/**
 * The code the app shows in the next 30 seconds, still accepted now: for a second sign-in soon after
 * the first, as each code is accepted only once.
 */
export const nextTotpCode = (secret: string): Promise<string> => totpCode(secret, new Date(Date.now() + 30_000));

/**
 * Signs in through the real pages, as a person would: the sign-in form, then the two-factor code
 * page (with `totpSecret`) or, for staff who have not set it up, the set-up page (the secret is read
 * from the page). Checks each page with axe unless `checkAccessibility: false`. Ends on the page
 * sign-in leads to (`/staff`, `/portal` or `next`). Returns the two-factor secret in use, if any.
 */
export async function signInThroughPages(
  page: Page,
  email: string,
  password: string,
  totpSecret?: string,
  options: { next?: string; checkAccessibility?: boolean } = {},
): Promise<{ totpSecret: string | null }> {
  const check = options.checkAccessibility ?? true;
  await page.goto(options.next ? `/sign-in?next=${encodeURIComponent(options.next)}` : '/sign-in');
  if (check) await expectAccessible(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();

  const path = new URL(page.url()).pathname;
  if (path === '/sign-in/two-factor') {
    if (!totpSecret) throw new Error(`${email} has two-factor turned on: pass their secret`);
    if (check) await expectAccessible(page);
    await page.getByLabel('Enter your authentication code').fill(await currentTotpCode(totpSecret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname, 'two-factor code accepted').not.toMatch(/^\/sign-in/);
    return { totpSecret };
  }
  if (path === '/sign-in/two-factor/set-up') {
    if (check) await expectAccessible(page);
    const shown = ((await page.locator('#secret-key').textContent()) ?? '').replace(/\s+/g, '');
    await page.getByLabel('6-digit code').fill(await currentTotpCode(shown));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname, 'two-factor set up').not.toMatch(/^\/sign-in/);
    return { totpSecret: shown };
  }
  expect(path, 'signed in').not.toBe('/sign-in');
  return { totpSecret: totpSecret ?? null };
}
