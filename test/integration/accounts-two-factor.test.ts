import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/modules/accounts/two-factor.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createUser, storedTotpSecret } from '../support/factories.ts';

let t: TestApp;
// In the middle of a 30-second step, so a code of the step before and after is also accepted.
const clock = new FixedClock(new Date(Math.floor(Date.now() / 30_000) * 30_000 + 15_000));
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

const STEP = 30_000;

/** The set-up key as the set-up page shows it to be typed, without its spaces. */
function keyOnPage(body: string): string {
  const match = /id="secret-key"><code>([A-Z2-7 ]+)<\/code>/.exec(body);
  if (!match?.[1]) throw new Error('no set-up key on the page');
  return match[1].replace(/ /g, '');
}

/** A staff member who has set up two-factor through the pages; the clock then moves on a step. */
async function staffWithTwoFactor() {
  const user = await createUser(t.services, { role: 'investigator' });
  const client = new TestClient(t.app);
  await client.post('/sign-in', { email: user.email, password: user.password });
  const secret = keyOnPage((await client.get('/sign-in/two-factor/set-up')).body);
  const done = await client.post('/sign-in/two-factor/set-up', { code: await totpCode(secret, clock.now()) });
  expect(done.headers.location).toBe('/staff');
  clock.advance(STEP);
  return { ...user, secret };
}

/** A browser that has given the right password and is asked for a code. */
async function atCodePage(email: string, password: string): Promise<TestClient> {
  const client = new TestClient(t.app);
  const res = await client.post('/sign-in', { email, password });
  expect(res.headers.location).toBe('/sign-in/two-factor');
  return client;
}

describe('two-factor codes are used once', () => {
  it('signs in only the first of three browsers given the same code within one step', async () => {
    const user = await staffWithTwoFactor();
    const browsers = [
      await atCodePage(user.email, user.password),
      await atCodePage(user.email, user.password),
      await atCodePage(user.email, user.password),
    ];
    const code = await totpCode(user.secret, clock.now());
    const [first, second, third] = browsers as [TestClient, TestClient, TestClient];
    expect((await first.post('/sign-in/two-factor', { code })).headers.location).toBe('/staff');
    expect((await second.post('/sign-in/two-factor', { code })).headers.location).toBe('/sign-in/two-factor');
    expect((await third.post('/sign-in/two-factor', { code })).headers.location).toBe('/sign-in/two-factor');
    expect((await second.get('/sign-in/two-factor')).body).toContain(
      'Enter the 6-digit code shown in your authenticator app',
    );
    expect((await first.get('/staff')).statusCode).toBe(200);
    expect((await second.get('/staff')).statusCode).toBe(303);
    // The next step's code lets the second browser in.
    clock.advance(STEP);
    const next = await totpCode(user.secret, clock.now());
    expect((await second.post('/sign-in/two-factor', { code: next })).headers.location).toBe('/staff');
  });

  it('signs in only one of three browsers sending the same code at once', async () => {
    const user = await staffWithTwoFactor();
    const browsers = await Promise.all([1, 2, 3].map(() => atCodePage(user.email, user.password)));
    const code = await totpCode(user.secret, clock.now());
    const results = await Promise.all(browsers.map((b) => b.post('/sign-in/two-factor', { code })));
    expect(results.map((r) => r.headers.location).sort()).toEqual([
      '/sign-in/two-factor',
      '/sign-in/two-factor',
      '/staff',
    ]);
  });

  it('refuses a code of an earlier step once a later one has been used', async () => {
    const user = await staffWithTwoFactor();
    const current = await totpCode(user.secret, clock.now());
    const earlier = await totpCode(user.secret, new Date(clock.now().getTime() - STEP));
    expect(earlier).not.toBe(current);
    const first = await atCodePage(user.email, user.password);
    expect((await first.post('/sign-in/two-factor', { code: current })).headers.location).toBe('/staff');
    const second = await atCodePage(user.email, user.password);
    expect((await second.post('/sign-in/two-factor', { code: earlier })).headers.location).toBe('/sign-in/two-factor');
  });

  it('does not let the code that confirmed the set-up sign in again', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    const client = new TestClient(t.app);
    await client.post('/sign-in', { email: user.email, password: user.password });
    const secret = keyOnPage((await client.get('/sign-in/two-factor/set-up')).body);
    const code = await totpCode(secret, clock.now());
    expect((await client.post('/sign-in/two-factor/set-up', { code })).headers.location).toBe('/staff');
    const other = await atCodePage(user.email, user.password);
    expect((await other.post('/sign-in/two-factor', { code })).headers.location).toBe('/sign-in/two-factor');
  });
});

describe('two-factor secrets at rest', () => {
  it('stores the secret encrypted, both while it is being set up and once it is on', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    const client = new TestClient(t.app);
    await client.post('/sign-in', { email: user.email, password: user.password });
    const secret = keyOnPage((await client.get('/sign-in/two-factor/set-up')).body);
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const pending = await storedTotpSecret(t.db, user.id);
    expect(pending).not.toBeNull();
    expect(pending).not.toContain(secret);
    // A reload shows the same key.
    expect(keyOnPage((await client.get('/sign-in/two-factor/set-up')).body)).toBe(secret);

    await client.post('/sign-in/two-factor/set-up', { code: await totpCode(secret, clock.now()) });
    const enabled = await storedTotpSecret(t.db, user.id);
    expect(enabled).not.toContain(secret);
    expect(enabled).toBe(pending);
  });
});
