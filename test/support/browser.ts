import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { createTestApp, type TestApp } from './app.ts';
import { createSession, createUser, type TestUser } from './factories.ts';

/** Debian's Chromium, driven by playwright-core (a fresh profile per launch). Never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserHarness extends TestApp {
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (its own cookies) with one page. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** A new user with `role` (of `authorityId`, for a portal role), signed in on a fresh page at the harness's clock. */
  pageAs(
    role: Role,
    authorityId: string | null,
    displayName: string,
  ): Promise<{ user: TestUser; context: BrowserContext; page: Page }>;
  closeAll(): Promise<void>;
}

/** Starts the whole application on a loopback port over a fresh database, and Chromium beside it. */
export async function startBrowserHarness(options: Parameters<typeof createTestApp>[0] = {}): Promise<BrowserHarness> {
  const t = await createTestApp(options);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not start');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newPage = async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    return { context, page };
  };
  return {
    ...t,
    baseUrl,
    browser,
    newPage,
    pageAs: async (role, authorityId, displayName) => {
      const user = await createUser(t.services, { role, authorityId, displayName });
      const { context, page } = await newPage();
      const token = await createSession(t.db, user.id, t.clock.now());
      await context.addCookies([{ name: SESSION_COOKIE, value: token, url: baseUrl }]);
      return { user, context, page };
    },
    closeAll: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/**
 * Runs axe-core with the WCAG 2.2 AA rule set, and the `region` rule (all content in a landmark,
 * a best practice outside those tags), on the page as it is now and fails on any violation.
 */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .options({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: { region: { enabled: true } },
    })
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, `accessibility violations on ${page.url()}`).toEqual([]);
}
