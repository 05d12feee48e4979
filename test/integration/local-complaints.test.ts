import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { Snapshots } from '../../src/platform/snapshot.ts';
import { LocalComplaintsService } from '../../src/modules/local-complaints/local-complaints.service.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, createSession, createUser } from '../support/factories.ts';
import { multipartForm } from '../support/multipart.ts';

// Monday 1 March 2027.
const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let t: TestApp;
let camden: string;
let hackney: string;
const headers: Record<string, Record<string, string>> = {};

async function tokenFor(role: Role, authorityId: string | null = null) {
  const created = await t.services.apiTokens.createFromCommandLine({
    name: `t-${role}-${authorityId}`,
    role,
    authorityId,
  });
  return { authorization: `Bearer ${created.token}` };
}

const call = (method: 'GET' | 'POST', url: string, who: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: headers[who] ?? {}, ...(payload ? { payload } : {}) });

/** A signed-in user of the role, with a session made at the test's fixed time. */
async function signedInAs(role: Role, authorityId?: string) {
  const user = await createUser(t.services, { role, authorityId: authorityId ?? null });
  return { user, token: await createSession(t.db, user.id, clock.now()) };
}

const auditCount = async () =>
  Number(
    (
      await t.db.kysely
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  t = await createTestApp({ clock });
  camden = await createAuthority(t.db, { name: 'Camden', kind: 'london-borough' });
  hackney = await createAuthority(t.db, { name: 'Hackney', kind: 'london-borough' });
  headers.camden = await tokenFor('link-officer', camden);
  headers.hackney = await tokenFor('link-officer', hackney);
  headers.investigator = await tokenFor('investigator');
});

afterAll(async () => {
  await t.close();
});

const body = {
  reference: 'CAM-1',
  receivedOn: '2027-02-01',
  serviceArea: 'housing',
  complainant: { name: 'Robin Hale', email: 'robin@example.com', phone: '020 7946 0001' },
  summary: 'Repairs not done',
  handler: 'Ann Smith',
};

describe('the local complaints API', () => {
  let id = '';

  it('records a complaint with its stage 1 deadlines', async () => {
    const res = await call('POST', '/local-complaints', 'camden', body);
    expect(res.statusCode).toBe(201);
    const created = res.json<{ id: string; stage: number; acknowledgeBy: string; respondBy: string }>();
    id = created.id;
    // 5 working days after Monday 1 February, then 10 after that.
    expect(created).toMatchObject({ stage: 1, acknowledgeBy: '2027-02-08', respondBy: '2027-02-22' });
  });

  it('refuses a duplicate reference, changing nothing', async () => {
    const before = await auditCount();
    const res = await call('POST', '/local-complaints', 'camden', body);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('already in your log');
    expect(await auditCount()).toBe(before);
  });

  it('counts the response from the acknowledgement, and allows one extension within the maximum', async () => {
    const ack = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'acknowledged',
      on: '2027-02-03',
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ stage: 1, acknowledgeBy: '2027-02-08', respondBy: '2027-02-17' });

    const tooLong = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'extended',
      on: '2027-02-10',
      extensionWorkingDays: 11,
      reason: 'Waiting for the contractor',
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('at most 10 working days');

    const ext = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'extended',
      on: '2027-02-10',
      extensionWorkingDays: 10,
      reason: 'Waiting for the contractor',
    });
    expect(ext.statusCode).toBe(200);
    expect(ext.json()).toMatchObject({ respondBy: '2027-03-03' });

    const second = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'extended',
      on: '2027-02-11',
      extensionWorkingDays: 2,
      reason: 'Again',
    });
    expect(second.statusCode).toBe(400);
    expect(second.body).toContain('already had its one extension');
  });

  it('refuses dates before receipt or in the future, and escalation before a response', async () => {
    const before = await auditCount();
    const early = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'responded',
      on: '2027-01-20',
    });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('on or after the day the complaint was received');
    const future = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'responded',
      on: '2027-03-02',
    });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('today or in the past');
    const escalate = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'escalated',
      on: '2027-02-20',
      handler: 'Bo Jones',
    });
    expect(escalate.statusCode).toBe(400);
    expect(escalate.body).toContain('only after the stage 1 response');
    expect(await auditCount()).toBe(before);
  });

  it('moves to stage 2 only with a different handler', async () => {
    const responded = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'responded',
      on: '2027-02-15',
      outcome: 'not-upheld',
      toldOfOmbudsman: true,
    });
    expect(responded.statusCode).toBe(200);
    const same = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'escalated',
      on: '2027-02-16',
      handler: ' ann smith ',
    });
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('must be a different person');
    const escalated = await call('POST', `/local-complaints/${id}/events`, 'camden', {
      type: 'escalated',
      on: '2027-02-16',
      handler: 'Bo Jones',
    });
    expect(escalated.statusCode).toBe(200);
    // Stage 2: acknowledge in 5 working days, respond in 20 after that.
    expect(escalated.json()).toMatchObject({ stage: 2, acknowledgeBy: '2027-02-23', respondBy: '2027-03-23' });
    const read = await call('GET', `/local-complaints/${id}`, 'camden');
    expect(read.json()).toMatchObject({ reference: 'CAM-1', stage: 2 });
  });

  it('answers another authority’s token 404 and a staff token 403, changing nothing', async () => {
    const before = await auditCount();
    expect((await call('GET', `/local-complaints/${id}`, 'hackney')).statusCode).toBe(404);
    expect(
      (await call('POST', `/local-complaints/${id}/events`, 'hackney', { type: 'closed', on: '2027-02-20' }))
        .statusCode,
    ).toBe(404);
    expect((await call('GET', `/local-complaints/${id}`, 'investigator')).statusCode).toBe(403);
    expect((await call('POST', '/local-complaints', 'investigator', body)).statusCode).toBe(403);
    expect(await auditCount()).toBe(before);
  });

  it('follows the statutory adult social care route: one stage, no escalation', async () => {
    const res = await call('POST', '/local-complaints', 'camden', {
      ...body,
      reference: 'CAM-ASC',
      serviceArea: 'adult-social-care',
      statutoryRoute: 'adult-social-care',
    });
    expect(res.statusCode).toBe(201);
    const asc = res.json<{ id: string; acknowledgeBy: string }>();
    // Three working days to acknowledge.
    expect(asc.acknowledgeBy).toBe('2027-02-04');
    await call('POST', `/local-complaints/${asc.id}/events`, 'camden', { type: 'responded', on: '2027-02-20' });
    const escalate = await call('POST', `/local-complaints/${asc.id}/events`, 'camden', {
      type: 'escalated',
      on: '2027-02-22',
      handler: 'Someone Else',
    });
    expect(escalate.statusCode).toBe(400);
    expect(escalate.body).toContain('last stage');
  });
});

describe('the portal log, entry and events', () => {
  let client: TestClient;

  beforeAll(async () => {
    const { token } = await signedInAs('link-officer', camden);
    client = new TestClient(t.app).withSession(token);
  });

  it('records a complaint from the form, and sends bad input back with nothing changed', async () => {
    const bad = await client.post('/portal/local-complaints/new', {
      reference: '',
      'receivedOn-day': '31',
      'receivedOn-month': '2',
      'receivedOn-year': '2027',
    });
    expect(bad.statusCode).toBe(303);
    const back = await client.get(bad.headers.location as string);
    expect(back.body).toContain('There is a problem');
    expect(back.body).toContain('must be a real date');
    const ok = await client.post('/portal/local-complaints/new', {
      reference: 'CAM-2',
      'receivedOn-day': '22',
      'receivedOn-month': '2',
      'receivedOn-year': '2027',
      serviceArea: 'planning',
      channel: 'email',
      route: 'code',
      name: 'Sam Lee',
      email: '',
      phone: '',
      summary: 'Noise',
      handler: '',
    });
    expect(ok.statusCode).toBe(303);
    const page = await client.get(ok.headers.location as string);
    expect(page.body).toContain('Complaint CAM-2');
    // Acknowledge by Monday 1 March: the weekend of 27 and 28 February is shown as not counted.
    expect(page.body).toContain(
      '5 working days after the complaint was received on 22 February 2027; not counted: Saturday 27 February 2027, Sunday 28 February 2027',
    );
    expect(page.body).toContain('Due soon');
  });

  it('lists the log with a filter, newest first', async () => {
    const all = await client.get('/portal/local-complaints');
    expect(all.statusCode).toBe(200);
    expect(all.body.indexOf('CAM-2')).toBeLessThan(all.body.indexOf('CAM-1'));
    const planning = await client.get('/portal/local-complaints?serviceArea=planning');
    expect(planning.body).toContain('CAM-2');
    expect(planning.body).not.toContain('CAM-1<');
  });

  it('does not show another authority’s record', async () => {
    const { token } = await signedInAs('link-officer', hackney);
    const other = new TestClient(t.app).withSession(token);
    const list = await other.get('/portal/local-complaints');
    expect(list.body).not.toContain('CAM-');
    const [row] = await t.db.kysely
      .selectFrom('local_complaints')
      .select('id')
      .where('reference', '=', 'CAM-2')
      .execute();
    expect((await other.get(`/portal/local-complaints/${row?.id ?? ''}`)).statusCode).toBe(404);
  });
});

describe('the CSV import', () => {
  let client: TestClient;
  const header = 'Case Ref,Date Received,Service,Name,Email,Summary,Council\n';

  beforeAll(async () => {
    const { token } = await signedInAs('link-officer', camden);
    client = new TestClient(t.app).withSession(token);
    await t.db.kysely.updateTable('authorities').set({ reference: 'E09000007' }).where('id', '=', camden).execute();
  });

  const upload = (csv: string, mapping: Record<string, string>) => {
    const form = multipartForm(
      { _csrf: client.csrfToken, ...mapping },
      { name: 'export.csv', bytes: Buffer.from(csv), type: 'text/csv' },
    );
    return client.request({
      method: 'POST',
      url: '/portal/local-complaints/import',
      headers: form.headers,
      payload: form.payload,
    });
  };
  const mapping = {
    'column-reference': 'Case Ref',
    'column-received_on': 'Date Received',
    'column-service_area': 'Service',
    'column-complainant_name': 'Name',
    'column-complainant_email': 'Email',
    'column-summary': 'Summary',
    'column-authority_reference': 'Council',
  };

  it('refuses a file without the mapped columns', async () => {
    const res = await upload('Ref,When\nA,2027-01-01\n', mapping);
    const back = await client.get(res.headers.location as string);
    expect(back.body).toContain('has no column');
  });

  it('shows a dry run, then imports all or nothing of each row, idempotently', async () => {
    const csv =
      header +
      'IMP-1,03/02/2027,Housing,Pat One,pat@example.com,Damp,E09000007\n' +
      'IMP-2,2027-02-30,Housing,Pat Two,,Leak,E09000007\n' +
      'IMP-3,2027-02-04,Housing,Pat Three,,Leak,E09000012\n' +
      'IMP-4,2027-02-05,Unknown area,Pat Four,,Leak,E09000007\n' +
      'CAM-1,2027-02-01,Housing,Robin Hale,robin@example.com,Repairs not done and more,E09000007\n';
    const res = await upload(csv, mapping);
    expect(res.statusCode).toBe(303);
    const dry = await client.get(res.headers.location as string);
    expect(dry.body).toContain('Check what the import will do');
    expect(dry.body).toMatch(/id="to-create">1</);
    expect(dry.body).toMatch(/id="to-update">1</);
    expect(dry.body).toMatch(/id="refused">3</);
    expect(dry.body).toContain('not a real date');
    expect(dry.body).toContain('for another authority');
    expect(dry.body).toContain('not one Liaison knows');
    // Nothing yet.
    expect(
      await t.db.kysely.selectFrom('local_complaints').select('id').where('reference', '=', 'IMP-1').executeTakeFirst(),
    ).toBeUndefined();

    const importId = (res.headers.location as string).split('/').pop() ?? '';
    const applied = await client.post(`/portal/local-complaints/imports/${importId}/apply`, {});
    expect(applied.statusCode).toBe(303);
    await t.services.localComplaints.importFinished(importId);
    const done = await client.get(`/portal/local-complaints/imports/${importId}`);
    expect(done.body).toContain('Complaints imported');
    const imp1 = await t.db.kysely
      .selectFrom('local_complaints')
      .select(['received_on', 'summary'])
      .where('reference', '=', 'IMP-1')
      .executeTakeFirstOrThrow();
    expect(imp1.received_on).toBe('2027-02-03');
    // Its stage 1 clock and its history came in with it.
    const imp1Page = await t.db.kysely
      .selectFrom('local_complaints as l')
      .innerJoin('local_complaint_stages as s', 's.local_complaint_id', 'l.id')
      .innerJoin('local_complaint_events as e', 'e.local_complaint_id', 'l.id')
      .select(['s.stage', 's.opened_on', 'e.type', 'e.recorded_by_type'])
      .where('l.reference', '=', 'IMP-1')
      .execute();
    expect(imp1Page).toEqual([{ stage: 1, opened_on: '2027-02-03', type: 'received', recorded_by_type: 'import' }]);
    const cam1 = await t.db.kysely
      .selectFrom('local_complaints')
      .select(['summary', 'stage'])
      .where('reference', '=', 'CAM-1')
      .executeTakeFirstOrThrow();
    expect(cam1).toEqual({ summary: 'Repairs not done and more', stage: 2 });

    // The same file again: nothing to add or update.
    const again = await upload(csv, mapping);
    const dry2 = await client.get(again.headers.location as string);
    expect(dry2.body).toMatch(/id="to-create">0</);
    expect(dry2.body).toMatch(/id="to-update">0</);
  });

  it('keeps the column mapping for the next import', async () => {
    const page = await client.get('/portal/local-complaints/import');
    expect(page.body).toContain('value="Case Ref"');
  });
});

describe('joined to the ombudsman’s case', () => {
  let intake: Actor;
  let complaintId = '';

  beforeAll(async () => {
    const { user } = await signedInAs('intake-officer');
    intake = { type: 'user', id: user.id, roles: ['intake-officer'], authorityId: null };
    const received = await t.services.complaints.receive(
      intake,
      complaintInput(camden, {
        authorityProcessFinished: false,
        complainant: { name: 'Robin Hale', email: 'ROBIN@example.com' },
      }),
    );
    complaintId = received.id;
  });

  it('shows intake the candidates by reference and dates only, links one, then shows its stage dates', async () => {
    const { token } = await signedInAs('intake-officer');
    const client = new TestClient(t.app).withSession(token);
    const tab = await client.get(`/staff/complaints/${complaintId}/local-record`);
    expect(tab.statusCode).toBe(200);
    expect(tab.body).toContain('CAM-1');
    expect(tab.body).toContain('email address');
    // The authority's record itself (its summary, the complainant's telephone) is not shown before linking.
    expect(tab.body).not.toContain('020 7946 0001');
    expect(tab.body).not.toContain('IMP-1');
    const [row] = await t.db.kysely
      .selectFrom('local_complaints')
      .select('id')
      .where('reference', '=', 'CAM-1')
      .execute();
    const linked = await client.post(`/staff/complaints/${complaintId}/local-record`, { localId: row?.id ?? '' });
    expect(linked.statusCode).toBe(303);
    const after = await client.get(`/staff/complaints/${complaintId}/local-record`);
    // Stage 2 began 16 February; its acknowledgement was due 23 February: 4 working days overdue on 1 March.
    expect(after.body).toContain('Stage 2 acknowledgement overdue by 4 working days');
  });

  it('puts the authority’s stages on the case timeline', async () => {
    const events = await t.services.complaints.timeline(intake, complaintId);
    const labels = events.map((e) => e.label);
    expect(labels).toContain('Stage 1 received by the authority');
    expect(labels).toContain('Stage 2 asked for by the complainant');
  });

  it('counts the linked complaint on the dashboard, and the self-assessment downloads as PDF', async () => {
    const { token } = await signedInAs('link-officer', camden);
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get('/portal/local-complaints/oversight?year=2026');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/id="total-escalated">1</);
    expect(page.body).toContain('<svg');
    expect(page.body).toMatch(/id="total-ombudsman">1 /);
    const saved = await client.post('/portal/local-complaints/self-assessment?year=2026', {
      definition: 'We follow the Code.',
    });
    expect(saved.statusCode).toBe(303);
    const pdf = await client.get('/portal/local-complaints/self-assessment.pdf?year=2026');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('the oversight figures, kept for a while', () => {
  it('show the authority its own new complaint at once, and keep each authority’s figures apart', async () => {
    // Kept for a minute on a clock that does not move: only dropping them can show the change.
    const service = new LocalComplaintsService(t.db.kysely, clock, t.services.calendar, new Snapshots(clock, 60_000));
    const officer = (authorityId: string): Actor => ({
      type: 'token',
      id: '00000000-0000-4000-8000-00000000000a',
      roles: ['link-officer'],
      authorityId,
    });
    const received = async (authorityId: string) =>
      (await service.oversight(officer(authorityId), 2026)).rows
        .filter((r) => r.stage === 1)
        .reduce((n, r) => n + r.total, 0);
    const camdenBefore = await received(camden);
    const hackneyBefore = await received(hackney);
    await service.create(officer(hackney), {
      reference: 'HAC-KEPT-1',
      receivedOn: '2027-01-04',
      serviceArea: 'planning',
      channel: 'email',
      complainant: { name: 'Sam Kept', email: null, phone: null },
      summary: 'Fence',
      handler: null,
      statutoryRoute: null,
    });
    expect(await received(hackney)).toBe(hackneyBefore + 1);
    expect(await received(camden)).toBe(camdenBefore);
  });
});
