import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/http/cookies.ts';
import { csrfTokens } from '../../src/http/csrf.ts';
import { createTestApp, TEST_SECRET, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createUser } from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function portalUser() {
  return createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
}

describe('signing in within a browser', () => {
  it('ends the session the browser had before, whoever it belonged to', async () => {
    const first = await portalUser();
    const second = await portalUser();
    const client = new TestClient(t.app);
    await client.post('/sign-in', { email: first.email, password: first.password });
    const earlier = client.cookies.get(SESSION_COOKIE) ?? '';
    expect(earlier).not.toBe('');

    expect((await client.post('/sign-in', { email: second.email, password: second.password })).headers.location).toBe(
      '/home',
    );
    expect(client.cookies.get(SESSION_COOKIE)).not.toBe(earlier);
    expect((await client.get('/portal')).statusCode).toBe(200);
    // The earlier cookie, kept by someone, no longer works.
    const kept = new TestClient(t.app).withSession(earlier);
    expect((await kept.get('/portal')).statusCode).toBe(303);
    const live = await t.db.kysely
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', first.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toHaveLength(0);
  });

  it('gives the browser a new CSRF secret, so a token from before no longer works', async () => {
    const user = await portalUser();
    const client = new TestClient(t.app);
    await client.get('/sign-in');
    const before = client.cookies.get(CSRF_COOKIE) ?? '';
    const oldToken = csrfTokens(TEST_SECRET).create(before);
    await client.post('/sign-in', { email: user.email, password: user.password });
    const after = client.cookies.get(CSRF_COOKIE) ?? '';
    expect(after).toMatch(/^[\w-]{43}$/);
    expect(after).not.toBe(before);

    const stale = await client.post('/account/sign-out-everywhere', { _csrf: oldToken });
    expect(stale.statusCode).toBe(403);
    expect((await client.get('/portal')).statusCode).toBe(200);
    const fresh = await client.post('/account/sign-out-everywhere', {});
    expect(fresh.headers.location).toBe('/sign-in');
  });
});

describe('request ids', () => {
  it('never takes the request id from the client, in the reply or in the audit trail', async () => {
    const user = await portalUser();
    const client = new TestClient(t.app);
    await client.post('/sign-in', { email: user.email, password: user.password });
    const chosen = 'chosen-by-the-client';
    const res = await client.request({
      method: 'POST',
      url: '/account/sign-out-everywhere',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': chosen },
      payload: new URLSearchParams({ _csrf: client.csrfToken }).toString(),
    });
    expect(res.headers.location).toBe('/sign-in');
    const replied = String(res.headers['x-request-id']);
    expect(replied).not.toBe(chosen);
    expect(replied).toMatch(/^[0-9a-f-]{36}$/);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('request_id')
      .where('action', '=', 'session.revoked-all')
      .where('record_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(audit.request_id).toBe(replied);
  });
});

describe('cookies in production', () => {
  let prod: TestApp;
  beforeAll(async () => {
    // Production over a plain-http base address (behind a proxy that ends TLS): cookies are still Secure.
    prod = await createTestApp({
      env: {
        NODE_ENV: 'production',
        BASE_URL: 'http://liaison.example.test',
        TOTP_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      },
    });
  });
  afterAll(async () => {
    await prod.close();
  });

  it('include the public complaint form’s draft, Secure and named with the __Secure- prefix', async () => {
    const authorityId = await createAuthority(prod.db);
    const page = await prod.app.inject({ method: 'GET', url: '/complain/authority' });
    const csrf = page.cookies.find((c) => c.name.endsWith('liaison_csrf'));
    const saved = await prod.app.inject({
      method: 'POST',
      url: '/complain/authority',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { [csrf?.name ?? '']: csrf?.value ?? '' },
      payload: new URLSearchParams({
        authorityId,
        _csrf: csrfTokens(prod.config.SESSION_SECRET).create(csrf?.value ?? ''),
      }).toString(),
    });
    expect(saved.statusCode).toBe(303);
    const draft = saved.cookies.find((c) => c.name.endsWith('liaison_complaint'));
    expect(draft?.name).toBe('__Secure-liaison_complaint');
    expect(draft).toMatchObject({ secure: true, path: '/complain', httpOnly: true });
  });

  it('are Secure, host-only and named with the __Host- prefix', async () => {
    const user = await createUser(prod.services, {
      role: 'link-officer',
      authorityId: await createAuthority(prod.db),
    });
    const page = await prod.app.inject({ method: 'GET', url: '/sign-in' });
    const csrf = page.cookies.find((c) => c.name.endsWith('liaison_csrf'));
    expect(csrf?.name).toBe('__Host-liaison_csrf');
    expect(csrf).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(csrf?.domain).toBeUndefined();

    const signedIn = await prod.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { '__Host-liaison_csrf': csrf?.value ?? '' },
      payload: new URLSearchParams({
        email: user.email,
        password: user.password,
        _csrf: csrfTokens(prod.config.SESSION_SECRET).create(csrf?.value ?? ''),
      }).toString(),
    });
    expect(signedIn.headers.location).toBe('/home');
    const session = signedIn.cookies.find((c) => c.name.endsWith('liaison_session'));
    expect(session?.name).toBe('__Host-liaison_session');
    expect(session).toMatchObject({ secure: true, path: '/', httpOnly: true });
    const portal = await prod.app.inject({
      method: 'GET',
      url: '/portal',
      cookies: { '__Host-liaison_session': session?.value ?? '' },
    });
    expect(portal.statusCode).toBe(200);
    // A cookie without the prefix is not read.
    const unprefixed = await prod.app.inject({
      method: 'GET',
      url: '/portal',
      cookies: { liaison_session: session?.value ?? '' },
    });
    expect(unprefixed.statusCode).toBe(303);
  });

  it('stay plain and not Secure in development over http, so local use works', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const csrf = page.cookies.find((c) => c.name.endsWith('liaison_csrf'));
    expect(csrf?.name).toBe(CSRF_COOKIE);
    expect(csrf?.secure).toBeFalsy();
  });
});
