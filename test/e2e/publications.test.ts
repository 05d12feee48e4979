import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import {
  type BrowserHarness,
  clickThrough,
  expectAccessible,
  openArea,
  startBrowserHarness,
} from '../support/browser.ts';

// Monday 1 March 2027, 10:00 in London.
const clock = new FixedClock(new Date('2027-03-01T10:00:00Z'));
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ clock });
});
afterAll(async () => {
  await h.closeAll();
});

const TITLE = 'Left waiting: complaints about adaptations for disabled people';
const SLUG = '/publications/left-waiting-complaints-about-adaptations-for-disabled-people';

describe('publications in Chromium', () => {
  it('a focus report goes from draft to preview, schedule, publication, correction and withdrawal', async () => {
    const { page: lead } = await h.pageAs('relationship-lead', null, 'Farid Haddad');
    const { page: visitor } = await h.newPage();

    // The relationship lead drafts a focus report with questions for councillors.
    await lead.goto('/staff');
    await openArea(lead, 'Publications');
    await expectAccessible(lead);
    await clickThrough(lead.getByRole('button', { name: 'New publication' }));
    await clickThrough(lead.getByRole('button', { name: 'Save draft' }));
    await expect(lead.locator('.govuk-error-summary').textContent()).resolves.toContain('Enter a title');
    await expectAccessible(lead);
    await lead.getByLabel('Focus report').check();
    await lead.getByLabel('Title', { exact: true }).fill(TITLE);
    await lead.getByLabel('Summary').fill('Why people wait too long for the adaptations that let them live at home.');
    await lead
      .getByLabel('Text', { exact: true })
      .fill(
        '## What we found\n\nMost complaints were about delays in assessing people.\n\n' +
          '## Why it matters\n\nPeople could not wash or use the stairs.\n\n## What councils should do\n\nSet targets.\n\n' +
          '<script>alert("x")</script>[a link](javascript:alert(1))',
      );
    await lead.getByLabel('Housing', { exact: true }).check();
    await lead
      .getByLabel('Questions for councillors (optional)')
      .fill('How long do people wait for an assessment?\nWho checks the contractors?');
    await clickThrough(lead.getByRole('button', { name: 'Save draft' }));
    await expect(lead.locator('.govuk-notification-banner').textContent()).resolves.toContain('The draft is saved');
    await expectAccessible(lead);

    // A draft is nowhere to be seen by the public.
    expect((await visitor.goto(SLUG))?.status()).toBe(404);

    // Preview, exactly as the public will see it.
    await lead.getByRole('link', { name: `Preview ${TITLE}` }).click();
    // The click starts the preview loading: wait for it before reading it.
    await lead.getByRole('navigation', { name: 'Contents' }).waitFor();
    await expect(lead.getByRole('heading', { name: 'Questions for councillors' }).isVisible()).resolves.toBe(true);
    await expect(lead.getByRole('navigation', { name: 'Contents' }).isVisible()).resolves.toBe(true);
    await expect(lead.locator('main script, main a[href^="javascript"]').count()).resolves.toBe(0);
    await expect(lead.content()).resolves.not.toContain('<script>alert');
    await expectAccessible(lead);
    await lead.getByRole('link', { name: 'Back to the publication' }).click();

    // Scheduled for tomorrow morning, still hidden.
    await lead.getByLabel('Day', { exact: true }).fill('2');
    await lead.getByLabel('Month', { exact: true }).fill('3');
    await lead.getByLabel('Year', { exact: true }).fill('2027');
    await lead.getByLabel('Time (UK time)').fill('9am');
    await clickThrough(lead.getByRole('button', { name: 'Schedule' }));
    await expect(lead.locator('.govuk-summary-list').textContent()).resolves.toContain('2 March 2027, 9am');
    await expectAccessible(lead);
    expect((await visitor.goto(SLUG))?.status()).toBe(404);

    // Then published at once.
    await clickThrough(lead.getByRole('button', { name: 'Publish now' }));
    await expect(lead.locator('.govuk-notification-banner').textContent()).resolves.toContain('It is published');

    // A visitor finds it by a stemmed word, reads it, and sees it in the feed.
    await visitor.goto('/');
    await visitor.getByRole('link', { name: 'Read our focus reports, guidance and other publications' }).click();
    await expectAccessible(visitor);
    await visitor.getByLabel('Search publications').fill('complaining');
    await clickThrough(visitor.getByRole('button', { name: 'Search' }));
    await expect(visitor.locator('mark').first().textContent()).resolves.toMatch(/complaint/i);
    await expectAccessible(visitor);
    await visitor.getByRole('link', { name: TITLE }).click();
    await expect(visitor.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(TITLE);
    await expect(visitor.getByText('Who checks the contractors?').isVisible()).resolves.toBe(true);
    await expectAccessible(visitor);
    const feed = await visitor.request.get('/publications.atom');
    expect(await feed.text()).toContain(`<title type="html"><![CDATA[${TITLE}]]></title>`);

    // A correction shows its note; the old version stays for staff.
    clock.set(new Date('2027-03-08T14:00:00Z'));
    const { page: editor } = await h.pageAs('relationship-lead', null, 'Farid Haddad');
    await editor.goto('/staff/publications');
    await editor.getByRole('link', { name: TITLE }).click();
    await editor.getByRole('link', { name: 'Correct it' }).click();
    await expectAccessible(editor);
    const body = editor.getByLabel('Text', { exact: true });
    await body.fill((await body.inputValue()).replace('Set targets.', 'Set and publish targets.'));
    await editor.getByLabel('Correction note').fill('We added that targets should be published.');
    await editor.getByRole('button', { name: 'Publish the correction' }).click();
    await visitor.goto(SLUG);
    await expect(visitor.locator('#corrections').textContent()).resolves.toContain(
      'We added that targets should be published.',
    );
    await expect(visitor.locator('#corrections').textContent()).resolves.toContain('8 March 2027');
    await expectAccessible(visitor);
    await editor.getByRole('link', { name: 'Version 1, before this correction' }).click();
    await expect(editor.content()).resolves.toContain('Set targets.');
    await expectAccessible(editor);
    expect((await visitor.goto(editor.url()))?.status()).toBe(404);

    // Withdrawn: the address answers 410 with the notice.
    await editor.getByRole('link', { name: 'Back to the publication' }).click();
    await editor.getByRole('link', { name: 'Withdraw it' }).click();
    await expectAccessible(editor);
    await editor.getByLabel('Notice').fill('Replaced by our 2028 report on adaptations.');
    await editor.getByRole('button', { name: 'Withdraw it' }).click();
    const gone = await visitor.goto(SLUG);
    expect(gone?.status()).toBe(410);
    await expect(visitor.getByText('Replaced by our 2028 report on adaptations.').isVisible()).resolves.toBe(true);
    await expectAccessible(visitor);
  });

  it('the page for link officers is public, and the relationship lead keeps its text', async () => {
    const { page: visitor } = await h.newPage();
    await visitor.goto('/');
    await visitor.getByRole('link', { name: 'Information for link officers' }).first().click();
    await expect(visitor.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Information for link officers',
    );
    await expectAccessible(visitor);
    const { page: lead } = await h.pageAs('relationship-lead', null, 'Farid Haddad');
    await lead.goto('/staff');
    await openArea(lead, 'Information for link officers');
    await expectAccessible(lead);
    const text = lead.getByLabel('Text', { exact: true });
    await text.fill(`${await text.inputValue()}\n\n## Conference\n\nOur link officer conference is in May.`);
    await lead.getByRole('button', { name: 'Save and publish' }).click();
    await visitor.goto('/link-officers');
    await expect(visitor.getByRole('heading', { name: 'Conference' }).isVisible()).resolves.toBe(true);
    await expectAccessible(visitor);
  });
});
