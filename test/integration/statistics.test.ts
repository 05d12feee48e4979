import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { figuresFrom } from '../../src/modules/statistics/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';
import { ApiCasework, caseworkOf } from './statistics.fixtures.ts';

const clock = new FixedClock(new Date('2027-06-15T10:00:00Z'));
let t: TestApp;
let camden: string;
let hackney: string;
let kent: string;

async function clientAs(role: Role, authorityId?: string) {
  const user = await createUser(t.services, { role, authorityId: authorityId ?? null });
  return new TestClient(t.app).withSession(await createSession(t.db, user.id, clock.now()));
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  camden = await createAuthority(t.db, { name: 'London Borough of Camden', kind: 'london-borough' });
  hackney = await createAuthority(t.db, { name: 'London Borough of Hackney', kind: 'london-borough' });
  kent = await createAuthority(t.db, { name: 'Kent County Council', kind: 'county' });
  // A public report is addressed to the chief executive.
  await t.db.kysely
    .insertInto('senior_officers')
    .values({
      authority_id: camden,
      role: 'chief-executive',
      name: 'Chris Chief',
      job_title: 'Chief Executive',
      email: 'chief.executive@camden.example',
    })
    .execute();
  const cases = new ApiCasework(t, clock, clock.now());

  // 2025–26: two complaints, one of them at 23:30 on 31 March in London (still 2025–26).
  await cases.closedAtAssessment(camden, {
    receivedAt: '2025-06-01T10:00:00Z',
    closedAt: '2025-06-02T10:00:00Z',
    outcome: 'premature',
  });
  await cases.complaint(camden, { receivedAt: '2026-03-31T22:30:00Z' });
  // 2026–27: two not for us, the first received at 00:30 on 1 April in London (2026–27), and one assessed and closed.
  await cases.closedAtAssessment(camden, {
    receivedAt: '2026-03-31T23:30:00Z',
    serviceArea: 'planning',
    outcome: 'premature',
    closedAt: '2026-04-20T10:00:00Z',
  });
  await cases.closedAtAssessment(camden, {
    receivedAt: '2026-06-01T10:00:00Z',
    serviceArea: 'planning',
    outcome: 'out-of-jurisdiction',
    closedAt: '2026-06-20T10:00:00Z',
  });
  await cases.closedAtAssessment(camden, {
    receivedAt: '2026-06-01T10:00:00Z',
    outcome: 'not-investigate',
    closedAt: '2026-07-20T10:00:00Z',
  });
  // Twelve investigations: eight upheld by decision with eleven remedies between them, one upheld by a
  // public report, one put right by the authority already, two not upheld.
  const remedies: { id: string; dueDate: string | null }[] = [];
  for (let i = 0; i < 8; i++) {
    const due =
      i === 0 ? ['2026-11-02', '2026-11-02'] : i === 7 ? ['2026-11-02', '2026-11-02', '2027-02-01'] : ['2026-11-02'];
    const decided = await cases.decided(camden, {
      receivedAt: '2026-05-01T10:00:00Z',
      decidedOn: '2026-10-01',
      outcome: 'upheld-injustice',
      remediesDue: due,
    });
    remedies.push(...decided.remedies);
  }
  for (const outcome of ['remedied-by-authority', 'not-upheld', 'not-upheld'] as const)
    await cases.decided(camden, { receivedAt: '2026-05-01T10:00:00Z', decidedOn: '2026-10-01', outcome });
  await cases.publicReport(camden, { receivedAt: '2026-05-01T10:00:00Z', finalIssuedOn: '2026-11-11' });
  // Of the eleven remedies due, eight are complied with on time, one late, two not (one due in February).
  const dueInNovember = remedies.filter((r) => r.dueDate === '2026-11-02');
  expect(dueInNovember).toHaveLength(10);
  for (const [i, remedy] of dueInNovember.entries()) {
    if (i < 8) await cases.complied(camden, remedy.id, '2026-10-20');
    else if (i === 8) await cases.complied(camden, remedy.id, '2026-11-10');
  }
  // Hackney: four investigations, three upheld: too few for a rate.
  for (let i = 0; i < 4; i++)
    await cases.decided(hackney, {
      receivedAt: '2026-05-01T10:00:00Z',
      decidedOn: '2026-09-01',
      outcome: i < 3 ? 'upheld-no-injustice' : 'not-upheld',
    });
  cases.done();

  await t.services.statistics.refresh(2025);
  await t.services.statistics.refresh();
});

afterAll(async () => {
  await t.close();
});

const camdenPage = '/authorities/london-borough-of-camden/performance';

describe('working the figures out', () => {
  it('counts in SQL exactly what the definitions count over the same rows', async () => {
    for (const authority of [camden, hackney]) {
      const rows = await caseworkOf(t.db, authority);
      for (const year of [2025, 2026]) {
        const staff = {
          type: 'user' as const,
          id: authority,
          roles: ['relationship-lead' as const],
          authorityId: null,
        };
        const p = await t.services.statistics.authorityPerformance(staff, authority, year);
        expect(p.figures.counts).toEqual(figuresFrom(rows, year, '2027-06-15'));
      }
    }
  });

  it('gives Camden’s year as hand-counted', async () => {
    const staff = { type: 'user' as const, id: camden, roles: ['relationship-lead' as const], authorityId: null };
    const { figures } = await t.services.statistics.authorityPerformance(staff, camden, 2026);
    expect(figures.counts).toMatchObject({
      received: 15,
      receivedByArea: { housing: 13, planning: 2 },
      decided: 15,
      notForUs: 2,
      assessedAndClosed: 1,
      investigated: 12,
      upheld: 10,
      satisfactoryRemedy: 1,
      remediesDue: 11,
      remediesComplied: 9,
      remediesCompliedLate: 1,
      publicReports: 1,
    });
    expect(figures.similar).toMatchObject({ kind: 'london-borough', authorities: 2, upheldRate: 13 / 16 });
  });

  it('refuses a year in the future or before any case, changing nothing', async () => {
    await expect(t.services.statistics.refresh(2031)).rejects.toThrow('cannot be worked out yet');
    await expect(t.services.statistics.refresh(2010)).rejects.toThrow('nothing to count in 2010–11');
    const years = await t.db.kysely.selectFrom('statistics_years').select('year').orderBy('year').execute();
    expect(years.map((y) => y.year)).toEqual([2025, 2026, 2027]);
  });
});

describe('before and after publication', () => {
  it('shows a year to staff and the authority only until its publication day', async () => {
    const visitor = new TestClient(t.app);
    expect((await visitor.get(`${camdenPage}?year=2026`)).statusCode).toBe(404);
    expect((await visitor.get(`/api/v1/statistics/authorities/${camden}?year=2026`)).statusCode).toBe(404);

    const ownOfficer = await clientAs('link-officer', camden);
    const own = await ownOfficer.get('/portal/performance?year=2026');
    expect(own.headers.location).toBeUndefined();
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('These figures are not published yet');
    const otherOfficer = await clientAs('link-officer', hackney);
    expect((await otherOfficer.get(`${camdenPage}?year=2026`)).statusCode).toBe(404);

    const investigator = await clientAs('investigator');
    const staffView = await investigator.get(`${camdenPage}?year=2026`);
    expect(staffView.statusCode).toBe(200);
    expect(staffView.body).toContain('Only ombudsman staff and London Borough of Camden can see them');
  });

  it('lets the relationship lead set the day; a date that is not one changes nothing', async () => {
    const lead = await clientAs('relationship-lead');
    const bad = await lead.post('/staff/statistics/2026/publication', {
      'publish-day': '31',
      'publish-month': '2',
      'publish-year': '2027',
    });
    expect(bad.statusCode).toBe(303);
    expect((await lead.get(bad.headers.location as string)).body).toContain('Enter a real date');
    expect((await new TestClient(t.app).get(`${camdenPage}?year=2026`)).statusCode).toBe(404);

    for (const year of ['2025', '2026']) {
      const done = await lead.post(`/staff/statistics/${year}/publication`, {
        'publish-day': '1',
        'publish-month': '6',
        'publish-year': '2027',
      });
      expect(done.headers.location).toBe('/staff/statistics');
    }
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'statistics.%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['statistics.publication-set', 'statistics.publication-set']);
    expect((await investigatorCannotPublish()).statusCode).toBe(403);
  });

  async function investigatorCannotPublish() {
    const investigator = await clientAs('investigator');
    return investigator.post('/staff/statistics/2026/publication', {
      'publish-day': '1',
      'publish-month': '6',
      'publish-year': '2027',
    });
  }
});

describe('the published pages', () => {
  it('shows Camden’s year with its rates, intervals, the comparison and the change on the year before', async () => {
    const page = await new TestClient(t.app).get(`${camdenPage}?year=2026`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('not published yet');
    expect(page.body).toMatch(/data-figure="received">[^]*?>15<\/td>[^]*?up 13 from 2/);
    expect(page.body).toMatch(/data-rate="upheld">[^]*?10 of 12[^]*?83%[^]*?55% to 95%[^]*?81%/);
    expect(page.body).toMatch(/data-rate="compliance">[^]*?9 of 11[^]*?82%/);
    expect(page.body).toContain('id="rates-chart"');
    expect(page.body).toContain('id="areas-chart"');
    expect(page.body).toContain('What the figures mean');
    // The current year is not published: the public cannot choose it.
    expect(page.body).not.toContain('value="2027"');
  });

  it('gives a rate under the minimum volume as numbers, never a percentage', async () => {
    const page = await new TestClient(t.app).get('/authorities/london-borough-of-hackney/performance?year=2026');
    expect(page.body).toMatch(/data-rate="upheld">[^]*?3 of 4[^]*?Too few for a percentage/);
  });

  it('sends an address by id on to the authority’s address, and says clearly what is not there', async () => {
    const visitor = new TestClient(t.app);
    const byId = await visitor.get(`/authorities/${camden}/performance?year=2026`);
    expect(byId.statusCode).toBe(302);
    expect(byId.headers.location).toBe(`${camdenPage}?year=2026`);
    const future = await visitor.get(`${camdenPage}?year=2031`);
    expect(future.statusCode).toBe(404);
    expect(future.body).toContain('2031–32 has not started yet');
    const early = await visitor.get(`${camdenPage}?year=2019`);
    expect(early.statusCode).toBe(404);
    expect(early.body).toContain('There are no published figures for 2019–20');
    expect((await visitor.get(`${camdenPage}?year=soon`)).statusCode).toBe(400);
    expect((await visitor.get('/authorities/no-such-council/performance')).statusCode).toBe(404);
  });

  it('finds an authority from the national summary with the directory’s search', async () => {
    const page = await new TestClient(t.app).get('/performance?year=2026&q=camden');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="${camdenPage}?year=2026"`);
    expect(page.body).toMatch(/id="kinds"[^]*?London borough[^]*?81%/);
  });
});

describe('open data', () => {
  it('answers the API without a token, with rates from 0 to 1 or null under the minimum', async () => {
    const visitor = new TestClient(t.app);
    const one = await visitor.get(`/api/v1/statistics/authorities/${camden}?year=2026`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      authorityId: camden,
      year: 2026,
      received: 15,
      decided: 15,
      notForUs: 2,
      assessedAndClosed: 1,
      investigated: 12,
      upheld: 10,
      upheldRate: 0.8333,
      satisfactoryRemedy: 1,
      satisfactoryRemedyRate: 0.1,
      remediesDue: 11,
      remediesComplied: 9,
      complianceRate: 0.8182,
      publicReports: 1,
      similarAuthorities: { kind: 'london-borough', upheldRate: 0.8125 },
    });
    const all = await visitor.get('/api/v1/statistics?year=2026&kind=london-borough');
    expect(all.statusCode).toBe(200);
    const body = all.json<{
      authorities: { authorityId: string; upheldRate: number | null; upheld: number }[];
      licence: string;
    }>();
    expect(body.authorities.map((a) => a.authorityId)).toEqual([camden, hackney]);
    expect(body.authorities[1]).toMatchObject({ upheld: 3, upheldRate: null });
    expect(body.licence).toContain('Open Government Licence');
    const future = await visitor.get('/api/v1/statistics?year=2031');
    expect(future.statusCode).toBe(404);
    expect(future.headers['content-type']).toContain('application/problem+json');
    expect((await visitor.get('/api/v1/statistics?year=twenty')).statusCode).toBe(400);
  });

  it('downloads every authority’s year as CSV with the same figures, and the dictionary', async () => {
    const csv = await new TestClient(t.app).get('/performance/2026/data.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = csv.body.trim().split('\n');
    const columns = (header ?? '').split(',');
    const camdenRow = rows.find((r) => r.startsWith(camden))?.split(',') ?? [];
    const value = (name: string) => camdenRow[columns.indexOf(name)];
    expect(value('received')).toBe('15');
    expect(value('upheld_rate')).toBe('0.8333');
    expect(value('remedies_complied_late')).toBe('1');
    expect(rows.some((r) => r.startsWith(kent))).toBe(true);
    const dictionary = await new TestClient(t.app).get('/performance/dictionary.csv');
    expect(dictionary.body).toContain('upheldRate');
  });

  it('gives a published year’s downloads as written at the latest refresh, guarding a name a spreadsheet would run', async () => {
    const visitor = new TestClient(t.app);
    const cellOf = (body: string, id: string, name: string) => {
      const [header, ...rows] = body.trim().split('\n');
      const row = rows.find((r) => r.startsWith(id))?.split(',') ?? [];
      return row[(header ?? '').split(',').indexOf(name)];
    };
    const before = await visitor.get('/performance/2026/data.csv');
    expect(before.body.startsWith('\uFEFF')).toBe(true);
    expect(cellOf(before.body, camden, 'received')).toBe('15');

    // A new authority whose name starts like a formula, with a complaint in the year: not in the
    // downloads until the figures are worked out again, then in both.
    const formula = await createAuthority(t.db, { name: '=HYPERLINK Council', kind: 'district' });
    const cases = new ApiCasework(t, clock, clock.now());
    await cases.complaint(formula, { receivedAt: '2026-08-01T10:00:00Z' });
    await cases.complaint(camden, { receivedAt: '2026-08-01T10:00:00Z' });
    cases.done();
    const stale = await visitor.get('/performance/2026/data.csv');
    expect(cellOf(stale.body, camden, 'received')).toBe('15');
    await t.services.statistics.refresh(2026);
    const csv = await visitor.get('/performance/2026/data.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['cache-control']).toContain('public');
    expect(cellOf(csv.body, camden, 'received')).toBe('16');
    expect(cellOf(csv.body, formula, 'name')).toBe("'=HYPERLINK Council");
    const json = (await visitor.get('/performance/2026/data.json')).json<{
      year: number;
      licence: string;
      authorities: { authorityId: string; name: string; received: number; published: boolean }[];
    }>();
    expect(json.year).toBe(2026);
    expect(json.licence).toContain('Open Government Licence');
    expect(json.authorities.find((a) => a.authorityId === camden)).toMatchObject({ received: 16, published: true });
    expect(json.authorities.find((a) => a.authorityId === formula)).toMatchObject({ name: '=HYPERLINK Council' });

    // With the files gone (a new data folder), the downloads are built from the figures instead.
    const { open_data_key: key } = await t.db.kysely
      .selectFrom('statistics_years')
      .select('open_data_key')
      .where('year', '=', 2026)
      .executeTakeFirstOrThrow();
    expect(key).not.toBeNull();
    for (const format of ['csv', 'json']) await rm(path.join(t.config.dataDir, 'statistics', `2026-${key}.${format}`));
    const rebuilt = await visitor.get('/performance/2026/data.csv');
    expect(rebuilt.body).toBe(csv.body);
    const rebuiltJson = (await visitor.get('/performance/2026/data.json')).json<typeof json>();
    expect(rebuiltJson).toEqual(json);

    // Staff see a year not yet published built from the figures, never from a file.
    const staff = await clientAs('relationship-lead');
    const current = await staff.get('/performance/2027/data.csv');
    expect(current.statusCode).toBe(200);
    expect(current.headers['cache-control']).toBe('no-store');
    expect((await visitor.get('/performance/2027/data.csv')).statusCode).toBe(404);
  });
});
