import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TotpSecretBox } from '../../src/modules/accounts/totp-secrets.ts';
import { totpCode } from '../../src/modules/accounts/two-factor.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';

let t: TestApp;
const clock = new FixedClock(new Date());
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

const MINUTE = 60_000;

async function signIn(client: TestClient, email: string, password: string) {
  return client.post('/sign-in', { email, password });
}

/** The user's two-factor secret, opened with the application's keys (it is stored encrypted). */
async function secretOf(userId: string): Promise<string> {
  const row = await t.db.kysely
    .selectFrom('users')
    .select('totp_secret')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const secret = row.totp_secret && new TotpSecretBox(t.config.TOTP_ENCRYPTION_KEYS).open(userId, row.totp_secret);
  if (!secret) throw new Error('no secret');
  return secret;
}

async function auditActions(userId: string): Promise<string[]> {
  const rows = await t.db.kysely
    .selectFrom('audit_events')
    .select('action')
    .where('actor_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

/** A staff member who has set up two-factor already; the clock moves on a step, as each code is used once. */
async function staffWithTwoFactor(role: 'investigator' | 'administrator' = 'investigator') {
  const user = await createUser(t.services, { role });
  const client = new TestClient(t.app);
  await signIn(client, user.email, user.password);
  await client.get('/sign-in/two-factor/set-up');
  const secret = await secretOf(user.id);
  const res = await client.post('/sign-in/two-factor/set-up', { code: await totpCode(secret, clock.now()) });
  expect(res.headers.location).toBe('/staff');
  clock.advance(30_000);
  return { ...user, secret };
}

describe('signing in with a password', () => {
  it('sends a wrong password back to the form with a clear error and counts the failure', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const client = new TestClient(t.app);
    const res = await signIn(client, user.email, 'not the password');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in');
    const page = await client.get('/sign-in');
    expect(page.body).toContain('There is a problem');
    expect(page.body).toContain('Enter a correct email address and password');
    expect(page.body).toContain(`value="${user.email}"`);
    expect(await auditActions(user.id)).toContain('user.signin-failed');
  });

  it('locks the account after 5 failures, refuses the correct password while locked, and lets it in afterwards', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const client = new TestClient(t.app);
    for (let i = 0; i < 4; i++) await signIn(client, user.email, `wrong ${i}`);
    const fifth = await signIn(client, user.email, 'wrong again');
    expect(fifth.headers.location).toBe('/sign-in');
    const page = await client.get('/sign-in');
    expect(page.body).toContain('You have entered the wrong details too many times. Wait 15 minutes');

    const refused = await signIn(client, user.email, user.password);
    expect(refused.headers.location).toBe('/sign-in');
    expect((await client.get('/sign-in')).body).toContain('too many times');
    expect(client.cookies.has('liaison_session')).toBe(false);
    expect(await auditActions(user.id)).toContain('user.locked-out');

    clock.advance(16 * MINUTE);
    const ok = await signIn(client, user.email, user.password);
    expect(ok.headers.location).toBe('/home');
    expect((await client.get('/home')).headers.location).toBe('/portal');
  });

  it('refuses deactivated accounts with the same message as a wrong password', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    await t.db.kysely.updateTable('users').set({ status: 'deactivated' }).where('id', '=', user.id).execute();
    const client = new TestClient(t.app);
    await signIn(client, user.email, user.password);
    expect((await client.get('/sign-in')).body).toContain('Enter a correct email address and password');
  });

  it('signs an authority user without two-factor straight into the portal', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const client = new TestClient(t.app);
    expect((await signIn(client, user.email, user.password)).headers.location).toBe('/home');
    expect((await client.get('/portal')).statusCode).toBe(200);
  });
});

describe('two-factor authentication for staff', () => {
  it('makes staff without two-factor set it up before they reach any staff page', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    const client = new TestClient(t.app);
    const res = await signIn(client, user.email, user.password);
    expect(res.headers.location).toBe('/sign-in/two-factor/set-up');
    // Part-way through sign-in is not signed in.
    expect((await client.get('/staff')).headers.location).toBe('/sign-in?next=%2Fstaff');

    const setUp = await client.get('/sign-in/two-factor/set-up');
    expect(setUp.statusCode).toBe(200);
    expect(setUp.body).toContain('<svg role="img"');
    const secret = await secretOf(user.id);
    expect(setUp.body).toContain(secret.slice(0, 4));
    // A reload shows the same secret rather than a new one.
    await client.get('/sign-in/two-factor/set-up');
    expect(await secretOf(user.id)).toBe(secret);

    await client.post('/sign-in/two-factor/set-up', { code: '000000' });
    const withError = await client.get('/sign-in/two-factor/set-up');
    expect(withError.body).toContain('Enter the 6-digit code shown in your authenticator app');

    const before = client.cookies.get('liaison_session');
    const done = await client.post('/sign-in/two-factor/set-up', { code: await totpCode(secret, clock.now()) });
    expect(done.headers.location).toBe('/staff');
    expect(client.cookies.get('liaison_session')).not.toBe(before);
    expect((await client.get('/staff')).statusCode).toBe(200);
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['user.two-factor-enabled', 'session.started']));
    // The cookie from before two-factor no longer works.
    const stale = new TestClient(t.app).withSession(before ?? '');
    expect((await stale.get('/staff')).statusCode).toBe(303);
  });

  it('asks staff with two-factor for a code after their password', async () => {
    const user = await staffWithTwoFactor();
    const client = new TestClient(t.app);
    const res = await client.post('/sign-in', { email: user.email, password: user.password, next: '/account' });
    expect(res.headers.location).toBe('/sign-in/two-factor?next=%2Faccount');
    expect((await client.get('/account')).statusCode).toBe(303);

    await client.post('/sign-in/two-factor', { code: '12345', next: '/account' });
    expect((await client.get('/sign-in/two-factor')).body).toContain(
      'Enter the 6-digit code from your authenticator app',
    );

    const ok = await client.post('/sign-in/two-factor', {
      code: await totpCode(user.secret, clock.now()),
      next: '/account',
    });
    expect(ok.headers.location).toBe('/account');
    expect((await client.get('/account')).statusCode).toBe(200);
  });

  it('counts wrong codes as failed sign-ins and locks the account after 5', async () => {
    const user = await staffWithTwoFactor();
    const client = new TestClient(t.app);
    await signIn(client, user.email, user.password);
    for (let i = 0; i < 4; i++) {
      const res = await client.post('/sign-in/two-factor', { code: '000000' });
      expect(res.headers.location).toBe('/sign-in/two-factor');
    }
    const fifth = await client.post('/sign-in/two-factor', { code: '000000' });
    expect(fifth.headers.location).toBe('/sign-in');
    expect((await client.get('/sign-in')).body).toContain('too many times');
    // The half-finished sign-in has ended and the right code no longer helps.
    const retry = await client.post('/sign-in/two-factor', { code: await totpCode(user.secret, clock.now()) });
    expect(retry.headers.location).toBe('/sign-in');
    const again = await signIn(new TestClient(t.app), user.email, user.password);
    expect(again.headers.location).toBe('/sign-in');
    clock.advance(16 * MINUTE);
  });

  it('lets authority users turn two-factor on and off from their account, but not staff', async () => {
    const user = await createUser(t.services, { role: 'senior-officer', authorityId: await createAuthority(t.db) });
    const client = new TestClient(t.app);
    await signIn(client, user.email, user.password);
    const account = await client.get('/account');
    expect(account.body).toContain('Turn on two-factor authentication');
    const setUp = await client.get('/account/two-factor');
    expect(setUp.body).toContain('<svg role="img"');
    const secret = await secretOf(user.id);
    const on = await client.post('/account/two-factor', { code: await totpCode(secret, clock.now()) });
    expect(on.headers.location).toBe('/account');
    expect((await client.get('/account')).body).toContain('Turn off two-factor authentication');

    const next = new TestClient(t.app);
    expect((await signIn(next, user.email, user.password)).headers.location).toBe('/sign-in/two-factor');

    await client.post('/account/two-factor/turn-off', { password: 'wrong password' });
    expect((await client.get('/account/two-factor/turn-off')).body).toContain('Your password is not correct');
    const off = await client.post('/account/two-factor/turn-off', { password: user.password });
    expect(off.headers.location).toBe('/account');
    expect((await signIn(new TestClient(t.app), user.email, user.password)).headers.location).toBe('/home');

    const staff = await staffWithTwoFactor();
    const staffClient = new TestClient(t.app);
    await signIn(staffClient, staff.email, staff.password);
    await staffClient.post('/sign-in/two-factor', { code: await totpCode(staff.secret, clock.now()) });
    expect((await staffClient.get('/account')).body).not.toContain('Turn off two-factor authentication');
    const refused = await staffClient.post('/account/two-factor/turn-off', { password: staff.password });
    expect(refused.statusCode).toBe(403);
  });
});

describe('sessions', () => {
  it('ends a session left idle for the idle timeout', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const client = new TestClient(t.app);
    await signIn(client, user.email, user.password);
    clock.advance(29 * MINUTE);
    expect((await client.get('/portal')).statusCode).toBe(200);
    clock.advance(29 * MINUTE); // 58 minutes after sign-in, but only 29 idle
    expect((await client.get('/portal')).statusCode).toBe(200);
    clock.advance(31 * MINUTE);
    const res = await client.get('/portal');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2Fportal');
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const client = new TestClient(t.app);
    await signIn(client, user.email, user.password);
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock.advance(20 * MINUTE);
      expect((await client.get('/portal')).statusCode).toBe(200);
    }
    clock.advance(20 * MINUTE);
    expect((await client.get('/portal')).statusCode).toBe(303);
  });

  it('signs out everywhere, this session included, with an audit row', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const first = new TestClient(t.app);
    const second = new TestClient(t.app);
    await signIn(first, user.email, user.password);
    await signIn(second, user.email, user.password);
    const account = await first.get('/account');
    expect(account.body).toContain('Sign out everywhere');
    expect(account.body).toContain('Link officer');
    const res = await first.post('/account/sign-out-everywhere', {});
    expect(res.headers.location).toBe('/sign-in');
    expect((await first.get('/portal')).statusCode).toBe(303);
    expect((await second.get('/portal')).statusCode).toBe(303);
    expect(await auditActions(user.id)).toContain('session.revoked-all');
  });

  it('changes the password, keeping this session and ending the others', async () => {
    const user = await createUser(t.services, { role: 'delegate', authorityId: await createAuthority(t.db) });
    const first = new TestClient(t.app);
    await signIn(first, user.email, user.password);
    const otherToken = await createSession(t.db, user.id);
    const other = new TestClient(t.app).withSession(otherToken);

    await first.post('/account/password', { currentPassword: 'nope', password: 'a brand new password' });
    expect((await first.get('/account/password')).body).toContain('Your current password is not correct');
    await first.post('/account/password', { currentPassword: user.password, password: 'short' });
    expect((await first.get('/account/password')).body).toContain('Password must be 12 characters or more');

    const ok = await first.post('/account/password', {
      currentPassword: user.password,
      password: 'a brand new password',
    });
    expect(ok.headers.location).toBe('/account');
    expect((await first.get('/portal')).statusCode).toBe(200);
    expect((await other.get('/portal')).statusCode).toBe(303);
    expect((await signIn(new TestClient(t.app), user.email, 'a brand new password')).headers.location).toBe('/home');
  });
});
