import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, isAuthorityRole, type Role } from '../../src/modules/accounts/domain.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createAuthority } from '../support/factories.ts';

let h: BrowserHarness;
let authorityId: string;
beforeAll(async () => {
  h = await startBrowserHarness();
  authorityId = await createAuthority(h.db, { name: 'Borsetshire County Council', kind: 'county' });
});
afterAll(async () => {
  await h.closeAll();
});

/** The distinct rows the header's navigation items sit on. */
async function navigationRows(page: import('playwright-core').Page): Promise<number> {
  const tops = new Set<number>();
  for (const item of await page.locator('.govuk-service-navigation__item').all()) {
    const box = await item.boundingBox();
    if (box) tops.add(Math.round(box.y));
  }
  return tops.size;
}

describe('the layout in Chromium', () => {
  it.each(ROLES.map((role) => [role]))(
    '%s: one row of navigation, the other areas under More, and who is signed in inside the header',
    async (role: Role) => {
      const portal = isAuthorityRole(role);
      const name = `Test ${role}`;
      const { page, context } = await h.pageAs(role, portal ? authorityId : null, name);
      await page.setViewportSize({ width: 1024, height: 800 });
      await page.goto(portal ? '/portal' : '/staff');
      expect(await navigationRows(page)).toBe(1);
      await expect(page.locator('header #signed-in-as, [role=banner] #signed-in-as').count()).resolves.toBe(1);
      await expect(page.locator('#signed-in-as').textContent()).resolves.toContain(name);

      const more = page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'More' });
      if ((await more.count()) === 0) {
        await context.close();
        return;
      }
      await clickThrough(more);
      await expect(page.locator('h1').textContent()).resolves.toBe('More');
      await expectAccessible(page);
      const areas: { text: string; href: string }[] = [];
      for (const link of await page.locator('#more a').all()) {
        areas.push({ text: (await link.textContent()) ?? '', href: (await link.getAttribute('href')) ?? '' });
      }
      expect(areas.length).toBeGreaterThan(0);
      // Each area listed opens for this person, and there "More" is the current item.
      for (const area of areas) {
        const response = await page.goto(area.href);
        expect(response?.status(), area.href).toBe(200);
        await expect(
          page.getByRole('navigation', { name: 'Menu' }).locator('[aria-current]').textContent(),
        ).resolves.toContain('More');
      }
      await context.close();
    },
  );
});
