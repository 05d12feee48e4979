import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { complaintInput, createAuthority, createSession, createUser } from '../support/factories.ts';
import { dispatchCorrespondence } from '../integration/enquiries.fixtures.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h.closeAll();
});

/** A London calendar date some days ago, as day, month and year. */
function daysAgo(n: number) {
  const d = new Date(Date.now() - n * 86_400_000);
  return {
    day: String(d.getUTCDate()),
    month: String(d.getUTCMonth() + 1),
    year: String(d.getUTCFullYear()),
    iso: d.toISOString().slice(0, 10),
  };
}

describe('complaints in Chromium', () => {
  it('a member of the public answers every question, checks the answers and gets a reference and an acknowledgement', async () => {
    await createAuthority(h.db, { name: 'Kestrelford City Council' });
    const { page } = await h.newPage();
    await page.goto('/complain');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Start now' }).click();

    await page.getByLabel('Which council or care provider is your complaint about?').fill('kestrel');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectAccessible(page);
    await page.getByLabel('Kestrelford City Council').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await page.getByLabel('Housing').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await page.getByLabel('Yes, I have had their final response').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    const response = daysAgo(20);
    await expectAccessible(page);
    await page.getByLabel('Day').fill(response.day);
    await page.getByLabel('Month').fill(response.month);
    await page.getByLabel('Year').fill(response.year);
    await page.getByRole('button', { name: 'Continue' }).click();

    const aware = daysAgo(90);
    await expectAccessible(page);
    await page.getByLabel('Day').fill(aware.day);
    await page.getByLabel('Month').fill(aware.month);
    await page.getByLabel('Year').fill(aware.year);
    await page.getByRole('button', { name: 'Continue' }).click();

    for (const answer of [
      'The council left us without heating all winter.',
      'My children were cold and ill.',
      'Repairs and an apology.',
    ]) {
      await expectAccessible(page);
      await page.locator('textarea').fill(answer);
      await page.getByRole('button', { name: 'Continue' }).click();
    }

    await expectAccessible(page);
    await page.getByLabel('None of these').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await page.getByLabel('No, for myself').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await page.getByLabel('Full name').fill('Jordan Ellis');
    await page.getByLabel('Email address').fill('jordan.ellis@example.test');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await page.getByLabel('Yes, you can share my details').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await expectAccessible(page);
    await clickThrough(page.getByRole('button', { name: 'Continue' }));

    await expect(page.locator('h1').textContent()).resolves.toBe('Check your answers before sending your complaint');
    await expectAccessible(page);
    await expect(page.getByText('Kestrelford City Council').count()).resolves.toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Send complaint' }).click();

    await expectAccessible(page);
    const reference = (await page.locator('#reference').textContent()) ?? '';
    expect(reference).toMatch(/^\d\d \d{3} \d{3}$/);
    await dispatchCorrespondence(h.services);
    const mail = await h.db.kysely
      .selectFrom('outbox_messages')
      .select(['kind', 'subject'])
      .where('to_address', '=', 'jordan.ellis@example.test')
      .execute();
    expect(mail).toEqual([
      { kind: 'correspondence.acknowledgement', subject: expect.stringContaining(reference) as string },
    ]);
  });

  it('an intake officer closes a complaint as premature and the authority’s link officers are told', async () => {
    const authorityId = await createAuthority(h.db, { name: 'Marshbury District Council' });
    const lead = await createUser(h.services, { role: 'relationship-lead' });
    await h.services.linkOfficers.addOfficer(
      { type: 'user', id: lead.id, roles: ['relationship-lead'], authorityId: null },
      authorityId,
      {
        title: 'Mr',
        forename: 'Link',
        surname: 'Officer',
        jobTitle: 'Complaints lead',
        email: 'link.officer@marshbury.example',
        correspondenceEmail: null,
        phone: '+442079460123',
      },
    );
    const officer = await createUser(h.services, { role: 'intake-officer' });
    const actor = { type: 'user' as const, id: officer.id, roles: ['intake-officer' as const], authorityId: null };
    const created = await h.services.complaints.receive(
      actor,
      complaintInput(authorityId, {
        summary: 'Homelessness application not decided',
        authorityProcessFinished: false,
        authorityComplainedOn: daysAgo(10).iso,
        complainant: { email: 'robin.hale@example.test' },
      }),
    );
    const { context, page } = await h.newPage();
    await context.addCookies([{ name: SESSION_COOKIE, value: await createSession(h.db, officer.id), url: h.baseUrl }]);
    await page.goto('/staff/assessment');
    await expectAccessible(page);
    await page.getByRole('link', { name: created.reference }).click();
    await expectAccessible(page);
    await expect(page.locator('#rules').textContent()).resolves.toContain('Premature');
    await page.getByLabel('Close as premature and refer back to the authority').check();
    await page.getByLabel('Reason (needed when premature)').fill('Stage 2 not yet finished');
    await page.getByRole('button', { name: 'Record intake decision' }).click();
    await expectAccessible(page);
    await expect(page.locator('#case-status').textContent()).resolves.toContain('Closed');
    await page.getByRole('link', { name: 'Timeline' }).click();
    await expectAccessible(page);
    await expect(page.locator('#timeline').textContent()).resolves.toContain('Stage 2 not yet finished');
    // The case's correspondence shows the notice to the link officers, with where it went.
    await dispatchCorrespondence(h.services);
    await page.goto(`/staff/complaints/${created.id}/correspondence`);
    await expectAccessible(page);
    const notice = page.getByRole('region', {
      name: `Complaint ${created.reference} referred back to you as premature`,
    });
    await expect(notice.innerText()).resolves.toMatch(/to\s+the link officers/);
    await expect(notice.locator('tr[data-recipient]').count()).resolves.toBe(1);
    await expect(
      notice.locator('tr[data-recipient="link.officer@marshbury.example"]').textContent(),
    ).resolves.toContain('Link officer');
  });
});
