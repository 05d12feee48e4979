import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TotpSecretBox, encryptTotpSecrets } from '../../src/modules/accounts/totp-secrets.ts';
import { totpCode } from '../../src/modules/accounts/two-factor.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createUser, storedTotpSecret } from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const PLAIN = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** A staff member whose secret was stored in plain text, as before secrets were encrypted. */
async function withPlainSecret() {
  const user = await createUser(t.services, { role: 'investigator' });
  await t.db.kysely
    .updateTable('users')
    .set({ totp_secret: PLAIN, totp_enabled_at: new Date() })
    .where('id', '=', user.id)
    .execute();
  return user;
}

describe('encrypting two-factor secrets stored in plain text', () => {
  it('encrypts them once, leaves them alone when run again, and sign-in still accepts their codes', async () => {
    const user = await withPlainSecret();
    const first = await t.services.accounts.encryptTotpSecrets();
    expect(first.encrypted).toBeGreaterThanOrEqual(1);
    expect(first.unreadable).toBe(0);
    const sealed = await storedTotpSecret(t.db, user.id);
    expect(sealed).not.toContain(PLAIN);
    expect(new TotpSecretBox(t.config.TOTP_ENCRYPTION_KEYS).open(user.id, sealed ?? '')).toBe(PLAIN);

    const again = await t.services.accounts.encryptTotpSecrets();
    expect(again).toEqual({ encrypted: 0, reencrypted: 0, unreadable: 0 });
    expect(await storedTotpSecret(t.db, user.id)).toBe(sealed);

    const client = new TestClient(t.app);
    expect((await client.post('/sign-in', { email: user.email, password: user.password })).headers.location).toBe(
      '/sign-in/two-factor',
    );
    const done = await client.post('/sign-in/two-factor', { code: await totpCode(PLAIN, new Date()) });
    expect(done.headers.location).toBe('/staff');
  });

  it('re-encrypts under the newest key when a new one is put first, and reports secrets it cannot open', async () => {
    const user = await withPlainSecret();
    const old = { id: 'old', key: Buffer.alloc(32, 1) };
    const newest = { id: 'newest', key: Buffer.alloc(32, 2) };
    await encryptTotpSecrets(t.db.kysely, new TotpSecretBox([old]));
    expect(await storedTotpSecret(t.db, user.id)).toMatch(/^t1:old:/);

    const rotated = new TotpSecretBox([newest, old]);
    const moved = await encryptTotpSecrets(t.db.kysely, rotated);
    expect(moved.reencrypted).toBeGreaterThanOrEqual(1);
    const sealed = await storedTotpSecret(t.db, user.id);
    expect(sealed).toMatch(/^t1:newest:/);
    expect(new TotpSecretBox([newest]).open(user.id, sealed ?? '')).toBe(PLAIN);
    // Secrets of this test file's other users are under the application's key, which this ring lacks.
    expect(await encryptTotpSecrets(t.db.kysely, rotated)).toMatchObject({ encrypted: 0, reencrypted: 0 });
    expect(await storedTotpSecret(t.db, user.id)).toBe(sealed);

    // A key ring without the newest key cannot open it, and says so rather than overwriting it.
    const without = await encryptTotpSecrets(t.db.kysely, new TotpSecretBox([old]));
    expect(without.unreadable).toBeGreaterThanOrEqual(1);
    expect(await storedTotpSecret(t.db, user.id)).toBe(sealed);

    // Put the application's own key back for the other tests.
    await encryptTotpSecrets(t.db.kysely, new TotpSecretBox([...t.config.TOTP_ENCRYPTION_KEYS, newest]));
    expect(
      new TotpSecretBox(t.config.TOTP_ENCRYPTION_KEYS).open(user.id, (await storedTotpSecret(t.db, user.id)) ?? ''),
    ).toBe(PLAIN);
  });

  it('turns two-factor on with a known secret, stored encrypted', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    await t.services.accounts.turnOnTwoFactor(user.id, PLAIN);
    const sealed = await storedTotpSecret(t.db, user.id);
    expect(sealed).not.toContain(PLAIN);
    expect(new TotpSecretBox(t.config.TOTP_ENCRYPTION_KEYS).open(user.id, sealed ?? '')).toBe(PLAIN);
  });
});
