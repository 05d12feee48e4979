import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { ALL_COLUMN_NAMES } from '../../src/modules/authorities/authorities.csv.ts';
import type { AuthorityInput } from '../../src/modules/authorities/authorities.schemas.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createUser, signedInAs } from '../support/factories.ts';
import { createComplaint } from './enquiries.fixtures.ts';

let t: TestApp;
let lead: Actor;
let investigator: Actor;

beforeAll(async () => {
  t = await createTestApp();
  const leadUser = await createUser(t.services, { role: 'relationship-lead' });
  const investigatorUser = await createUser(t.services, { role: 'investigator' });
  lead = { type: 'user', id: leadUser.id, roles: ['relationship-lead'], authorityId: null };
  investigator = { type: 'user', id: investigatorUser.id, roles: ['investigator'], authorityId: null };
});
afterAll(async () => {
  await t.services.authorities.idle();
  await t.close();
});

let n = 0;
function input(overrides: Partial<AuthorityInput> = {}): AuthorityInput {
  n++;
  return {
    name: `Testshire County Council ${n}`,
    kind: 'county',
    reference: `E1000${String(n).padStart(4, '0')}`,
    address: 'County Hall\nTestville',
    region: 'South East',
    genericInbox: 'ombudsman@testshire.example',
    chiefExecutive: { title: 'Ms', name: 'Ada Chief', jobTitle: 'Chief Executive', email: 'ada@testshire.example' },
    monitoringOfficer: { title: null, name: 'Mo Officer', jobTitle: 'Head of Legal', email: 'mo@testshire.example' },
    ...overrides,
  };
}

const HEADER =
  'name,kind,reference,address,region,generic_inbox,chief_executive_title,chief_executive_name,chief_executive_job_title,chief_executive_email,monitoring_officer_title,monitoring_officer_name,monitoring_officer_job_title,monitoring_officer_email';

const csvRow = (name: string, reference: string, ceEmail = 'ce@example.org', kind = 'care-provider') =>
  `"${name}",${kind},${reference},"1 High Street",London,inbox@example.org,Dr,Cee Exec,Chief Executive,${ceEmail},,,,`;

async function importCsv(text: string | Uint8Array) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const id = await t.services.authorities.startImport(lead, 'directory.csv', bytes);
  await t.services.authorities.importFinished(id);
  return t.services.authorities.getImport(lead, id);
}

describe('authority records', () => {
  it('creates an authority with its senior officers and audits ids only', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Auditshire Council' }), [
      {
        serviceArea: 'housing',
        title: null,
        name: 'Hal Housing',
        jobTitle: 'Head of Housing',
        email: 'hal@example.org',
      },
    ]);
    const a = await t.services.authorities.getAuthority(investigator, id);
    expect(a).toMatchObject({
      name: 'Auditshire Council',
      kindName: 'County',
      region: 'South East',
      active: true,
      chiefExecutive: { name: 'Ada Chief', role: 'chief-executive' },
      monitoringOfficer: { name: 'Mo Officer' },
      headsOfService: [{ serviceArea: 'housing', serviceAreaName: 'Housing', name: 'Hal Housing' }],
    });
    const audit = await t.db.kysely.selectFrom('audit_events').selectAll().where('authority_id', '=', id).execute();
    expect(audit.map((e) => e.action).sort()).toEqual([
      'authority.created',
      'senior-officer.added',
      'senior-officer.added',
      'senior-officer.added',
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/Ada|Auditshire|example\.org|testshire/);
  });

  it('refuses a second authority with the same reference', async () => {
    await t.services.authorities.create(lead, input({ reference: 'DUP-1' }));
    await expect(t.services.authorities.create(lead, input({ reference: 'DUP-1' }))).rejects.toMatchObject({
      code: 'conflict',
      fields: [{ field: 'reference' }],
    });
  });

  it('lets only relationship leads and administrators change the directory', async () => {
    await expect(t.services.authorities.create(investigator, input())).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('closes and reopens an authority, and changes and removes officers', async () => {
    const id = await t.services.authorities.create(lead, input());
    await t.services.authorities.setClosed(lead, id, true);
    expect((await t.services.authorities.requireAuthority(lead, id)).active).toBe(false);
    await t.services.authorities.setClosed(lead, id, false);
    expect((await t.services.authorities.requireAuthority(lead, id)).active).toBe(true);

    await t.services.authorities.update(lead, id, input({ name: 'Renamed Council', monitoringOfficer: null }));
    const officers = await t.services.authorities.listSeniorOfficers(lead, id);
    expect(officers.map((o) => o.role)).toEqual(['chief-executive']);
    expect((await t.services.authorities.requireAuthority(lead, id)).name).toBe('Renamed Council');

    const head = {
      serviceArea: 'planning' as const,
      title: null,
      name: 'Pat Plan',
      jobTitle: 'Head',
      email: 'p@example.org',
    };
    await t.services.authorities.setHeadOfService(lead, id, head, true);
    await expect(t.services.authorities.setHeadOfService(lead, id, head, true)).rejects.toMatchObject({
      code: 'conflict',
    });
    await t.services.authorities.removeHeadOfService(lead, id, 'planning');
    expect((await t.services.authorities.getAuthority(lead, id)).headsOfService).toEqual([]);
  });
});

describe('tenant scoping', () => {
  it('lets an authority user read their own authority only; another is not found', async () => {
    const own = await t.services.authorities.create(lead, input({ name: 'Own Borough' }));
    const other = await t.services.authorities.create(lead, input({ name: 'Other Borough' }));
    const officer: Actor = { type: 'user', id: lead.id, roles: ['link-officer'], authorityId: own };
    expect((await t.services.authorities.getAuthority(officer, own)).name).toBe('Own Borough');
    await expect(t.services.authorities.getAuthority(officer, other)).rejects.toMatchObject({ code: 'not-found' });
    const page = await t.services.authorities.search(officer, { q: 'borough' });
    expect(page.items.map((i) => i.name)).toEqual(['Own Borough']);
  });

  it('shows a link officer their own contacts in the portal and no staff directory', async () => {
    const own = await t.services.authorities.create(
      lead,
      input({
        name: 'Portal Council',
        chiefExecutive: { title: null, name: 'Pia Portal', jobTitle: 'CEO', email: 'pia@example.org' },
      }),
    );
    const { token } = await signedInAs(t.db, t.services, 'link-officer', own);
    const client = new TestClient(t.app).withSession(token);
    const portal = await client.get('/portal/authority');
    expect(portal.statusCode).toBe(200);
    expect(portal.body).toContain('Portal Council');
    expect(portal.body).toContain('Pia Portal');
    expect((await client.get('/staff/authorities')).statusCode).toBe(403);
    expect((await client.get(`/staff/authorities/${own}`)).statusCode).toBe(403);
  });
});

describe('the directory', () => {
  beforeAll(async () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      name: `Pagetown Care Home ${String(i).padStart(3, '0')}`,
      kind: 'care-provider',
      reference: `1-PAGE${i}`,
      region: i % 2 === 0 ? 'North West' : 'London',
    }));
    await t.db.kysely.insertInto('authorities').values(rows).execute();
  });

  it('searches by words of the name, filters by kind and region, and counts matches', async () => {
    const s = t.services.authorities;
    expect((await s.search(investigator, { q: 'pageto care' })).count).toBe(120);
    expect((await s.search(investigator, { q: 'pagetown', region: 'London' })).count).toBe(60);
    expect((await s.search(investigator, { q: 'pagetown', kind: 'county' })).count).toBe(0);
    expect((await s.search(investigator, { q: '1-page7' })).items.map((i) => i.name)).toContain(
      'Pagetown Care Home 007',
    );
    // Search text is data, never query syntax.
    expect((await s.search(investigator, { q: "') | !pagetown & (:*" })).count).toBe(120);
  });

  it('finds a care provider by its location id as typed, whole or its start', async () => {
    await t.db.kysely
      .insertInto('authorities')
      .values([
        { name: 'Larchfield Lodge', kind: 'care-provider', reference: '1-103456789' },
        { name: 'Larchfield Court', kind: 'care-provider', reference: '1-103499999' },
      ])
      .execute();
    const s = t.services.authorities;
    expect((await s.search(investigator, { q: '1-103456789' })).items.map((i) => i.name)).toEqual(['Larchfield Lodge']);
    expect((await s.search(investigator, { q: '1-1034' })).items.map((i) => i.name)).toEqual([
      'Larchfield Court',
      'Larchfield Lodge',
    ]);
  });

  it('pages through results 50 at a time, forwards and back', async () => {
    const s = t.services.authorities;
    const first = await s.search(investigator, { q: 'pagetown' });
    expect(first.items).toHaveLength(50);
    expect(first.items[0]?.name).toBe('Pagetown Care Home 000');
    expect(first.previousCursor).toBeNull();
    const second = await s.search(investigator, { q: 'pagetown', cursor: first.nextCursor ?? '' });
    expect(second.items[0]?.name).toBe('Pagetown Care Home 050');
    const third = await s.search(investigator, { q: 'pagetown', cursor: second.nextCursor ?? '' });
    expect(third.items).toHaveLength(20);
    expect(third.nextCursor).toBeNull();
    const back = await s.search(investigator, { q: 'pagetown', cursor: third.previousCursor ?? '' });
    expect(back.items.map((i) => i.name)).toEqual(second.items.map((i) => i.name));
    const start = await s.search(investigator, { q: 'pagetown', cursor: back.previousCursor ?? '' });
    expect(start.items[0]?.name).toBe('Pagetown Care Home 000');
    expect(start.previousCursor).toBeNull();
  });

  it('serves the directory page with the filters applied and links to further pages', async () => {
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const client = new TestClient(t.app).withSession(token);
    const res = await client.get('/staff/authorities?q=pagetown&region=London');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('60 authorities');
    expect(res.body).toContain('Pagetown Care Home 001');
    expect(res.body).not.toContain('Pagetown Care Home 000');
    expect(res.body).toMatch(/href="\/staff\/authorities\?q=pagetown&amp;region=London&amp;cursor=[^"]+" rel="next"/);
    expect(res.body).not.toContain('Add an authority'); // investigators read only
  });

  it('exports the directory as filtered, with formulas made inert', async () => {
    await t.services.authorities.create(
      lead,
      input({ name: '=HYPERLINK("http://evil.example")', region: 'North East', reference: 'EXP-1' }),
    );
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const res = await new TestClient(t.app).withSession(token).get('/staff/authorities/export?region=North%20East');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const records: string[][] = parse(res.body, { bom: true });
    expect(records[0]).toEqual(ALL_COLUMN_NAMES);
    expect(records.slice(1)).toHaveLength(1);
    const exported = Object.fromEntries(ALL_COLUMN_NAMES.map((c, i) => [c, records[1]?.[i]]));
    expect(exported).toMatchObject({
      name: `'=HYPERLINK("http://evil.example")`,
      kind: 'county',
      reference: 'EXP-1',
      address: 'County Hall\nTestville',
      region: 'North East',
      status: 'open',
      generic_inbox: 'ombudsman@testshire.example',
      chief_executive_title: 'Ms',
      chief_executive_name: 'Ada Chief',
      chief_executive_job_title: 'Chief Executive',
      chief_executive_email: 'ada@testshire.example',
      monitoring_officer_name: 'Mo Officer',
      monitoring_officer_job_title: 'Head of Legal',
      monitoring_officer_email: 'mo@testshire.example',
      head_of_housing_name: '',
    });
  });
});

describe('pages and forms', () => {
  it('shows GOV.UK errors and keeps the input when the form is wrong, then creates the authority', async () => {
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const bad = await client.post('/staff/authorities/new', {
      name: '<script>alert(1)</script>',
      kind: 'district',
      ceName: 'Carla Chief',
      ceJobTitle: 'Chief Executive',
      ceEmail: 'not-an-email',
    });
    expect(bad.statusCode).toBe(303);
    expect(bad.headers.location).toBe('/staff/authorities/new');
    const form = await client.get('/staff/authorities/new');
    expect(form.body).toContain('Enter the chief executive’s email address in the correct format');
    expect(form.body).toContain('value="Carla Chief"');
    expect(form.body).not.toContain('<script>alert(1)</script>');

    const ok = await client.post('/staff/authorities/new', {
      name: '<script>alert(1)</script>',
      kind: 'district',
      ceName: 'Carla Chief',
      ceJobTitle: 'Chief Executive',
      ceEmail: 'carla@district.example',
    });
    expect(ok.statusCode).toBe(303);
    const page = await client.get(ok.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('Authority added');
  });

  it('answers 404 for an authority that does not exist', async () => {
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const client = new TestClient(t.app).withSession(token);
    expect((await client.get('/staff/authorities/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await client.get('/staff/authorities/not-a-uuid')).statusCode).toBe(404);
  });
});

describe('CSV import', () => {
  it('imports every row and then updates by reference, recording progress', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => csvRow(`Importville Care ${i}`, `1-IMP${i}`));
    const done = await importCsv(`${HEADER}\n${rows.join('\n')}\n`);
    expect(done).toMatchObject({ status: 'succeeded', totalRows: 1200, processedRows: 1200, createdCount: 1200 });
    expect((await t.services.authorities.search(investigator, { q: 'importville' })).count).toBe(1200);
    // Stored in name order (the file is in number order: Care 2 comes after Care 10 by name), so a
    // word search reads matches that share the start of their names from few pages.
    const stored = await t.db.query<{ name: string }>(
      "select name from authorities where name like 'Importville Care %' order by ctid",
    );
    const names = stored.rows.map((r) => r.name);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));

    const changed = [
      csvRow('Importville Care 0 Renamed', '1-IMP0'),
      csvRow('Importville Care 1', '1-IMP1', 'new@example.org'),
    ];
    const again = await importCsv(`${HEADER}\n${changed.join('\n')}\n`);
    expect(again).toMatchObject({ status: 'succeeded', createdCount: 0, updatedCount: 2 });
    const found = await t.services.authorities.search(investigator, { q: 'importville renamed' });
    expect(found.count).toBe(1);
    const staging = await t.db.kysely.selectFrom('authority_import_rows').selectAll().execute();
    expect(staging).toEqual([]);
  });

  it('imports nothing when one row is bad, and reports each problem by row and column', async () => {
    await importCsv(`${HEADER}\n${csvRow('Keepsake Care', '1-KEEP')}\n`);
    const rows = [
      csvRow('Keepsake Care Changed', '1-KEEP'),
      csvRow('Brand New Care', '1-NEW'),
      csvRow('Bad Email Care', '1-BAD', 'nope'),
      `"",martian,1-BAD2,,Atlantis,,,,,,,,,`,
      csvRow('Duplicate Care', '1-NEW'),
    ];
    const result = await importCsv(`${HEADER}\n${rows.join('\n')}\n`);
    expect(result.status).toBe('failed');
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { row: 4, column: 'chief_executive_email', message: expect.stringContaining('correct format') as string },
        { row: 5, column: 'name', message: 'Enter the authority’s name' },
        { row: 5, column: 'kind', message: 'Select a kind of authority from the list' },
        { row: 5, column: 'region', message: expect.stringContaining('Select a region') as string },
        { row: 6, column: 'reference', message: 'The same reference is on row 3' },
      ]),
    );
    expect((await t.services.authorities.search(investigator, { q: 'keepsake' })).items.map((i) => i.name)).toEqual([
      'Keepsake Care',
    ]);
    expect((await t.services.authorities.search(investigator, { q: 'brand new' })).count).toBe(0);
  });

  it('refuses a file that is not UTF-8, or lacks a column, before importing', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')]);
    await expect(t.services.authorities.startImport(lead, 'x.csv', utf16)).rejects.toMatchObject({
      fields: [{ field: 'file', message: expect.stringContaining('UTF-16') as string }],
    });
    const latin1 = Buffer.from(`${HEADER}\n${csvRow('Caf\u00e9 Care', '1-CAFE')}\n`, 'latin1');
    await expect(t.services.authorities.startImport(lead, 'x.csv', latin1)).rejects.toMatchObject({
      fields: [{ field: 'file', message: expect.stringContaining('not saved as UTF-8') as string }],
    });
    const noRegion = HEADER.replace(',region', '');
    await expect(
      t.services.authorities.startImport(lead, 'x.csv', new TextEncoder().encode(`${noRegion}\n`)),
    ).rejects.toMatchObject({
      fields: [{ field: 'file', message: expect.stringContaining('missing the column region') as string }],
    });
  });

  it('takes an upload through the page with the CSRF token, and refuses one without it', async () => {
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const boundary = '----liaisonboundary';
    const file = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="upload.csv"',
      'Content-Type: text/csv',
      '',
      `${HEADER}\n${csvRow('Uploaded Care', '1-UPL')}`,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const refused = await client.request({ method: 'POST', url: '/staff/authorities/import', headers, payload: file });
    expect(refused.statusCode).toBe(403);
    const csrfField = [`--${boundary}`, 'Content-Disposition: form-data; name="_csrf"', '', client.csrfToken, ''].join(
      '\r\n',
    );
    const res = await client.request({
      method: 'POST',
      url: '/staff/authorities/import',
      headers,
      payload: csrfField + file,
    });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/staff\/authorities\/import\/[0-9a-f-]{36}$/);
    await t.services.authorities.idle();
    const page = await client.get(location);
    expect(page.body).toContain('Authorities imported');
    expect(page.body).toContain('1 added');
  });
});

describe('authority page', () => {
  it('names its link officers and says where correspondence goes when there are none', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Linkless Borough Council' }), []);
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const before = await client.get(`/staff/authorities/${id}`);
    expect(before.body).toContain('This authority has no link officer');
    expect(before.body).toContain(`/staff/authorities/${id}/link-officers`);
    await t.services.linkOfficers.addOfficer(lead, id, {
      title: 'Mr',
      forename: 'Lionel',
      surname: 'Linkman',
      jobTitle: 'Complaints Manager',
      email: 'lionel@linkless.example',
      correspondenceEmail: null,
      phone: '+441632960001',
    });
    const after = await client.get(`/staff/authorities/${id}`);
    expect(after.body).toContain('Lionel Linkman, Complaints Manager');
    expect(after.body).not.toContain('This authority has no link officer');
  });

  it('asks before closing an authority, saying what closing means, then closes it; reopening is one step', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Closable District Council' }), []);
    await createComplaint(t.db, id, 'investigation');
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get(`/staff/authorities/${id}`);
    expect(page.body).toContain(`href="/staff/authorities/${id}/close"`);
    const confirm = await client.get(`/staff/authorities/${id}/close`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Close Closable District Council?');
    expect(confirm.body).toContain('No new complaint can be recorded about it');
    expect(confirm.body).toContain('Its 1 open case carries on');
    // Looking at the question changes nothing.
    expect((await t.services.authorities.getAuthority(lead, id)).active).toBe(true);
    const closed = await client.post(`/staff/authorities/${id}/close`, {});
    expect(closed.headers.location).toBe(`/staff/authorities/${id}`);
    expect((await t.services.authorities.getAuthority(lead, id)).active).toBe(false);
    expect((await client.get(`/staff/authorities/${id}`)).body).toContain('Reopen this authority');
    // A closed authority is not asked about again.
    expect((await client.get(`/staff/authorities/${id}/close`)).headers.location).toBe(`/staff/authorities/${id}`);
    await client.post(`/staff/authorities/${id}/reopen`, {});
    expect((await t.services.authorities.getAuthority(lead, id)).active).toBe(true);
    // Only those who manage the directory are asked.
    const investigatorClient = new TestClient(t.app).withSession(
      (await signedInAs(t.db, t.services, 'investigator')).token,
    );
    expect((await investigatorClient.get(`/staff/authorities/${id}/close`)).statusCode).toBe(403);
  });

  it('asks staff before removing a head of service', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Headcount Borough Council' }), [
      {
        serviceArea: 'housing',
        title: null,
        name: 'Hugo Housing',
        jobTitle: 'Head of Housing',
        email: 'hugo@headcount.example',
      },
    ]);
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const form = await client.get(`/staff/authorities/${id}/heads-of-service/housing`);
    expect(form.body).toContain(`href="/staff/authorities/${id}/heads-of-service/housing/remove"`);
    const confirm = await client.get(`/staff/authorities/${id}/heads-of-service/housing/remove`);
    expect(confirm.body).toContain('Remove the head of housing?');
    expect(confirm.body).toContain('Hugo Housing (hugo@headcount.example)');
    expect((await t.services.authorities.getAuthority(lead, id)).headsOfService).toHaveLength(1);
    await client.post(`/staff/authorities/${id}/heads-of-service/housing/remove`, {});
    expect((await t.services.authorities.getAuthority(lead, id)).headsOfService).toEqual([]);
  });

  it('counts the authority’s open cases, leaving closed ones out', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Casework Borough Council' }), []);
    await createComplaint(t.db, id, 'investigation');
    await createComplaint(t.db, id, 'assessment');
    await createComplaint(t.db, id, 'closed');
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const page = await new TestClient(t.app).withSession(token).get(`/staff/authorities/${id}`);
    const openCases = /Open cases\s*<\/dt>\s*<dd[^>]*>\s*<a[^>]*>(\d+)/.exec(page.body);
    expect(openCases?.[1]).toBe('2');
    expect(page.body).toMatch(/Overdue responses\s*<\/dt>\s*<dd[^>]*>\s*0\s*</);
  });
});

describe('CSV import of heads of service', () => {
  const group = (area: string) => ['title', 'name', 'job_title', 'email'].map((f) => `head_of_${area}_${f}`).join(',');
  const WITH_HEADS = `${HEADER},status,${group('housing')},${group('planning')}`;
  const row = (reference: string, cells: { status?: string; housing?: string; planning?: string } = {}) =>
    `${csvRow(`Headsville Council ${reference}`, reference, 'ce@example.org', 'district')},${cells.status ?? ''},${cells.housing ?? ',,,'},${cells.planning ?? ',,,'}`;
  const HAL = 'Mr,Hal Homes,Head of Housing,hal@headsville.example';
  const PIA = ',Pia Plans,Planning Manager,pia@headsville.example';

  async function idOf(reference: string) {
    const page = await t.services.authorities.search(investigator, { q: reference });
    const id = page.items[0]?.id;
    if (!id) throw new Error(`No authority ${reference}`);
    return id;
  }
  const heads = async (id: string) =>
    (await t.services.authorities.getAuthority(investigator, id)).headsOfService.map((h) => [
      h.serviceArea,
      h.name,
      h.email,
    ]);

  it('imports heads of service, shown on the authority page and in the API', async () => {
    const done = await importCsv(`${WITH_HEADS}\n${row('HOSREF1', { housing: HAL, planning: PIA })}\n`);
    expect(done).toMatchObject({ status: 'succeeded', createdCount: 1 });
    const id = await idOf('HOSREF1');

    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const page = await new TestClient(t.app).withSession(token).get(`/staff/authorities/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Head of housing');
    expect(page.body).toContain('Mr Hal Homes');
    expect(page.body).toContain('Head of planning');
    expect(page.body).toContain('pia@headsville.example');

    const api = await t.services.apiTokens.createFromCommandLine({
      name: 'r',
      role: 'investigator',
      authorityId: null,
    });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/authorities/${id}`,
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(res.json<{ headsOfService: unknown[] }>().headsOfService).toEqual([
      expect.objectContaining({ serviceArea: 'housing', title: 'Mr', name: 'Hal Homes', jobTitle: 'Head of Housing' }),
      expect.objectContaining({
        serviceArea: 'planning',
        title: null,
        name: 'Pia Plans',
        email: 'pia@headsville.example',
      }),
    ]);
  });

  it('leaves heads of service a file has no columns for, removes those left empty, and closes by status', async () => {
    await importCsv(`${WITH_HEADS}\n${row('HOSREF2', { housing: HAL, planning: PIA })}\n`);
    const id = await idOf('HOSREF2');

    // A file in the old format, without head of service or status columns, changes the authority only.
    const old = await importCsv(
      `${HEADER}\n${csvRow('Headsville Council HOSREF2 Renamed', 'HOSREF2', 'ce@example.org', 'district')}\n`,
    );
    expect(old).toMatchObject({ status: 'succeeded', updatedCount: 1 });
    expect(await heads(id)).toEqual([
      ['housing', 'Hal Homes', 'hal@headsville.example'],
      ['planning', 'Pia Plans', 'pia@headsville.example'],
    ]);

    // Housing's columns empty: removed. No planning columns: kept. Status closed: closed.
    const text = `${HEADER},status,${group('housing')}\n${csvRow('Headsville Council HOSREF2', 'HOSREF2', 'ce@example.org', 'district')},closed,,,,\n`;
    expect(await importCsv(text)).toMatchObject({ status: 'succeeded', updatedCount: 1 });
    expect(await heads(id)).toEqual([['planning', 'Pia Plans', 'pia@headsville.example']]);
    expect((await t.services.authorities.requireAuthority(investigator, id)).active).toBe(false);
    const closed = await t.services.authorities.search(investigator, { q: 'HOSREF2', status: 'closed' });
    expect(closed.items.map((i) => i.id)).toEqual([id]);

    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('authority_id', '=', id)
      .where('action', 'in', ['senior-officer.removed', 'authority.closed'])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['authority.closed', 'senior-officer.removed']);
  });

  it('rejects the whole file when a head of service’s email is bad, reporting its row and column', async () => {
    await importCsv(`${WITH_HEADS}\n${row('HOSREF3', { housing: HAL })}\n`);
    const id = await idOf('HOSREF3');
    const bad = [
      row('HOSREF3', { housing: 'Mr,Hal Homes,Head of Housing,hal at headsville', planning: PIA }),
      row('HOSREF4', { planning: PIA }),
      row('HOSREF5', { housing: ',Half Filled,,' }),
    ];
    const result = await importCsv(`${WITH_HEADS}\n${bad.join('\n')}\n`);
    expect(result.status).toBe('failed');
    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'head_of_housing_email',
        message: 'Enter the email address of the head of housing in the correct format, like name@example.com',
      },
      { row: 4, column: 'head_of_housing_job_title', message: 'Enter the job title of the head of housing' },
      { row: 4, column: 'head_of_housing_email', message: 'Enter the email address of the head of housing' },
    ]);
    expect(await heads(id)).toEqual([['housing', 'Hal Homes', 'hal@headsville.example']]);
    expect((await t.services.authorities.search(investigator, { q: 'HOSREF4' })).count).toBe(0);

    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const page = await new TestClient(t.app).withSession(token).get(`/staff/authorities/import/${result.id}`);
    expect(page.body).toContain('Your file was not imported');
    expect(page.body).toContain('<code>head_of_housing_email</code>');
  });

  it('refuses a header row with only some of a service area’s columns', async () => {
    const text = `${HEADER},head_of_housing_name,head_of_housing_email\n${csvRow('Half Header Council', 'HOSREF6')},Hal,hal@example.org\n`;
    await expect(
      t.services.authorities.startImport(lead, 'x.csv', new TextEncoder().encode(text)),
    ).rejects.toMatchObject({
      fields: [
        {
          field: 'file',
          message: expect.stringContaining('but not head_of_housing_title, head_of_housing_job_title') as string,
        },
      ],
    });
  });

  it('offers a template and guidance with the head of service columns, and exports a file that imports again', async () => {
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const guidance = await client.get('/staff/authorities/import');
    expect(guidance.body).toContain('<code>head_of_childrens_services_</code>');
    expect(guidance.body).toContain('leave that area’s columns out of the file');
    const template = await client.get('/staff/authorities/import/template.csv');
    const header: string[][] = parse(template.body, { bom: true });
    expect(header[0]).toEqual(ALL_COLUMN_NAMES);

    await importCsv(`${WITH_HEADS}\n${row('HOSREF7', { housing: HAL, planning: PIA })}\n`);
    const id = await idOf('HOSREF7');
    const exported = await client.get('/staff/authorities/export?q=HOSREF7');
    const again = await importCsv(exported.body);
    expect(again).toMatchObject({ status: 'succeeded', createdCount: 0, updatedCount: 0 });
    expect(await heads(id)).toHaveLength(2);

    const edited = exported.body.replace('Pia Plans', 'Pat Plans');
    expect(await importCsv(edited)).toMatchObject({ status: 'succeeded', updatedCount: 1 });
    expect(await heads(id)).toEqual([
      ['housing', 'Hal Homes', 'hal@headsville.example'],
      ['planning', 'Pat Plans', 'pia@headsville.example'],
    ]);
  });
});

describe('the portal’s contacts forms', () => {
  const portalForm = (overrides: Record<string, string> = {}) => ({
    address: 'County Hall\nTestville',
    genericInbox: 'ombudsman@testshire.example',
    ceTitle: 'Ms',
    ceName: 'Ada Chief',
    ceJobTitle: 'Chief Executive',
    ceEmail: 'ada@testshire.example',
    moTitle: '',
    moName: 'Mo Officer',
    moJobTitle: 'Head of Legal',
    moEmail: 'mo@testshire.example',
    ...overrides,
  });

  it('lets a link officer change the generic inbox and chief executive, which staff then see', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Portalchange Council' }));
    const { token } = await signedInAs(t.db, t.services, 'link-officer', id);
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get('/portal/authority');
    expect(page.body).toContain(`href="/portal/authority/${id}/contacts#contact-details"`);
    expect(page.body).toContain('href="/portal/link-officer-change"');
    const form = await client.get(`/portal/authority/${id}/contacts`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="ombudsman@testshire.example"');
    expect(form.body).not.toContain('name="name"');
    expect(form.body).not.toContain('name="region"');

    const res = await client.post(
      `/portal/authority/${id}/contacts`,
      portalForm({ genericInbox: 'casework@portalchange.example', ceName: 'Cyril New', ceEmail: 'cyril@pc.example' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/portal/authority');
    const after = await client.get('/portal/authority');
    expect(after.body).toContain('Contacts changed');
    expect(after.body).toContain('casework@portalchange.example');

    const { token: staffToken } = await signedInAs(t.db, t.services, 'investigator');
    const staffPage = await new TestClient(t.app).withSession(staffToken).get(`/staff/authorities/${id}`);
    expect(staffPage.body).toContain('casework@portalchange.example');
    expect(staffPage.body).toContain('Cyril New');
    expect(staffPage.body).toContain('Portalchange Council');
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('authority_id', '=', id)
      .where('action', 'in', ['authority.updated', 'senior-officer.changed'])
      .execute();
    expect(audit.map((e) => e.action).sort()).toEqual(['authority.updated', 'senior-officer.changed']);
  });

  it('shows the error summary with the input kept on a bad email, and changes nothing', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Badmail Council' }));
    const before = await t.services.authorities.getAuthority(lead, id);
    const { token } = await signedInAs(t.db, t.services, 'link-officer', id);
    const client = new TestClient(t.app).withSession(token);
    const res = await client.post(
      `/portal/authority/${id}/contacts`,
      portalForm({ genericInbox: 'not-an-email', ceName: 'Typed Name' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/portal/authority/${id}/contacts`);
    const form = await client.get(`/portal/authority/${id}/contacts`);
    expect(form.body).toContain('govuk-error-summary');
    expect(form.body).toContain('Enter the generic inbox in the correct format, like name@example.com');
    expect(form.body).toContain('value="Typed Name"');
    expect(form.body).toContain('value="not-an-email"');
    expect(await t.services.authorities.getAuthority(lead, id)).toEqual(before);
  });

  it('adds, changes and removes a head of service after asking', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Headchange Council' }));
    const { token } = await signedInAs(t.db, t.services, 'senior-officer', id);
    const client = new TestClient(t.app).withSession(token);
    const head = {
      serviceArea: 'housing',
      title: '',
      name: 'Hana Home',
      jobTitle: 'Head of Housing',
      email: 'hana@hc.example',
    };
    expect((await client.post(`/portal/authority/${id}/heads-of-service/new`, head)).headers.location).toBe(
      '/portal/authority',
    );
    const page = await client.get('/portal/authority');
    expect(page.body).toContain('Head of service added');
    expect(page.body).toContain(`href="/portal/authority/${id}/heads-of-service/housing"`);
    expect((await client.post(`/portal/authority/${id}/heads-of-service/new`, head)).headers.location).toBe(
      `/portal/authority/${id}/heads-of-service/new`,
    );
    expect((await client.get(`/portal/authority/${id}/heads-of-service/new`)).body).toContain(
      'There is already a head of service for housing',
    );
    await client.post(`/portal/authority/${id}/heads-of-service/housing`, { ...head, name: 'Hana Changed' });
    expect((await t.services.authorities.getAuthority(lead, id)).headsOfService[0]?.name).toBe('Hana Changed');
    const confirm = await client.get(`/portal/authority/${id}/heads-of-service/housing/remove`);
    expect(confirm.body).toContain('Remove the head of housing?');
    await client.post(`/portal/authority/${id}/heads-of-service/housing/remove`, {});
    expect((await t.services.authorities.getAuthority(lead, id)).headsOfService).toEqual([]);
  });

  it('shows a delegate no change links and refuses their posts', async () => {
    const id = await t.services.authorities.create(lead, input({ name: 'Delegate Council' }));
    const before = await t.services.authorities.getAuthority(lead, id);
    const { token } = await signedInAs(t.db, t.services, 'delegate', id);
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get('/portal/authority');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Delegate Council');
    expect(page.body).not.toContain(`/portal/authority/${id}/`);
    expect(page.body).toContain('href="/portal/link-officer-change"');
    expect((await client.get(`/portal/authority/${id}/contacts`)).statusCode).toBe(403);
    const res = await client.post(`/portal/authority/${id}/contacts`, portalForm({ genericInbox: 'x@d.example' }));
    expect(res.statusCode).toBe(403);
    expect(await t.services.authorities.getAuthority(lead, id)).toEqual(before);
  });

  it('answers 404 for another authority’s id', async () => {
    const own = await t.services.authorities.create(lead, input({ name: 'Ownside Council' }));
    const other = await t.services.authorities.create(lead, input({ name: 'Otherside Council' }));
    const before = await t.services.authorities.getAuthority(lead, other);
    const { token } = await signedInAs(t.db, t.services, 'link-officer', own);
    const client = new TestClient(t.app).withSession(token);
    expect((await client.get(`/portal/authority/${other}/contacts`)).statusCode).toBe(404);
    const res = await client.post(`/portal/authority/${other}/contacts`, portalForm({ genericInbox: 'x@o.example' }));
    expect(res.statusCode).toBe(404);
    const head = { serviceArea: 'planning', title: '', name: 'Pat', jobTitle: 'Head', email: 'pat@o.example' };
    expect((await client.post(`/portal/authority/${other}/heads-of-service/new`, head)).statusCode).toBe(404);
    expect(await t.services.authorities.getAuthority(lead, other)).toEqual(before);
  });
});
