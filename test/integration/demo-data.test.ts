import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/cli/demo-data.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, demoTotpSecret, readReferenceAuthorities } from '../../src/cli/demo-fixtures.ts';
import { TotpSecretBox } from '../../src/modules/accounts/totp-secrets.ts';
import { totpCode, totpCodeIsValid } from '../../src/modules/accounts/two-factor.ts';
import { ROLES, isStaffRole } from '../../src/modules/accounts/domain.ts';
import { isAuthorityKind, servicesRunBy, type ServiceArea } from '../../src/modules/authorities/domain.ts';
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

  it('has every complaint, and every head of service, in a service its council runs', async () => {
    const complaints = await t.db.kysely
      .selectFrom('complaints')
      .innerJoin('authorities', 'authorities.id', 'complaints.authority_id')
      .select(['complaints.service_area', 'authorities.kind', 'authorities.name'])
      .execute();
    expect(complaints.length).toBeGreaterThan(10);
    for (const c of complaints) {
      const runs: readonly string[] = isAuthorityKind(c.kind) ? servicesRunBy(c.kind) : [];
      expect(runs, `${c.name} (${c.kind}): a complaint about ${c.service_area}`).toContain(c.service_area);
    }
    const district = complaints.filter((c) => c.kind === 'district').map((c) => c.service_area);
    expect(district.length).toBeGreaterThan(0);
    expect(district).not.toContain('adult-social-care');

    const heads = await t.db.kysely
      .selectFrom('senior_officers')
      .innerJoin('authorities', 'authorities.id', 'senior_officers.authority_id')
      .select(['senior_officers.service_area', 'authorities.kind', 'authorities.name'])
      .where('senior_officers.role', '=', 'head-of-service')
      .execute();
    expect(heads.length).toBeGreaterThan(5);
    for (const h of heads) {
      const runs: readonly string[] = isAuthorityKind(h.kind) ? servicesRunBy(h.kind) : [];
      expect(runs, `${h.name} (${h.kind}): a head of ${h.service_area}`).toContain(h.service_area ?? '');
    }
  });

  it('asks and finds, in every enquiry and draft, about what its complaint is about', async () => {
    // What a complaint in each service area is about, as its texts must name it.
    const SUBJECT: Record<ServiceArea, RegExp> = {
      housing: /damp/i,
      'adult-social-care': /care package/i,
      'childrens-services': /short breaks/i,
      education: /school transport/i,
      planning: /planning/i,
      'highways-transport': /pothole/i,
      'benefits-tax': /council tax/i,
      'environmental-services': /bin collection/i,
      'corporate-other': /records/i,
    };
    const subjectOf = (area: string): RegExp => (SUBJECT as Record<string, RegExp | undefined>)[area] ?? /^$/;
    const others = (area: string) => Object.entries(SUBJECT).filter(([a]) => a !== area);

    const enquiries = await t.db.kysely
      .selectFrom('enquiries')
      .innerJoin('complaints', 'complaints.id', 'enquiries.complaint_id')
      .innerJoin('enquiry_questions', 'enquiry_questions.enquiry_id', 'enquiries.id')
      .select(['enquiries.id', 'complaints.service_area', 'enquiry_questions.text'])
      .where('enquiries.kind', '=', 'enquiry')
      .execute();
    const byEnquiry = new Map<string, { area: string; texts: string[] }>();
    for (const e of enquiries) {
      const entry = byEnquiry.get(e.id) ?? { area: e.service_area, texts: [] };
      entry.texts.push(e.text);
      byEnquiry.set(e.id, entry);
    }
    expect(byEnquiry.size).toBeGreaterThan(0);
    expect(new Set([...byEnquiry.values()].map((e) => e.area)).size).toBeGreaterThan(1);
    for (const { area, texts } of byEnquiry.values()) {
      const all = texts.join('\n');
      expect(all, `an enquiry about ${area}`).toMatch(subjectOf(area));
      for (const [other, word] of others(area)) expect(all, `an enquiry about ${area}, not ${other}`).not.toMatch(word);
    }

    const drafts = await t.db.kysely
      .selectFrom('draft_decisions')
      .innerJoin('complaints', 'complaints.id', 'draft_decisions.complaint_id')
      .select([
        'complaints.service_area',
        'draft_decisions.complaint_text',
        'draft_decisions.findings_text',
        'draft_decisions.proposed_remedy_text',
      ])
      .execute();
    expect(drafts.length).toBeGreaterThan(0);
    for (const d of drafts) {
      const area = d.service_area;
      expect(d.complaint_text, `a draft about ${area}: the complaint`).toMatch(subjectOf(area));
      expect(d.findings_text, `a draft about ${area}: what was found`).toMatch(subjectOf(area));
      const all = `${d.findings_text}\n${d.proposed_remedy_text}`;
      for (const [other, word] of others(area)) expect(all, `a draft about ${area}, not ${other}`).not.toMatch(word);
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
