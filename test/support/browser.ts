import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { createTestApp, type TestApp } from './app.ts';
import { noteCheckedPage } from './e2e-report.ts';
import { createSession, createUser, type TestUser } from './factories.ts';
import { startNginx, type Nginx } from './nginx.ts';

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

/**
 * `E2E_VIA_NGINX=1`: the journeys run as in production, through nginx in front of two instances of
 * the application (see `startTwoBehindNginx`). Any other value: one instance, reached directly.
 */
export const VIA_NGINX = process.env.E2E_VIA_NGINX === '1';

/** Listens on a loopback port; returns the port. */
async function listenOnLoopback(app: TestApp['app']): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not start');
  return address.port;
}

/**
 * A second instance of the application beside `t` — over the same database, clock and settings
 * but with its own services, caches and in-memory state, as a second web process has — and a real
 * nginx sharing requests between the two round-robin, without stickiness: a page and the form
 * posted from it, a sign-in and the next page, usually land on different instances. Each instance
 * counts the requests it serves; `stop` fails when one of them served none, so the mode cannot
 * pass through one instance alone.
 */
async function startTwoBehindNginx(
  t: TestApp,
  options: NonNullable<Parameters<typeof createTestApp>[0]>,
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const env = { ...options.env, TRUST_PROXY: 'true' };
  const second = await createTestApp({ ...options, env, db: t.db, clock: t.clock });
  const instances = [t.app, second.app];
  const served = instances.map(() => 0);
  const ports: number[] = [];
  for (const [i, app] of instances.entries()) {
    app.server.on('request', () => (served[i] = (served[i] ?? 0) + 1));
    ports.push(await listenOnLoopback(app));
  }
  let nginx: Nginx;
  try {
    nginx = await startNginx(ports);
  } catch (error) {
    await second.app.close();
    throw error;
  }
  return {
    baseUrl: nginx.url,
    stop: async () => {
      const errors = nginx.errors();
      await nginx.stop();
      // Only the application: the database is the first instance's, closed with it.
      await second.app.close();
      if (served.some((n) => n === 0)) {
        throw new Error(
          `behind nginx, an instance served no request (requests served: ${served.join(', ')}). ${errors}`,
        );
      }
    },
  };
}

/**
 * Starts the whole application on a loopback port over a fresh database, and Chromium beside it.
 * With `E2E_VIA_NGINX=1`, two instances of it behind nginx (`baseUrl` is nginx's).
 */
export async function startBrowserHarness(options: Parameters<typeof createTestApp>[0] = {}): Promise<BrowserHarness> {
  const t = await createTestApp(VIA_NGINX ? { ...options, env: { ...options.env, TRUST_PROXY: 'true' } } : options);
  let baseUrl: string;
  let stopProxy: () => Promise<void> = () => Promise.resolve();
  if (VIA_NGINX) {
    const proxied = await startTwoBehindNginx(t, options);
    baseUrl = proxied.baseUrl;
    stopProxy = proxied.stop;
  } else {
    baseUrl = `http://127.0.0.1:${await listenOnLoopback(t.app)}`;
  }
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
      try {
        await stopProxy();
      } finally {
        await t.close();
      }
    },
  };
}

/** The narrowest phone width the pages are checked at: nothing may scroll the whole page sideways. */
export const PHONE_WIDTH = 375;

/**
 * Runs axe-core with the WCAG 2.2 AA rule set and its best-practice rules (among them `region`:
 * all content in a landmark) on the page as it is now, and fails on any violation. Then checks the
 * page at a phone's width: a wide table may scroll inside its own container, the page never does.
 */
export async function expectAccessible(page: Page): Promise<void> {
  // A click that navigates returns once the next page has started to arrive: check it whole.
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page })
    .options({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    })
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, `accessibility violations on ${page.url()}`).toEqual([]);
  expect(
    await sidewaysScrollAtPhoneWidth(page),
    `the page scrolls sideways at ${PHONE_WIDTH} px: ${page.url()}`,
  ).toEqual([]);
  noteCheckedPage(page.url());
}

/**
 * Run in the page (as a string: the tests are type-checked without the DOM's types): the outermost
 * elements whose right edge is past the page's, or the page's width when only text sticks out.
 */
const OUTERMOST_PAST_THE_RIGHT_EDGE = `(() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  if (root.scrollWidth <= limit) return [];
  const sticksOut = (element) => element.getBoundingClientRect().right > limit + 0.5;
  const culprits = Array.from(document.body.querySelectorAll('*'))
    .filter((element) => sticksOut(element))
    .filter((element) => element.parentElement === document.body || !sticksOut(element.parentElement))
    .map((element) => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
      Array.from(element.classList).map((name) => '.' + name).join(''))
    .slice(0, 5);
  return culprits.length > 0 ? culprits : ['page is ' + root.scrollWidth + ' px wide'];
})()`;

/**
 * At PHONE_WIDTH, the elements that stick out past the page's right edge (empty when the page does
 * not scroll sideways). The viewport is put back as it was.
 */
export async function sidewaysScrollAtPhoneWidth(page: Page): Promise<string[]> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: PHONE_WIDTH, height: 800 });
  try {
    return await page.evaluate<string[]>(OUTERMOST_PAST_THE_RIGHT_EDGE);
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * Opens one of the header's areas as a person would: from the one-row navigation when it is there,
 * otherwise from the "More" page.
 */
export async function openArea(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('navigation', { name: 'Menu' });
  const direct = menu.getByRole('link', { name, exact: true });
  if ((await direct.count()) > 0) {
    await direct.click();
  } else {
    await menu.getByRole('link', { name: 'More', exact: true }).click();
    await page.locator('#more').getByRole('link', { name, exact: true }).click();
  }
  await page.waitForLoadState();
}

/**
 * Follows a link or presses a button that leads to another page (the next page after a redirect,
 * or the form again with its errors), and waits for that page. Reading the page before then could
 * read the one the click was on: a click does not wait for the navigation it starts.
 */
export async function clickThrough(target: Locator): Promise<void> {
  const page = target.page();
  const next = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await target.click();
  await next;
  await page.waitForLoadState();
}

/** Presses the form's button of that name, and waits for the page it leads to. */
export async function submit(scope: Page | Locator, button: string): Promise<void> {
  await clickThrough(scope.getByRole('button', { name: button, exact: true }));
}
