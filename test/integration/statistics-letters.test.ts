import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';
import { authorityWithOfficers } from './correspondence.fixtures.ts';
import { ApiCasework } from './statistics.fixtures.ts';

const clock = new FixedClock(new Date('2027-06-15T10:00:00Z'));
let t: TestApp;
let camden: { authorityId: string; domain: string; chiefExecutive: string };
let headless: string;
let lead: Actor;

const outbox = () =>
  t.db.kysely
    .selectFrom('outbox_messages as o')
    .leftJoin('outbox_attachments as a', 'a.outbox_message_id', 'o.id')
    .select(['o.to_address', 'o.subject', 'o.text_body', 'a.content', 'a.filename'])
    .where('o.kind', '=', 'annual-review-letter')
    .execute();

beforeAll(async () => {
  t = await createTestApp({ clock });
  const user = await createUser(t.services, { role: 'relationship-lead' });
  lead = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };
  camden = await authorityWithOfficers(t.db, { name: 'Camden Letters Council' });
  for (const [role, name] of [
    ['monitoring-officer', 'Morgan Monitor'],
    ['leader', 'Lee Leader'],
    ['scrutiny-chair', 'Sam Scrutiny'],
  ] as const)
    await t.db.kysely
      .insertInto('senior_officers')
      .values({ authority_id: camden.authorityId, role, name, job_title: name, email: `${role}@${camden.domain}` })
      .execute();
  headless = await createAuthority(t.db, { name: 'Headless District Council', kind: 'district' });
  const cases = new ApiCasework(t, clock, clock.now());
  for (let i = 0; i < 3; i++) {
    await cases.decided(camden.authorityId, {
      receivedAt: '2026-05-01T10:00:00Z',
      decidedOn: '2026-10-01',
      outcome: 'upheld-injustice',
    });
    await cases.decided(headless, {
      receivedAt: '2026-05-01T10:00:00Z',
      decidedOn: '2026-10-01',
      outcome: 'not-upheld',
    });
  }
  cases.done();
  await t.services.statistics.refresh(2026);
});

afterAll(async () => {
  await t.close();
});

describe('annual review letters', () => {
  it('names an unknown placeholder and makes nothing', async () => {
    const template = 'Dear {{chiefExecutive}}, your {{upheldRate}} and {{leagueTablePosition}}.';
    await expect(t.services.annualReview.startGeneration(lead, 2026, template, null)).rejects.toMatchObject({
      fields: [{ field: 'template', message: expect.stringContaining('{{leagueTablePosition}}') as string }],
    });
    expect(await t.db.kysely.selectFrom('annual_review_runs').selectAll().execute()).toEqual([]);
    expect(await t.db.kysely.selectFrom('annual_review_templates').selectAll().execute()).toEqual([]);
  });

  it('makes a letter per authority with its figures, and the lead edits one', async () => {
    const template = (await t.services.annualReview.template(lead, 2026)).replace(
      'Yours sincerely',
      'With best wishes',
    );
    const runId = await t.services.annualReview.startGeneration(lead, 2026, template, null);
    await t.services.annualReview.runGeneration(runId);
    const run = await t.services.annualReview.run(lead, runId);
    expect({ done: run.done, total: run.total, finished: run.finished_at !== null }).toEqual({
      done: 2,
      total: 2,
      finished: true,
    });
    const letters = await t.services.annualReview.letters(lead, 2026);
    expect(letters.map((l) => l.authority_name)).toEqual(['Camden Letters Council', 'Headless District Council']);
    const camdenLetter = letters[0];
    expect(camdenLetter?.body).toContain('Dear Chris Chief');
    expect(camdenLetter?.body).toContain('| Upheld | 3 |');
    expect(camdenLetter?.body).toContain('3 of 3 (too few for a percentage)');
    expect(camdenLetter?.body).toContain('With best wishes');
    await t.services.annualReview.editLetter(
      lead,
      camdenLetter?.id ?? '',
      `${camdenLetter?.body ?? ''}\n\nP.S. Thank you for your work this year.`,
    );
    const edited = await t.services.annualReview.letter(lead, camdenLetter?.id ?? '');
    expect(edited.html).toContain('Thank you for your work this year');
  });

  it('sends to the chief executive and in copy the others, lists an authority with no chief executive, and never sends twice', async () => {
    const runId = await t.services.annualReview.startSending(lead, 2026, { confirmResend: false, authorityIds: null });
    await t.services.annualReview.runSending(runId);
    const sent = await outbox();
    expect(sent.map((m) => m.to_address).sort()).toEqual(
      [
        camden.chiefExecutive,
        `officer1@${camden.domain}`,
        `officer2@${camden.domain}`,
        `monitoring-officer@${camden.domain}`,
        `leader@${camden.domain}`,
        `scrutiny-chair@${camden.domain}`,
      ].sort(),
    );
    const copy = sent.find((m) => m.to_address === `leader@${camden.domain}`);
    expect(copy?.text_body).toContain('We attach a copy of our annual review letter for 2026–27 to Chris Chief');
    const pdf = copy?.content ? Buffer.from(copy.content).toString('latin1') : '';
    expect(pdf.startsWith('%PDF-1.7')).toBe(true);
    expect(pdf).toContain('/StructTreeRoot');
    expect(pdf).toContain('/Lang (en-GB)');
    const run = await t.services.annualReview.run(lead, runId);
    expect(run.skipped).toEqual([
      {
        authorityId: headless,
        name: 'Headless District Council',
        reason: 'The directory has no chief executive for this authority',
      },
    ]);

    // The worker stopped before it recorded the end: the job runs again and sends nothing more.
    await t.db.kysely
      .updateTable('annual_review_runs')
      .set({ done: 0, finished_at: null })
      .where('id', '=', runId)
      .execute();
    await t.services.annualReview.runSending(runId);
    expect((await outbox()).length).toBe(6);

    // A second sending is refused unless confirmed…
    await expect(
      t.services.annualReview.startSending(lead, 2026, { confirmResend: false, authorityIds: null }),
    ).rejects.toThrow('sent already');
    expect(
      (await t.db.kysely.selectFrom('annual_review_runs').select('id').where('kind', '=', 'send').execute()).length,
    ).toBe(1);
    // …and sends every letter again when it is.
    const again = await t.services.annualReview.startSending(lead, 2026, { confirmResend: true, authorityIds: null });
    await t.services.annualReview.runSending(again);
    expect((await outbox()).length).toBe(12);
  });

  it('shows the sent letter on the performance page once the year is published, to the authority before', async () => {
    const pagePath = '/authorities/camden-letters-council/performance';
    const pdfPath = `${pagePath}/2026/letter.pdf`;
    const visitor = new TestClient(t.app);
    expect((await visitor.get(pdfPath)).statusCode).toBe(404);

    const officer = await createUser(t.services, { role: 'link-officer', authorityId: camden.authorityId });
    const own = new TestClient(t.app).withSession(await createSession(t.db, officer.id, clock.now()));
    expect((await own.get('/portal/performance?year=2026')).body).toContain(`href="${pdfPath}"`);
    expect((await own.get(pdfPath)).statusCode).toBe(200);

    await t.services.statistics.setPublication(lead, 2026, '2027-06-01');
    const page = await visitor.get(`${pagePath}?year=2026`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      `<a class="govuk-link" href="${pdfPath}">Our annual review letter to Camden Letters Council, 2026–27 (PDF)</a>`,
    );
    const pdf = await visitor.get(pdfPath);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');

    // No letter went to the authority without a chief executive: no link, and its address is not found.
    const headlessPage = await visitor.get('/authorities/headless-district-council/performance?year=2026');
    expect(headlessPage.statusCode).toBe(200);
    expect(headlessPage.body).not.toContain('letter.pdf');
    expect((await visitor.get('/authorities/headless-district-council/performance/2026/letter.pdf')).statusCode).toBe(
      404,
    );
    // A year with no figures says so.
    expect((await visitor.get(`${pagePath}/2031/letter.pdf`)).body).toContain('2031–32 has not started yet');
  });

  it('refuses the letters to anyone but the relationship lead and administrators', async () => {
    const investigator: Actor = { type: 'user', id: lead.id, roles: ['investigator'], authorityId: null };
    await expect(t.services.annualReview.letters(investigator, 2026)).rejects.toThrow('permission');
  });
});
