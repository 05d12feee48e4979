import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { type BrowserHarness, clickThrough, expectAccessible, startBrowserHarness } from '../support/browser.ts';
import { createSession, createUser } from '../support/factories.ts';

let h: BrowserHarness;
let sessionToken: string;

const HEADER =
  'name,kind,reference,address,region,generic_inbox,chief_executive_title,chief_executive_name,chief_executive_job_title,chief_executive_email,monitoring_officer_title,monitoring_officer_name,monitoring_officer_job_title,monitoring_officer_email';

beforeAll(async () => {
  h = await startBrowserHarness();
  const lead = await createUser(h.services, { role: 'relationship-lead', displayName: 'Rita Lead' });
  sessionToken = await createSession(h.db, lead.id);
  const actor: Actor = { type: 'user', id: lead.id, roles: ['relationship-lead'], authorityId: null };
  const seed = [
    { name: 'Northshire County Council', kind: 'county' as const, region: 'North West' as const },
    { name: 'Northtown District Council', kind: 'district' as const, region: 'North West' as const },
    { name: 'Southborough Council', kind: 'london-borough' as const, region: 'London' as const },
  ];
  for (const [i, s] of seed.entries()) {
    await h.services.authorities.create(actor, {
      ...s,
      reference: `E0${i}`,
      address: null,
      genericInbox: null,
      chiefExecutive: { title: null, name: `Chief ${i}`, jobTitle: 'Chief Executive', email: `chief${i}@example.org` },
      monitoringOfficer: null,
    });
  }
});
afterAll(async () => {
  await h.services.authorities.idle();
  await h.closeAll();
});

async function signedInPage() {
  const { page, context } = await h.newPage();
  const url = new URL(h.baseUrl);
  await context.addCookies([
    { name: SESSION_COOKIE, value: sessionToken, domain: url.hostname, path: '/', httpOnly: true },
  ]);
  return { page, context };
}

describe('the authority directory in Chromium', () => {
  it('lets a relationship lead search, filter, and add an authority after correcting an error', async () => {
    const { page, context } = await signedInPage();
    await page.goto('/staff/authorities');
    await expect(page.locator('h1').textContent()).resolves.toBe('Authorities');
    await expectAccessible(page);

    await page.getByLabel('Name or reference').fill('north');
    await page.getByLabel('Kind').selectOption('county');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.locator('#results').textContent()).resolves.toMatch(/1 authority/);
    await expect(page.getByRole('link', { name: 'Northshire County Council' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Northtown District Council' }).count()).resolves.toBe(0);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Add an authority' }).click();
    await expectAccessible(page);
    await page.getByLabel('Name', { exact: true }).fill('Westvale Borough Council');
    await page.getByLabel('Kind').selectOption('metropolitan');
    await page.locator('#ceName').fill('Wendy West');
    await page.locator('#ceJobTitle').fill('Chief Executive');
    await page.locator('#ceEmail').fill('wendy at westvale');
    await clickThrough(page.getByRole('button', { name: 'Save' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain(
      'Enter the chief executive’s email address in the correct format',
    );
    await expect(page.locator('#ceName').inputValue()).resolves.toBe('Wendy West');
    await expectAccessible(page);

    await page.locator('#ceEmail').fill('wendy@westvale.example');
    await clickThrough(page.getByRole('button', { name: 'Save' }));
    await expect(page.locator('h1').textContent()).resolves.toContain('Westvale Borough Council');
    await expect(page.getByText('Wendy West').count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page);

    // Closing asks first, then the page says closed and offers to reopen.
    await clickThrough(page.getByRole('button', { name: 'Close this authority' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Close Westvale Borough Council?');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Close this authority' }).click();
    // The click starts the next page loading: wait for it before counting.
    await page.getByRole('button', { name: 'Reopen this authority' }).waitFor();
    await expect(page.getByRole('button', { name: 'Reopen this authority' }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await context.close();
  });

  it('imports a large CSV file with a progress bar, and rejects a bad file with its row errors', async () => {
    const { page, context } = await signedInPage();
    await page.goto('/staff/authorities/import');
    await expectAccessible(page);

    const rows = Array.from(
      { length: 8000 },
      (_, i) =>
        `Brightcare Home ${i},care-provider,1-BRIGHT${i},"${i} Sea Road",South East,,,Manager ${i},Registered Manager,manager${i}@brightcare.example,,,,`,
    );
    await page.getByLabel('Upload a CSV file').setInputFiles({
      name: 'care-providers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER}\n${rows.join('\n')}\n`, 'utf8'),
    });
    await page.getByRole('button', { name: 'Import authorities' }).click();
    expect(page.url()).toMatch(/\/staff\/authorities\/import\/[0-9a-f-]{36}/);
    if ((await page.locator('progress#import-progress').count()) > 0) await expectAccessible(page);
    // The page reloads itself until the import has finished.
    await page.getByRole('heading', { name: 'Authorities imported' }).waitFor({ timeout: 45_000 });
    await expect(page.locator('.govuk-panel').textContent()).resolves.toContain('8,000 added');
    await expectAccessible(page);

    // While an import runs, its page shows a labelled progress bar with the percentage in words.
    const running = await h.db.kysely
      .insertInto('authority_imports')
      .values({
        file_name: 'running.csv',
        total_rows: 200,
        processed_rows: 80,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await page.goto(`/staff/authorities/import/${running.id}?auto=off`);
    await expect(page.getByLabel('Rows checked').getAttribute('value')).resolves.toBe('40');
    await expect(page.locator('#import-progress-text').textContent()).resolves.toContain(
      '40% (80 of 200 rows checked)',
    );
    await expectAccessible(page);

    // A file without a required column is refused at once.
    await page.goto('/staff/authorities/import');
    await page.getByLabel('Upload a CSV file').setInputFiles({
      name: 'no-region.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER.replace(',region', '')}\n`, 'utf8'),
    });
    await clickThrough(page.getByRole('button', { name: 'Import authorities' }));
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('missing the column region');
    await expectAccessible(page);

    // A file with bad rows imports nothing and lists each problem.
    const bad = [
      `Goodcare Home,care-provider,1-GOOD,,,,,Gina Good,Manager,gina@goodcare.example,,,,`,
      `Badcare Home,care-provider,1-BAD,,,,,Bob Bad,Manager,not-an-email,,,,`,
    ];
    await page.getByLabel('Upload a CSV file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER}\n${bad.join('\n')}\n`, 'utf8'),
    });
    await page.getByRole('button', { name: 'Import authorities' }).click();
    await page.getByRole('heading', { name: 'Your file was not imported' }).waitFor({ timeout: 30_000 });
    const table = page.locator('table');
    await expect(table.textContent()).resolves.toContain('chief_executive_email');
    await expect(table.locator('tbody tr').first().locator('td').first().textContent()).resolves.toBe('3');
    await expectAccessible(page);

    await page.goto('/staff/authorities?q=goodcare');
    await expect(page.locator('#results').textContent()).resolves.toMatch(/0 authorities/);
    await expectAccessible(page);
    await context.close();
  });
});
