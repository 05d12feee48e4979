import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createUser, signedInAs } from '../support/factories.ts';

let t: TestApp;
let leadToken: string;
beforeAll(async () => {
  t = await createTestApp();
  leadToken = (await signedInAs(t.db, t.services, 'relationship-lead')).token;
});
afterAll(async () => {
  await t.close();
});

const form = (overrides: Record<string, string> = {}) => ({
  title: 'Dr',
  forename: 'Imogen',
  surname: 'Ashworth',
  jobTitle: 'Head of customer feedback',
  email: `imogen.${Math.random().toString(36).slice(2)}@council.example`,
  correspondenceEmail: '',
  phone: '020 7946 0958',
  ...overrides,
});

async function followErrors(client: TestClient, url: string, body: Record<string, string>) {
  const res = await client.post(url, body);
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe(url);
  const page = await client.get(url);
  expect(page.body).toContain('There is a problem');
  return page.body;
}

describe('staff link officer pages', () => {
  it('adds a link officer with a UK number stored in E.164, and refuses a third with the error summary', async () => {
    const authorityId = await createAuthority(t.db, { name: 'Ashdown District Council' });
    const client = new TestClient(t.app).withSession(leadToken);
    const base = `/staff/authorities/${authorityId}/link-officers`;

    const empty = await client.get(base);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('This authority has no link officer');

    for (const phone of ['020 7946 0958', '07911 123456']) {
      const res = await client.post(`${base}/add`, form({ phone }));
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(base);
    }
    const rows = await t.db.kysely
      .selectFrom('link_officers')
      .select('phone')
      .where('authority_id', '=', authorityId)
      .orderBy('slot')
      .execute();
    expect(rows.map((r) => r.phone)).toEqual(['+442079460958', '+447911123456']);
    const list = await client.get(base);
    expect(list.body).toContain('020 7946 0958');
    expect(list.body).toContain('07911 123456');

    const refused = await followErrors(client, `${base}/add`, form());
    expect(refused).toContain('An authority can have no more than two link officers. Replace or remove one first.');
    expect(refused).toContain('value="Imogen"'); // the input is kept
  });

  it('offers to add a link officer only while the authority has fewer than two, to staff and in the portal', async () => {
    const authorityId = await createAuthority(t.db);
    const client = new TestClient(t.app).withSession(leadToken);
    const base = `/staff/authorities/${authorityId}/link-officers`;
    const portal = new TestClient(t.app).withSession(
      (await signedInAs(t.db, t.services, 'senior-officer', authorityId)).token,
    );
    const offersAdd = async () => {
      const staffPage = await client.get(base);
      const portalForm = await portal.get('/portal/link-officer-change');
      expect(staffPage.statusCode).toBe(200);
      expect(portalForm.statusCode).toBe(200);
      return {
        staff: staffPage.body.includes(`href="${base}/add"`) || staffPage.body.includes('Add a link officer'),
        portal: portalForm.body.includes('value="add"') || portalForm.body.includes('Add a link officer'),
      };
    };

    expect((await client.post(`${base}/add`, form())).statusCode).toBe(303);
    expect(await offersAdd()).toEqual({ staff: true, portal: true });

    expect((await client.post(`${base}/add`, form())).statusCode).toBe(303);
    expect(await offersAdd()).toEqual({ staff: false, portal: false });
    expect((await client.get(base)).body).toContain('This authority has two link officers, the most it can have.');
  });

  it('says what is wrong with the telephone number and the email address', async () => {
    const authorityId = await createAuthority(t.db);
    const client = new TestClient(t.app).withSession(leadToken);
    const url = `/staff/authorities/${authorityId}/link-officers/add`;
    expect(await followErrors(client, url, form({ phone: '' }))).toContain('Enter a direct telephone number');
    expect(await followErrors(client, url, form({ phone: '+33 1 23 45 67 89' }))).toContain(
      'Enter a UK telephone number',
    );
    expect(await followErrors(client, url, form({ email: 'imogen@' }))).toContain(
      'Enter an email address in the correct format, like name@example.com',
    );
    const rows = await t.db.kysely
      .selectFrom('link_officers')
      .selectAll()
      .where('authority_id', '=', authorityId)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('answers an unknown authority with the 404 page', async () => {
    const client = new TestClient(t.app).withSession(leadToken);
    expect((await client.get(`/staff/authorities/${crypto.randomUUID()}/link-officers`)).statusCode).toBe(404);
    expect((await client.get('/staff/authorities/not-an-id/link-officers')).statusCode).toBe(404);
  });

  it('lets every member of staff read but only the relationship lead and administrators change', async () => {
    const authorityId = await createAuthority(t.db);
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get(`/staff/authorities/${authorityId}/link-officers`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Add a link officer');
    expect((await client.post(`/staff/authorities/${authorityId}/link-officers/add`, form())).statusCode).toBe(403);
    expect((await client.get('/staff/link-officer-changes')).statusCode).toBe(403);
  });

  it('lists authorities that need a link officer on the staff home page', async () => {
    const authorityId = await createAuthority(t.db, { name: 'Aardvark Needs Officer Council' });
    const home = await new TestClient(t.app).withSession(leadToken).get('/staff');
    expect(home.body).toContain('Needs a link officer');
    expect(home.body).toContain(`/staff/authorities/${authorityId}/link-officers`);
  });
});

describe('the public change form', () => {
  it('asks for every missing detail at once, then sends a confirmation request to the current link officer', async () => {
    const authorityId = await createAuthority(t.db, { name: 'Brambleford Borough Council' });
    const lead = {
      type: 'user' as const,
      id: crypto.randomUUID(),
      roles: ['relationship-lead' as const],
      authorityId: null,
    };
    await t.services.linkOfficers.addOfficer(lead, authorityId, {
      title: 'Mr',
      forename: 'Current',
      surname: 'Officer',
      jobTitle: 'Link officer',
      email: 'current.officer@brambleford.example',
      correspondenceEmail: null,
      phone: '+442079460958',
    });
    const client = new TestClient(t.app);
    const page = await client.get('/link-officer-change');
    expect(page.statusCode).toBe(200);
    // The directory is searched, not listed, on this public page.
    expect(page.body).not.toContain('Brambleford Borough Council');
    const found = await client.get('/link-officer-change?q=brambl');
    expect(found.body).toContain('Brambleford Borough Council');

    const errors = await followErrors(client, '/link-officer-change', { change: 'replace' });
    for (const message of [
      'Enter your name',
      'Select the authority',
      'Enter the email address of the link officer being replaced',
      'Enter a forename',
      'Enter a direct telephone number',
    ]) {
      expect(errors).toContain(message);
    }

    const sent = await client.post('/link-officer-change', {
      requesterName: 'Robin Colleague',
      requesterEmail: 'robin@brambleford.example',
      authorityId,
      change: 'replace',
      replacesEmail: 'current.officer@brambleford.example',
      ...form(),
    });
    expect(sent.headers.location).toBe('/link-officer-change/sent');
    const mail = await t.db.kysely
      .selectFrom('outbox_messages')
      .selectAll()
      .where('to_address', '=', 'current.officer@brambleford.example')
      .execute();
    expect(mail.map((m) => m.kind)).toEqual(['link-officer-change-confirmation']);
    const link = /\/link-officer-change\/confirm\/[\w-]+/.exec(mail[0]?.text_body ?? '')?.[0] ?? '';
    const confirm = await client.get(link);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Robin Colleague');
    expect((await client.post(link, { decision: 'confirm' })).headers.location).toBe('/link-officer-change/sent');
    expect((await client.get(link)).statusCode).toBe(410);
    const queue = await new TestClient(t.app).withSession(leadToken).get('/staff/link-officer-changes');
    expect(queue.body).toContain('Brambleford Borough Council');
  });
});

describe('the portal', () => {
  it('shows a link officer their authority’s officers and lets only link officers record cover', async () => {
    const authorityId = await createAuthority(t.db);
    const officer = await signedInAs(t.db, t.services, 'link-officer', authorityId);
    const delegate = await signedInAs(t.db, t.services, 'delegate', authorityId);
    const asOfficer = new TestClient(t.app).withSession(officer.token);
    expect((await asOfficer.get('/portal/link-officers')).statusCode).toBe(200);
    expect((await asOfficer.get('/portal/cover')).statusCode).toBe(200);
    const asDelegate = new TestClient(t.app).withSession(delegate.token);
    expect((await asDelegate.get('/portal/delegates')).statusCode).toBe(200);
    expect((await asDelegate.get('/portal/cover')).statusCode).toBe(403);
    expect((await asDelegate.post('/portal/delegates', { name: 'X', email: 'x@example.test' })).statusCode).toBe(403);
  });
});

describe('the API', () => {
  async function token(role: string, authorityId: string | null): Promise<string> {
    const created = await t.services.apiTokens.createFromCommandLine({ name: `t-${role}`, role, authorityId });
    return created.token;
  }
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, bearer: string, payload?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${bearer}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
  const body = (n: number) => ({
    title: 'Ms',
    forename: `Api${n}`,
    surname: 'Officer',
    jobTitle: 'Link officer',
    email: `api${n}@council.example`,
    phone: '07911 123456',
  });

  it('adds two, refuses a third with 409 problem+json, replaces and removes', async () => {
    const authorityId = await createAuthority(t.db);
    const lead = await token('relationship-lead', null);
    const first = await call('POST', `/authorities/${authorityId}/link-officers`, lead, body(1));
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ slot: 1, phone: '+447911123456', correspondenceEmail: null });
    expect((await call('POST', `/authorities/${authorityId}/link-officers`, lead, body(2))).statusCode).toBe(201);
    const third = await call('POST', `/authorities/${authorityId}/link-officers`, lead, body(3));
    expect(third.statusCode).toBe(409);
    expect(third.headers['content-type']).toContain('application/problem+json');
    const problem = third.json<{ status: number; detail: string }>();
    expect(problem.status).toBe(409);
    expect(problem.detail).toContain('no more than two');

    const invalid = await call('POST', `/authorities/${authorityId}/link-officers`, lead, {
      ...body(4),
      phone: '+1 212 555 0100',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ errors: unknown[] }>().errors).toEqual([
      expect.objectContaining({ field: 'phone', detail: 'Enter a UK telephone number' }),
    ]);

    const id = first.json<{ id: string }>().id;
    const replaced = await call('PUT', `/authorities/${authorityId}/link-officers/${id}`, lead, body(5));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ slot: 1, forename: 'Api5' });
    const newId = replaced.json<{ id: string }>().id;
    expect((await call('DELETE', `/authorities/${authorityId}/link-officers/${newId}`, lead)).json()).toEqual({
      id: newId,
      removed: true,
    });
    const list = await call('GET', `/authorities/${authorityId}/link-officers`, lead);
    expect(list.json<{ items: { forename: string }[] }>().items.map((o) => o.forename)).toEqual(['Api2']);
  });

  it('lets an authority’s token read its own link officers but change them only by asking, as in the portal', async () => {
    const mine = await createAuthority(t.db);
    const lead = await token('relationship-lead', null);
    const added = await call('POST', `/authorities/${mine}/link-officers`, lead, body(6));
    expect(added.statusCode).toBe(201);
    const officerId = added.json<{ id: string }>().id;
    const officerUrl = `/authorities/${mine}/link-officers/${officerId}`;
    const audited = async () =>
      (
        await t.db.kysely
          .selectFrom('audit_events')
          .select('action')
          .where('authority_id', '=', mine)
          .where('action', 'like', 'link-officer%')
          .execute()
      ).length;
    const before = await audited();

    for (const role of ['link-officer', 'senior-officer', 'delegate']) {
      const own = await token(role, mine);
      const list = await call('GET', `/authorities/${mine}/link-officers`, own);
      expect(list.statusCode).toBe(200);
      expect(list.json<{ items: { id: string }[] }>().items.map((o) => o.id)).toEqual([officerId]);

      for (const [method, url, payload] of [
        ['POST', `/authorities/${mine}/link-officers`, body(7)],
        ['PUT', officerUrl, body(8)],
        ['DELETE', officerUrl, undefined],
      ] as const) {
        const res = await call(method, url, own, payload);
        expect(res.statusCode, `${role} ${method}`).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        const problem = res.json<{ status: number; detail: string }>();
        expect(problem.status).toBe(403);
        expect(problem.detail).toContain('relationship team');
        expect(problem.detail).toContain('Ask for a change of link officer');
      }
    }
    const after = await call('GET', `/authorities/${mine}/link-officers`, lead);
    expect(after.json<{ items: { id: string; forename: string }[] }>().items).toEqual([
      expect.objectContaining({ id: officerId, forename: 'Api6' }),
    ]);
    expect(await audited()).toBe(before);
  });

  it('answers an authority’s token 404 for any other authority, as for an unknown id, before the body is checked', async () => {
    const mine = await createAuthority(t.db);
    const theirs = await createAuthority(t.db);
    const lead = await token('relationship-lead', null);
    const theirOfficer = (await call('POST', `/authorities/${theirs}/link-officers`, lead, body(9))).json<{
      id: string;
    }>().id;
    const own = await token('link-officer', mine);
    const unknown = await call('POST', `/authorities/${crypto.randomUUID()}/link-officers`, lead, body(10));
    expect(unknown.statusCode).toBe(404);
    const notFound = unknown.json<unknown>();

    const answers = [
      await call('GET', `/authorities/${theirs}/link-officers`, own),
      await call('POST', `/authorities/${theirs}/link-officers`, own, body(11)),
      await call('POST', `/authorities/${theirs}/link-officers`, own, { ...body(12), phone: 'not a phone' }),
      await call('PUT', `/authorities/${theirs}/link-officers/${theirOfficer}`, own, body(13)),
      await call('PUT', `/authorities/${theirs}/link-officers/${theirOfficer}`, own, { forename: '' }),
      await call('DELETE', `/authorities/${theirs}/link-officers/${theirOfficer}`, own),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toEqual(notFound);
    }
    const list = await call('GET', `/authorities/${theirs}/link-officers`, lead);
    expect(list.json<{ items: { id: string }[] }>().items.map((o) => o.id)).toEqual([theirOfficer]);
  });
});

describe('a link officer who has been replaced', () => {
  it('can no longer sign in', async () => {
    const authorityId = await createAuthority(t.db);
    const user = await createUser(t.services, { role: 'link-officer', authorityId, email: 'leaving@council.example' });
    const client = new TestClient(t.app).withSession(leadToken);
    await client.post(
      `/staff/authorities/${authorityId}/link-officers/add`,
      form({ email: 'leaving@council.example' }),
    );
    const [row] = await t.db.kysely
      .selectFrom('link_officers')
      .select('id')
      .where('authority_id', '=', authorityId)
      .execute();
    const res = await client.post(`/staff/authorities/${authorityId}/link-officers/${row?.id ?? ''}/replace`, form());
    expect(res.statusCode).toBe(303);
    const signIn = await new TestClient(t.app).post('/sign-in', {
      email: 'leaving@council.example',
      password: user.password,
    });
    expect(signIn.headers.location).toBe('/sign-in');
  });
});
