import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the three faces', () => {
  it('serves the public home page with Liaison branding and no GOV.UK crown', async () => {
    const res = await new TestClient(t.app).get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Liaison');
    expect(res.body).not.toMatch(/Crown copyright|govuk-header__logotype|GDS Transport/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('links the public home page to the complaint form and to the change of link officer form', async () => {
    const res = await new TestClient(t.app).get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<a class="govuk-link" href="\/complain">Make a complaint to the ombudsman<\/a>/);
    expect(res.body).toMatch(/<a class="govuk-link" href="\/link-officer-change">[^<]*link officer[^<]*<\/a>/);
    for (const href of ['/complain', '/link-officer-change']) {
      expect((await new TestClient(t.app).get(href)).statusCode, href).toBe(200);
    }
  });

  it('sends visitors to sign in when they ask for a staff page', async () => {
    const res = await new TestClient(t.app).get('/staff');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2Fstaff');
  });

  it('shows an authority user a 403 page for the staff face', async () => {
    const { token } = await signedInAs(t.db, t.services, 'link-officer');
    const res = await new TestClient(t.app).withSession(token).get('/staff');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('You do not have access to this page');
  });

  it('answers an unknown page with the 404 page', async () => {
    const res = await new TestClient(t.app).get('/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
  });

  it('answers a record address that is not an id with the 404 page', async () => {
    const { token } = await signedInAs(t.db, t.services, 'casework-manager');
    const client = new TestClient(t.app).withSession(token);
    for (const url of ['/staff/authorities/not-an-id', '/staff/complaints/not-an-id', '/staff/enquiries/1234']) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('Page not found');
    }
  });

  it('refuses a form without its CSRF token and changes nothing', async () => {
    const client = new TestClient(t.app);
    const res = await client.post('/sign-in', { email: 'a@example.test', password: 'x' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Your form could not be sent');
    const failures = await t.db.kysely.selectFrom('signin_failures').selectAll().execute();
    expect(failures).toHaveLength(0);
  });
});
