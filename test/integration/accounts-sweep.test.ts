import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';

let t: TestApp;
const clock = new FixedClock(new Date('2027-02-01T09:00:00Z'));
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

const HOUR = 3_600_000;
const rowsOf = async (userId: string) => ({
  sessions: (await t.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length,
  links: (await t.db.kysely.selectFrom('one_time_tokens').select('token_hash').where('user_id', '=', userId).execute())
    .length,
});
const addresses = async () => (await t.db.kysely.selectFrom('signin_failures').select('ip_hash').execute()).length;

describe("sign-in's housekeeping", () => {
  it('deletes ended sessions, expired links and closed attempt windows, and keeps what is still in use', async () => {
    const authority = await createAuthority(t.db);
    const user = await createUser(t.services, { role: 'link-officer', authorityId: authority });
    // A session from two days ago (long expired), and one from now that keeps the person signed in.
    await createSession(t.db, user.id, new Date(clock.now().getTime() - 48 * HOUR));
    const live = await createSession(t.db, user.id, clock.now());
    // A password reset link, and a wrong password from an address.
    await t.services.accounts.requestPasswordReset(user.email);
    await new TestClient(t.app).post('/sign-in', { email: user.email, password: 'not the password' });
    expect(await rowsOf(user.id)).toEqual({ sessions: 2, links: 1 });
    expect(await addresses()).toBeGreaterThan(0);

    const first = await t.services.accounts.sweep();
    expect(first.sessions).toBe(1);
    expect(await rowsOf(user.id)).toEqual({ sessions: 1, links: 1 });
    const signedIn = new TestClient(t.app).withSession(live);
    expect((await signedIn.get('/portal')).statusCode).toBe(200);

    // Two days on, the link and the live session have ended, and the address's window has closed.
    clock.advance(48 * HOUR);
    const second = await t.services.accounts.sweep();
    expect(second).toMatchObject({ sessions: 1, links: 1 });
    expect(second.addresses).toBeGreaterThan(0);
    expect(await rowsOf(user.id)).toEqual({ sessions: 0, links: 0 });
    expect(await addresses()).toBe(0);
    // The person signs in again as before.
    const again = await new TestClient(t.app).post('/sign-in', { email: user.email, password: user.password });
    expect(again.headers.location).toBe('/home');
  });
});
