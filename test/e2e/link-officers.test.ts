import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { londonDate } from '../../src/modules/link-officers/domain.ts';
import type { Role } from '../../src/modules/accounts/domain.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
} from '../support/browser.ts';
import { dumpAllTables } from '../support/db.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

/** A browser page signed in as a new user of the role (the session cookie set directly). */
async function signedInPage(role: Role, options: { authorityId?: string; email?: string; displayName?: string } = {}) {
  const user = await createUser(h.services, { role, ...options });
  const token = await createSession(h.db, user.id);
  const { context, page } = await h.newPage();
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: h.baseUrl }]);
  return { user, context, page };
}

async function fillOfficer(page: Page, p: { forename: string; surname: string; email: string; phone: string }) {
  await page.getByLabel('Preferred title').fill('Ms');
  await page.getByLabel('Forename').fill(p.forename);
  await page.getByLabel('Surname').fill(p.surname);
  await page.getByLabel('Job title').fill('Complaints and information manager');
  await page.getByLabel('Direct email address').fill(p.email);
  await page.getByLabel('Direct telephone number').fill(p.phone);
}

describe('link officers in Chromium', () => {
  it('the relationship lead adds two link officers and is refused a third', async () => {
    const authorityId = await createAuthority(h.db, { name: 'Aaronsfield District Council' });
    const { page, context } = await signedInPage('relationship-lead');
    await page.goto('/staff');
    await expectAccessible(page);
    await clickThrough(page.getByRole('link', { name: 'Aaronsfield District Council' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Link officers');
    await expectAccessible(page);

    const people = [
      { forename: 'Amara', surname: 'Okafor', email: 'amara.okafor@aaronsfield.example', phone: '020 7946 0001' },
      { forename: 'Bryn', surname: 'Llewellyn', email: 'bryn.llewellyn@aaronsfield.example', phone: '07911 123456' },
      { forename: 'Cass', surname: 'Third', email: 'cass.third@aaronsfield.example', phone: '020 7946 0003' },
    ];
    for (const [i, p] of people.entries()) {
      if (i < 2) {
        await page.getByRole('button', { name: 'Add a link officer' }).click();
      } else {
        // With two, the list no longer offers to add one; the form's address is still refused.
        await expect(page.getByRole('button', { name: 'Add a link officer' }).count()).resolves.toBe(0);
        await page.goto(`/staff/authorities/${authorityId}/link-officers/add`);
      }
      await expectAccessible(page);
      await fillOfficer(page, p);
      await page.getByRole('button', { name: 'Save' }).click();
      if (i < 2) {
        await page.getByRole('heading', { name: `Ms ${p.forename} ${p.surname}` }).waitFor();
        await expectAccessible(page);
      }
    }
    // The third is refused: the error summary says why, and the input is kept.
    const summary = page.locator('.govuk-error-summary');
    await expect(summary.textContent()).resolves.toContain('An authority can have no more than two link officers');
    await expect(page.getByLabel('Forename').inputValue()).resolves.toBe('Cass');
    await expectAccessible(page);
    const rows = await h.db.kysely
      .selectFrom('link_officers')
      .select('forename')
      .where('authority_id', '=', authorityId)
      .execute();
    expect(rows.map((r) => r.forename).sort()).toEqual(['Amara', 'Bryn']);
    await context.close();
  });

  it('a link officer asks to be replaced in the portal, staff approve, and the old officer is gone', async () => {
    const authorityId = await createAuthority(h.db, { name: 'Bexcombe Borough Council' });
    const leaving = { forename: 'Perpetua', surname: 'Gallowglass', email: 'perpetua.gallowglass@bexcombe.example' };
    const lead = {
      type: 'user' as const,
      id: crypto.randomUUID(),
      roles: ['relationship-lead' as const],
      authorityId: null,
    };
    await h.services.linkOfficers.addOfficer(lead, authorityId, {
      title: 'Mrs',
      ...leaving,
      jobTitle: 'Link officer',
      correspondenceEmail: null,
      phone: '+447911654987',
    });
    const portal = await signedInPage('link-officer', {
      authorityId,
      email: leaving.email,
      displayName: 'Perpetua Gallowglass',
    });
    // The officer's account is linked when the record matches it; link it as the staff page would.
    await h.db.kysely
      .updateTable('link_officers')
      .set({ user_id: portal.user.id })
      .where('email', '=', leaving.email)
      .execute();

    await portal.page.goto('/portal');
    await openArea(portal.page, 'Link officers');
    await expect(portal.page.locator('h1').textContent()).resolves.toBe('Link officers');
    await expectAccessible(portal.page);
    await portal.page.getByRole('button', { name: 'Ask for a change of link officer' }).click();
    await expectAccessible(portal.page);
    await portal.page.getByLabel('Replace Mrs Perpetua Gallowglass').check();
    await fillOfficer(portal.page, {
      forename: 'Tobias',
      surname: 'Newcombe',
      email: 'tobias.newcombe@bexcombe.example',
      phone: '020 7946 0123',
    });
    await clickThrough(portal.page.getByRole('button', { name: 'Send' }));
    await expect(portal.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'sent to the ombudsman’s relationship team',
    );
    await expectAccessible(portal.page);

    const staff = await signedInPage('relationship-lead');
    await staff.page.goto('/staff');
    await openArea(staff.page, 'Link officer changes');
    await expectAccessible(staff.page);
    await staff.page.getByRole('link', { name: 'Bexcombe Borough Council' }).click();
    // Read the request's own page, not the list it was opened from.
    await staff.page.waitForURL(/\/staff\/link-officer-changes\/[0-9a-f-]{36}$/);
    await expect(staff.page.locator('body').textContent()).resolves.toContain('Tobias Newcombe');
    await expectAccessible(staff.page);
    await clickThrough(staff.page.getByRole('button', { name: 'Approve and make the change' }));
    await expect(staff.page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'The change has been made',
    );
    await expectAccessible(staff.page);

    // The old officer's session has ended and they cannot sign in again.
    await portal.page.goto('/portal');
    expect(portal.page.url()).toContain('/sign-in');
    await portal.page.getByLabel('Email address').fill(leaving.email);
    await portal.page.getByLabel('Password', { exact: true }).fill(portal.user.password);
    await clickThrough(portal.page.getByRole('button', { name: 'Sign in' }));
    await expect(portal.page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Enter a correct email address and password',
    );
    await expectAccessible(portal.page);

    const dump = (await dumpAllTables(h.db)).toLowerCase();
    for (const value of ['Perpetua', 'Gallowglass', '7911654987']) expect(dump).not.toContain(value.toLowerCase());
    const { officers } = await h.services.linkOfficers.officers(lead, authorityId);
    expect(officers.map((o) => o.name)).toEqual(['Ms Tobias Newcombe']);
    await portal.context.close();
    await staff.context.close();
  });

  it('a link officer adds a delegate who covers their absence', async () => {
    const authorityId = await createAuthority(h.db, { name: 'Cottersby County Council' });
    const lead = {
      type: 'user' as const,
      id: crypto.randomUUID(),
      roles: ['relationship-lead' as const],
      authorityId: null,
    };
    await h.services.linkOfficers.addOfficer(lead, authorityId, {
      title: 'Mr',
      forename: 'Hal',
      surname: 'Away',
      jobTitle: 'Link officer',
      email: 'hal.away@cottersby.example',
      correspondenceEmail: null,
      phone: '+442079460958',
    });
    const { page, context } = await signedInPage('link-officer', { authorityId });
    await page.goto('/portal/delegates');
    await expectAccessible(page);
    await page.getByLabel('Full name').fill('Delia Cover');
    await page.getByLabel('Email address').fill('delia.cover@cottersby.example');
    await clickThrough(page.getByRole('button', { name: 'Invite delegate' }));
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'Delia Cover has been invited',
    );
    await expect(page.locator('table').textContent()).resolves.toContain('delia.cover@cottersby.example');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Absence cover' }).click();
    await expectAccessible(page);
    const today = londonDate(new Date());
    const [year, month, day] = today.split('-');
    await page.getByLabel('Mr Hal Away').check();
    for (const prefix of ['starts', 'ends']) {
      await page.locator(`#${prefix}-day`).fill(String(Number(day)));
      await page.locator(`#${prefix}-month`).fill(String(Number(month)));
      await page.locator(`#${prefix}-year`).fill(year ?? '');
    }
    await page.getByLabel('Who covers?').selectOption({ label: 'Delia Cover (delegate)' });
    await clickThrough(page.getByRole('button', { name: 'Record cover' }));
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'The absence cover has been recorded',
    );
    await expect(page.locator('table').textContent()).resolves.toContain('Delia Cover');
    await expectAccessible(page);

    const recipients = await h.services.linkOfficers.correspondenceRecipients(authorityId, today);
    expect(recipients).toEqual([expect.objectContaining({ email: 'delia.cover@cottersby.example', as: 'cover' })]);
    await context.close();
  });

  it('the public change form is accessible, with its errors', async () => {
    await createAuthority(h.db, { name: 'Dunmere Unitary Council' });
    const { page, context } = await h.newPage();
    await page.goto('/link-officer-change');
    await expectAccessible(page);
    await clickThrough(page.getByRole('button', { name: 'Send' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Enter your name');
    await expectAccessible(page);
    // The authority is found by searching, and offered to choose.
    await page.getByLabel('Find the authority').fill('dunm');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByLabel('Dunmere Unitary Council').isChecked()).resolves.toBe(false);
    await expectAccessible(page);
    await context.close();
  });
});
