import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority, createUser } from '../support/factories.ts';
import { actorFor, createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

/**
 * Values PostgreSQL or the calendar cannot hold, sent the ways a person or a program can send them:
 * each is a clear field error and changes nothing, never a 500.
 */

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;
let staffToken: string;
let admin: TestClient;

const NUL = 'a\u0000b';

/** A complaint as the API takes it, with only what is required. */
const apiComplaint = (authorityId: string) => ({
  authorityId,
  serviceArea: 'housing',
  complainant: { name: 'Bethan Morgan', email: 'bethan@example.org' },
  summary: 'Repairs not done',
  authorityProcessFinished: true,
  consentToShare: true,
});

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
  staffToken = (
    await t.services.apiTokens.createFromCommandLine({ name: 'Boundary', role: 'administrator', authorityId: null })
  ).token;
  const administrator = await createUser(t.services, { role: 'administrator' });
  admin = new TestClient(t.app).withSession(await sessionAt(t.db, administrator.id, clock.now()));
});
afterAll(async () => {
  await t.close();
});

const auditCount = async () =>
  Number(
    (
      await t.db.kysely
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function api(method: 'POST' | 'PATCH', url: string, body: unknown, token = staffToken) {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

describe('control characters', () => {
  it('are a field error in any JSON field, with nothing stored', async () => {
    const before = await auditCount();
    const authorityId = await createAuthority(t.db);
    const afterSetUp = await auditCount();
    const cases = [
      await api('PATCH', `/authorities/${authorityId}`, { name: NUL }),
      await api('POST', '/complaints', { ...apiComplaint(authorityId), summary: `Summary ${NUL}` }),
      await api('POST', '/complaints', {
        ...apiComplaint(authorityId),
        complainant: { name: 'Lone \ud800 half', email: 'lone@example.org' },
      }),
    ];
    for (const res of cases) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const problem = res.json<{ errors: { pointer: string; detail: string }[] }>();
      expect(problem.errors.length).toBeGreaterThan(0);
    }
    expect(cases[0]?.json<{ errors: { pointer: string }[] }>().errors[0]?.pointer).toBe('/name');
    expect(await auditCount()).toBe(afterSetUp);
    expect(afterSetUp).toBeGreaterThanOrEqual(before);
  });

  it('are a field error on a public form, which comes back with what was typed', async () => {
    const visitor = new TestClient(t.app);
    await visitor.get('/complain/what-happened');
    const res = await visitor.post('/complain/what-happened', { summary: `The council ${NUL} lost my letter` });
    expect(res.statusCode).toBe(303);
    const page = await visitor.get(res.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('There is a problem');
    expect(page.body).toContain('Remove the invisible control characters from this answer');
    expect(page.body).toContain('The council ab lost my letter');
  });

  it('are refused on sign-in and the change of link officer form without a 500', async () => {
    const visitor = new TestClient(t.app);
    for (const [url, form] of [
      ['/sign-in', { email: `someone${NUL}@example.org`, password: 'wrong-password-1' }],
      ['/link-officer-change', { q: NUL, authority: NUL, name: NUL }],
    ] as const) {
      const res = await visitor.post(url, form);
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(303);
      const page = await visitor.get(res.headers.location as string);
      expect(page.body).toContain('Remove the invisible control characters from this answer');
    }
  });

  it('in a query string are a 400 page with the GOV.UK error summary', async () => {
    const res = await admin.get('/staff/audit?q=a%00b');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('Remove the invisible control characters from this answer');
  });
});

describe('dates', () => {
  it('outside 1900–2100 are a field error in the API', async () => {
    const authorityId = await createAuthority(t.db);
    for (const awareDate of ['0000-01-01', '1899-12-31', '2101-01-01', '2026-02-29']) {
      const res = await api('POST', '/complaints', { ...apiComplaint(authorityId), awareDate });
      expect(res.statusCode, `${awareDate}: ${res.body}`).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('awareDate');
    }
  });

  it('that do not exist are a field error on the portal disclosure form', async () => {
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    const issued = await t.services.decisions.issueDraft(investigator, complaint.id, {
      sections: {
        complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
        findings: 'The council did not inspect the property.',
        proposedRemedy: 'Apologise.',
        decision: 'We find fault causing injustice.',
      },
    });
    const linkOfficer = await createUser(t.services, { role: 'link-officer', authorityId: authority.id });
    const officer = new TestClient(t.app).withSession(await sessionAt(t.db, linkOfficer.id, clock.now()));
    const url = `/portal/complaints/${complaint.id}/decision/disclosures`;
    for (const [day, month] of [
      ['31', '11'],
      ['99', '12'],
    ] as const) {
      const res = await officer.post(url, {
        draftId: issued.draftId,
        shownTo: 'The housing officer',
        'shownOn-day': day,
        'shownOn-month': month,
        'shownOn-year': '2026',
        withEvidence: 'yes',
      });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
      const page = await officer.get(res.headers.location as string);
      expect(page.body).toContain('Enter the date they were shown it, as a real date');
    }
    const rows = await t.db.kysely
      .selectFrom('draft_disclosures')
      .select('id')
      .where('draft_id', '=', issued.draftId)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('filters on the staff case list', () => {
  it('that are not valid are a 400 page naming the filter, never a 500', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    const investigatorClient = new TestClient(t.app).withSession(await sessionAt(t.db, user.id, clock.now()));
    for (const query of ['status=x', 'authorityId=1', 'serviceArea=x', 'urgent=x', 'overdue=x', 'investigatorId=zzz']) {
      const res = await investigatorClient.get(`/staff/complaints?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.body).toContain('govuk-error-summary');
    }
  });
});
