import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
  submit,
} from '../support/browser.ts';
import { createAuthority, createUser } from '../support/factories.ts';
import { createComplaint } from '../integration/enquiries.fixtures.ts';

// Monday 1 March 2027.
const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ clock });
});
afterAll(async () => {
  await h.closeAll();
});

async function fillDate(form: Locator, date: string) {
  const [y, m, d] = date.split('-');
  await form.getByLabel('Day', { exact: true }).fill(String(Number(d)));
  await form.getByLabel('Month', { exact: true }).fill(String(Number(m)));
  await form.getByLabel('Year', { exact: true }).fill(y ?? '');
}

/** An export of 30 complaints; the first is Robin Hale's housing complaint. */
function exportFile(): Buffer {
  const lines = ['reference,received_on,service_area,complainant_name,complainant_email,summary,handler'];
  lines.push('LOC-001,04/01/2027,Housing,Robin Hale,robin@example.com,Damp in the flat not repaired,Ann Smith');
  for (let i = 2; i <= 30; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `LOC-${String(i).padStart(3, '0')},2027-02-${day},${i % 2 ? 'Planning' : 'Housing'},Person ${i},,Complaint ${i},Ann Smith`,
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
}

describe('local complaints in Chromium', () => {
  it('imports a log, takes one complaint through both stages, and follows it to the ombudsman’s final decision', async () => {
    const authorityId = await createAuthority(h.db, { name: 'London Borough of Testham', kind: 'london-borough' });
    const lo = await h.pageAs('link-officer', authorityId, 'Lara Link');
    const page = lo.page;

    // The link officer imports the export: a dry run first, then the import.
    await page.goto('/portal');
    await openArea(page, 'Your complaints log');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Import complaints from a CSV file' }).click();
    await expectAccessible(page);
    await page
      .getByLabel('Upload a CSV file')
      .setInputFiles({ name: 'export.csv', mimeType: 'text/csv', buffer: exportFile() });
    await submit(page, 'Check the file');
    await expect(page.locator('h1').textContent()).resolves.toBe('Check what the import will do');
    await expect(page.locator('#to-create').textContent()).resolves.toBe('30');
    await expectAccessible(page);
    await submit(page, 'Import 30 complaints');
    const importId = page.url().split('/').pop() ?? '';
    await h.services.localComplaints.importFinished(importId);
    await page.goto(`/portal/local-complaints/imports/${importId}`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Complaints imported');
    await expectAccessible(page);

    // The log, filtered to one reference.
    await page.goto('/portal/local-complaints');
    expect(await page.locator('tbody tr').count()).toBe(30);
    await page.getByLabel('Reference').fill('LOC-001');
    await submit(page, 'Filter');
    await expectAccessible(page);
    await clickThrough(page.getByRole('link', { name: 'LOC-001' }));
    await expect(page.locator('h1').textContent()).resolves.toContain('Complaint LOC-001');
    await expect(page.locator('body').textContent()).resolves.toContain('not counted');
    await expectAccessible(page);

    // Stage 1: acknowledged, extended once, answered.
    await fillDate(page.locator('#acknowledge'), '2027-01-06');
    await submit(page.locator('#acknowledge'), 'Record the acknowledgement');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(
      'acknowledgement is recorded',
    );
    const extend = page.locator('#extend');
    await fillDate(extend, '2027-01-15');
    await extend.getByLabel('Extra working days').fill('12');
    await extend.getByLabel('Reason').fill('Waiting for the surveyor’s report');
    await extend.getByLabel('The complainant was told of the extension and why').check();
    await submit(extend, 'Record the extension');
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('at most 10 working days');
    await expectAccessible(page);
    await page.locator('#extend').getByLabel('Extra working days').fill('10');
    await page.locator('#extend').getByLabel('The complainant was told of the extension and why').check();
    await submit(page.locator('#extend'), 'Record the extension');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('extension is recorded');
    const respond = page.locator('#respond');
    await fillDate(respond, '2027-01-29');
    await respond.getByLabel('Not upheld').check();
    await respond.getByLabel('Yes').check();
    await submit(respond, 'Record the response');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('response is recorded');

    // Stage 2 must go to a different person.
    const escalate = page.locator('#escalate');
    await fillDate(escalate, '2027-02-01');
    await escalate.getByLabel('Handler for stage 2').fill('Ann Smith');
    await submit(escalate, 'Move to stage 2');
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('must be a different person');
    await expectAccessible(page);
    await fillDate(page.locator('#escalate'), '2027-02-01');
    await page.locator('#escalate').getByLabel('Handler for stage 2').fill('Bo Jones');
    await submit(page.locator('#escalate'), 'Move to stage 2');
    await expect(page.locator('#stage-2').textContent()).resolves.toBe('Stage 2');
    await fillDate(page.locator('#acknowledge'), '2027-02-02');
    await submit(page.locator('#acknowledge'), 'Record the acknowledgement');
    await fillDate(page.locator('#respond'), '2027-02-26');
    await page.locator('#respond').getByLabel('Not upheld').check();
    await page.locator('#respond').getByLabel('Yes').check();
    await submit(page.locator('#respond'), 'Record the response');
    await expect(page.locator('body').textContent()).resolves.toContain('Stage 2 response sent 26 February 2027');
    await expectAccessible(page);

    // Robin Hale complains to the ombudsman; intake sees the local record, links it and sees its stage dates.
    const complaint = await createComplaint(h.db, authorityId);
    await h.db.kysely
      .insertInto('complaint_parties')
      .values({
        complaint_id: complaint.id,
        authority_id: authorityId,
        role: 'complainant',
        name: 'Robin Hale',
        email: 'robin@example.com',
        phone: null,
        address: null,
        communication_needs: null,
        relationship: null,
      })
      .execute();
    const intake = await h.pageAs('intake-officer', null, 'Ina Intake');
    await intake.page.goto(`/staff/complaints/${complaint.id}`);
    await clickThrough(intake.page.getByRole('link', { name: 'Local record' }));
    await expectAccessible(intake.page);
    await expect(intake.page.locator('table').first().textContent()).resolves.toContain('LOC-001');
    await expect(intake.page.locator('body').textContent()).resolves.not.toContain('LOC-002');
    await intake.page.getByLabel('Link LOC-001').check();
    await submit(intake.page, 'Link the chosen record');
    await expect(intake.page.locator('#local-finding').textContent()).resolves.toContain(
      'Stage 2 response sent 26 February 2027: the authority’s process has finished.',
    );
    await expectAccessible(intake.page);

    // The ombudsman's final decision.
    const investigatorUser = await createUser(h.services, { role: 'investigator', displayName: 'Ivy Investigator' });
    const investigator: Actor = { type: 'user', id: investigatorUser.id, roles: ['investigator'], authorityId: null };
    await h.services.decisions.issueDraft(investigator, complaint.id, {
      sections: {
        complaint: 'The council did not repair damp.',
        findings: 'The council answered within its process.',
        proposedRemedy: 'None.',
        decision: 'We do not uphold the complaint.',
      },
      remedies: [],
    });
    await h.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'We do not uphold the complaint.',
      earlyConfirmed: true,
      earlyReason: 'Both parties agreed with the draft.',
    });

    // The link officer follows it on one timeline, from the council's receipt to the final decision.
    await page.goto(`/portal/complaints/${complaint.id}/timeline`);
    await expectAccessible(page);
    const timeline = (await page.locator('main').textContent()) ?? '';
    expect(timeline).toContain('Stage 1 received by the authority');
    expect(timeline).toContain('Stage 2 response sent by the authority');
    expect(timeline.toLowerCase()).toContain('final decision');

    // The dashboard counts it; the self-assessment draft downloads as PDF.
    await page.goto('/portal/local-complaints/oversight?year=2026');
    await expect(page.locator('#total-received').textContent()).resolves.toBe('30');
    await expect(page.locator('#total-escalated').textContent()).resolves.toBe('1');
    await expect(page.locator('#total-ombudsman').textContent()).resolves.toContain('1 (0 upheld, 1 not upheld');
    await expectAccessible(page);
    await page.goto('/portal/local-complaints/self-assessment?year=2026');
    await expectAccessible(page);
    await page.getByLabel('Definition of a complaint and exclusions').fill('We use the Code’s definition.');
    await submit(page, 'Save the draft');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('draft is saved');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the draft as PDF' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('complaints-self-assessment-2026.pdf');
  }, 600_000);
});
