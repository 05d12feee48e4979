import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  demoTotpSecret,
  loadDemoData,
  readReferenceAuthorities,
} from '../../src/cli/demo-data.ts';
import { TotpSecretBox } from '../../src/modules/accounts/totp-secrets.ts';
import { totpCode, totpCodeIsValid } from '../../src/modules/accounts/two-factor.ts';
import { ROLES, isStaffRole } from '../../src/modules/accounts/domain.ts';
import { parseUkPhone } from '../../src/modules/link-officers/domain.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await loadDemoData({ db: t.db, services: t.services, clock: t.clock });
});
afterAll(async () => {
  await t.close();
});

describe('the demo data', () => {
  it('holds real English councils of every kind', async () => {
    const rows = await t.db.kysely.selectFrom('authorities').select(['name', 'kind', 'reference']).execute();
    expect(rows.map((r) => r.name)).toContain('London Borough of Camden');
    expect(new Set(rows.map((r) => r.kind))).toEqual(
      new Set(['county', 'district', 'unitary', 'metropolitan', 'london-borough']),
    );
    for (const row of rows) expect(row.reference).toMatch(/^E\d{8}$/);
  });

  it('gives every person a phone number the forms would accept as it is, so a demo record can be saved unchanged', async () => {
    const phones = [
      ...(await t.db.kysely.selectFrom('link_officers').select('phone').execute()),
      ...(await t.db.kysely.selectFrom('complaint_parties').select('phone').where('phone', 'is not', null).execute()),
    ].map((r) => r.phone ?? '');
    expect(phones.length).toBeGreaterThan(5);
    for (const phone of phones) {
      const parsed = parseUkPhone(phone);
      expect(parsed.ok ? parsed.e164 : `invalid: ${phone}`).toBe(phone);
    }
  });

  it('has one account per role, each signing in with the published password', async () => {
    expect(DEMO_ACCOUNTS.map((a) => a.role).sort()).toEqual([...ROLES].sort());
    for (const account of DEMO_ACCOUNTS) {
      const started = await t.services.accounts.signIn(account.email, DEMO_PASSWORD, '192.0.2.1');
      // Staff go on to two-factor authentication, already set up; authority users are in.
      expect(started.stage).toBe(isStaffRole(account.role) ? 'mfa' : 'active');
    }
  });

  it('gives staff an authenticator secret whose current code the sign-in accepts', async () => {
    const staff = DEMO_ACCOUNTS.filter((a) => isStaffRole(a.role));
    for (const account of staff) {
      const user = await t.db.kysely
        .selectFrom('users')
        .select(['id', 'totp_secret', 'totp_enabled_at'])
        .where('email', '=', account.email)
        .executeTakeFirstOrThrow();
      expect(user.totp_enabled_at).not.toBeNull();
      // Stored encrypted, like every two-factor secret.
      expect(user.totp_secret).not.toContain(demoTotpSecret(account.email));
      const secret = new TotpSecretBox(t.config.TOTP_ENCRYPTION_KEYS).open(user.id, user.totp_secret ?? '');
      expect(secret).toBe(demoTotpSecret(account.email));
      const now = new Date();
      expect(await totpCodeIsValid(secret ?? '', await totpCode(demoTotpSecret(account.email), now), now)).toBe(true);
    }
  });

  it('puts the authority users in one council', async () => {
    const rows = await t.db.kysely
      .selectFrom('users')
      .leftJoin('authorities', 'authorities.id', 'users.authority_id')
      .select(['users.email', 'authorities.name'])
      .where('users.authority_id', 'is not', null)
      .execute();
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(['London Borough of Camden']));
  });
});

describe('the reference list of councils', () => {
  it('reads every current English council with its kind and region', () => {
    const all = readReferenceAuthorities();
    expect(all.length).toBe(316);
    const leeds = all.find((a) => a.code === 'LDS');
    expect(leeds).toEqual({
      code: 'LDS',
      name: 'Leeds City Council',
      gssCode: 'E08000035',
      region: 'Yorkshire and the Humber',
      kind: 'metropolitan',
    });
    expect(all.every((a) => a.region !== null)).toBe(true);
  });
});
