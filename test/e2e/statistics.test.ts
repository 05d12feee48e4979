import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { type BrowserHarness, expectAccessible, startBrowserHarness, submit } from '../support/browser.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { authorityWithOfficers } from '../integration/correspondence.fixtures.ts';
import { ApiCasework } from '../integration/statistics.fixtures.ts';

const clock = new FixedClock(new Date('2027-06-15T09:00:00Z'));
let h: BrowserHarness;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startBrowserHarness({ clock, env: { SMTP_URL: sink.url } });
});
afterAll(async () => {
  h.services.mailSender.close();
  await h.closeAll();
  await sink.close();
});

describe('performance statistics in Chromium', () => {
  it('publishes a council’s year, shows it with its charts’ tables and CSV, and sends the annual review letters', async () => {
    const camden = await authorityWithOfficers(h.db, { name: 'Camden Performance Council' });
    await h.db.kysely
      .insertInto('senior_officers')
      .values([
        {
          authority_id: camden.authorityId,
          role: 'monitoring-officer',
          name: 'Morgan Monitor',
          job_title: 'Monitoring Officer',
          email: `mo@${camden.domain}`,
        },
        {
          authority_id: camden.authorityId,
          role: 'leader',
          name: 'Lee Leader',
          job_title: 'Leader',
          email: `leader@${camden.domain}`,
        },
        {
          authority_id: camden.authorityId,
          role: 'scrutiny-chair',
          name: 'Sam Scrutiny',
          job_title: 'Chair of scrutiny',
          email: `scrutiny@${camden.domain}`,
        },
      ])
      .execute();
    // The casework: four complaints investigated and decided through the API, three of them upheld.
    const cases = new ApiCasework(h, clock, clock.now());
    for (let i = 0; i < 4; i++)
      await cases.decided(camden.authorityId, {
        receivedAt: '2026-05-01T10:00:00Z',
        decidedOn: '2026-10-01',
        outcome: i < 3 ? 'upheld-injustice' : 'not-upheld',
      });
    cases.done();
    await h.services.statistics.refresh(2026);

    // The relationship lead publishes the year from 1 June 2027.
    const lead = await h.pageAs('relationship-lead', null, 'Rita Lead');
    await lead.page.goto('/staff/statistics');
    await expectAccessible(lead.page);
    await lead.page.getByLabel('Day').fill('1');
    await lead.page.getByLabel('Month').fill('6');
    await lead.page.getByLabel('Year', { exact: true }).fill('2027');
    await submit(lead.page, 'Save the day for 2026–27');
    await expect
      .poll(() => lead.page.locator('.govuk-notification-banner').textContent())
      .toContain('published from that day');

    // A visitor finds the council and reads the charts' tables.
    const { page } = await h.newPage();
    await page.goto('/performance');
    await expectAccessible(page);
    await page.getByLabel('Find the authority').fill('Camden Perf');
    await submit(page, 'Search');
    await page.getByRole('link', { name: 'Camden Performance Council' }).click();
    await page.waitForLoadState();
    await expectAccessible(page);
    expect(await page.getByRole('img', { name: /Rates of Camden Performance Council/ }).count()).toBe(1);
    const rates = page.getByRole('table', { name: 'Rates' });
    const uphold = rates.getByRole('row', { name: /Uphold rate/ });
    await expect.poll(() => uphold.textContent()).toContain('3 of 4');
    expect(await uphold.textContent()).toContain('Too few for a percentage');
    const areas = page.getByRole('table', { name: 'Complaints received by service area' });
    expect(await areas.getByRole('row', { name: /Housing/ }).textContent()).toContain('4');

    // The CSV opens with the same figures.
    const csv = await page.request.get('/performance/2026/data.csv');
    const [header, ...rows] = (await csv.text()).trim().split('\n');
    const columns = (header ?? '').split(',');
    const row = rows.find((r) => r.startsWith(camden.authorityId))?.split(',') ?? [];
    expect([
      row[columns.indexOf('investigated')],
      row[columns.indexOf('upheld')],
      row[columns.indexOf('upheld_rate')],
    ]).toEqual(['4', '3', '']);

    // The lead makes the letters, edits one and sends them.
    await lead.page.goto('/staff/statistics/letters?year=2026');
    await expectAccessible(lead.page);
    await submit(lead.page, 'Make the letters');
    const generation = await h.db.kysely
      .selectFrom('annual_review_runs')
      .select('id')
      .where('kind', '=', 'generate')
      .executeTakeFirstOrThrow();
    await h.services.annualReview.runGeneration(generation.id);
    await lead.page.reload();
    await lead.page.getByRole('link', { name: 'Camden Performance Council' }).click();
    await lead.page.waitForLoadState();
    await expectAccessible(lead.page);
    const body = lead.page.getByLabel('Edit the letter (Markdown)');
    await body.fill(`${await body.inputValue()}\n\nThank you for a constructive year.`);
    await submit(lead.page, 'Save the letter');
    expect(await lead.page.locator('#preview').textContent()).toContain('Thank you for a constructive year.');
    await lead.page.getByRole('link', { name: 'Letters for 2026–27' }).click();
    await lead.page.waitForLoadState();
    await submit(lead.page, 'Send the letters');
    const sending = await h.db.kysely
      .selectFrom('annual_review_runs')
      .select('id')
      .where('kind', '=', 'send')
      .executeTakeFirstOrThrow();
    await h.services.annualReview.runSending(sending.id);
    await h.services.mailSender.sendDue();

    const letters = sink.messages.filter((m) => (m.parsed.subject ?? '').startsWith('Annual review letter 2026–27'));
    expect(letters.flatMap((m) => m.envelopeTo).sort()).toEqual(
      [
        camden.chiefExecutive,
        `officer1@${camden.domain}`,
        `officer2@${camden.domain}`,
        `mo@${camden.domain}`,
        `leader@${camden.domain}`,
        `scrutiny@${camden.domain}`,
      ].sort(),
    );
    for (const m of letters) expect(m.parsed.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);

    // The year is published: the visitor finds the sent letter on the council's page.
    await page.reload();
    await expectAccessible(page);
    const letterLink = page.getByRole('link', { name: /Our annual review letter to Camden Performance Council/ });
    const pdf = await page.request.get((await letterLink.getAttribute('href')) ?? '');
    expect(pdf.headers()['content-type']).toBe('application/pdf');

    // Sending again is refused unless confirmed.
    await lead.page.reload();
    await submit(lead.page, 'Send the letters');
    await expectAccessible(lead.page);
    expect(await lead.page.locator('.govuk-error-summary').textContent()).toContain(
      'Confirm that the letters should be sent again',
    );
  });
});
