import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/modules/accounts/passwords.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createSession, createUser, signedInAs } from '../support/factories.ts';

// Sessions and API tokens read once are trusted for SESSION_CACHE_MS; changes made through this
// process apply at once.
describe('signed-in sessions and API tokens held for a moment', () => {
  let t: TestApp;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { SESSION_CACHE_MS: '1000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a session revoked by another process stops working within the cache time', async () => {
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    expect(await t.services.accounts.resolveSession(token)).not.toBeNull();
    // Another process signs the session out: this one trusts what it read for up to a second.
    await t.db.kysely
      .updateTable('sessions')
      .set({ revoked_at: new Date() })
      .where('token_hash', '=', hashSecret(token))
      .execute();
    expect(await t.services.accounts.resolveSession(token)).not.toBeNull();
    clock.advance(1000);
    expect(await t.services.accounts.resolveSession(token)).toBeNull();
  });

  it('signing out, a role change and deactivation through this process apply to the next request', async () => {
    const { token } = await signedInAs(t.db, t.services, 'delegate');
    const first = await t.services.accounts.resolveSession(token);
    expect(first?.actor.roles).toEqual(['delegate']);

    const admin = await signedInAs(t.db, t.services, 'administrator');
    const adminActor = (await t.services.accounts.resolveSession(admin.token))?.actor;
    if (!adminActor || !first) throw new Error('both sessions resolve');
    await t.services.accounts.changeRoles(adminActor, first.actor.id, ['link-officer']);
    expect((await t.services.accounts.resolveSession(token))?.actor.roles).toEqual(['link-officer']);

    await t.services.accounts.signOut(first.sessionId, first.actor.id);
    expect(await t.services.accounts.resolveSession(token)).toBeNull();

    const other = await createUser(t.services, { role: 'investigator' });
    const otherToken = await createSession(t.db, other.id);
    expect(await t.services.accounts.resolveSession(otherToken)).not.toBeNull();
    await t.services.accounts.deactivate(adminActor, other.id);
    expect(await t.services.accounts.resolveSession(otherToken)).toBeNull();
  });

  it('an API token revoked by another process stops working within the cache time, through this one at once', async () => {
    const me = (token: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    const made = () =>
      t.services.apiTokens.createFromCommandLine({ name: 'Export', role: 'investigator', authorityId: null });

    const elsewhere = await made();
    expect((await me(elsewhere.token)).statusCode).toBe(200);
    // Another process revokes it: this one trusts what it read for up to a second.
    await t.db.kysely
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', elsewhere.id)
      .execute();
    expect((await me(elsewhere.token)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await me(elsewhere.token)).statusCode).toBe(401);

    const here = await made();
    expect((await me(here.token)).statusCode).toBe(200);
    const admin = await signedInAs(t.db, t.services, 'administrator');
    const adminActor = (await t.services.accounts.resolveSession(admin.token))?.actor;
    if (!adminActor) throw new Error('the administrator is signed in');
    await t.services.apiTokens.revoke(adminActor, here.id);
    expect((await me(here.token)).statusCode).toBe(401);
  });
});
