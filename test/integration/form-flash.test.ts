import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieNames } from '../../src/http/cookies.ts';
import { flashJobs } from '../../src/platform/flash/flash.jobs.ts';
import { FLASH_TTL_SECONDS } from '../../src/platform/flash/form-flashes.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { actorFor, createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

/**
 * A form sent back with errors keeps everything that was typed, however long: the errors and input
 * wait on the server for the next page, and the browser holds only a short key. Every cookie
 * Liaison sets stays far under the 4 KB a browser keeps.
 */

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;

/** The most a browser keeps of one cookie (name and value); a larger Set-Cookie is ignored. */
const BROWSER_COOKIE_LIMIT = 4096;

/** A TestClient that, like a browser, ignores any cookie too large to keep. */
class Browser extends TestClient {
  /** Every Set-Cookie header received, as sent. */
  readonly setCookieHeaders: string[] = [];

  override async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const before = new Map(this.cookies);
    const response = await super.request(options);
    const raw = response.headers['set-cookie'];
    this.setCookieHeaders.push(...(raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]));
    for (const c of response.cookies) {
      if (Buffer.byteLength(c.name + c.value) <= BROWSER_COOKIE_LIMIT) continue;
      const kept = before.get(c.name);
      if (kept === undefined) this.cookies.delete(c.name);
      else this.cookies.set(c.name, kept);
    }
    return response;
  }
}

/** Ordinary prose of exactly `length` characters, with no character HTML escapes. */
const prose = (length: number, start = 'The council did not inspect the property') =>
  `${start}. ${'It did not move the family and the damp grew worse each month. '.repeat(Math.ceil(length / 60))}`
    .slice(0, length - 1)
    .concat('.');

const flashRows = async () => t.db.kysely.selectFrom('form_flashes').select(['id', 'expires_at']).execute();

async function signedInInvestigator(): Promise<Browser> {
  const investigator = await actorFor(t.services, 'investigator');
  return new Browser(t.app).withSession(await sessionAt(t.db, investigator.id, clock.now()));
}

async function caseUnderInvestigation(): Promise<string> {
  const authority = await createEnquiryAuthority(t.db);
  return (await createComplaint(t.db, authority.id)).id;
}

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

describe('a form sent back with errors', () => {
  it('keeps a 50,000-character decision statement whole, with the error message, when no outcome was chosen', async () => {
    const browser = await signedInInvestigator();
    const id = await caseUnderInvestigation();
    const statement = prose(50_000, 'Decision statement on the damp');
    expect(statement).toHaveLength(50_000);

    const sent = await browser.post(`/staff/complaints/${id}/decision/final`, { statement });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/staff/complaints/${id}/decision/final`);

    const page = await browser.get(`/staff/complaints/${id}/decision/final`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('There is a problem');
    expect(page.body).toContain('Choose the outcome');
    expect(page.body).toContain(statement);
    // Nothing was decided.
    const complaint = await t.db.kysely
      .selectFrom('complaints')
      .select('outcome')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(complaint.outcome).toBeNull();
  });

  it('gives a visitor without a session their long answers back on the public complaint form', async () => {
    const visitor = new Browser(t.app);
    const summary = prose(12_000, 'What happened to us');
    const sent = await visitor.post('/complain/what-happened', { summary });
    expect(sent.statusCode).toBe(303);
    expect(visitor.cookies.has(cookieNames(false).session)).toBe(false);

    const page = await visitor.get('/complain/what-happened');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your answer must be 10,000 characters or fewer');
    expect(page.body).toContain(summary);

    // A 3,000-character name on the contact details page, sent with no email address.
    const name = 'Bethan '.repeat(430).slice(0, 3000);
    await visitor.post('/complain/your-details', { name, email: '' });
    const details = await visitor.get('/complain/your-details');
    expect(details.body).toContain('Full name must be 320 characters or fewer');
    expect(details.body).toContain('Enter email address');
    expect(details.body).toContain(`value="${name}"`);
  });

  it('is shown once: the next page has it, the one after does not, and its row is gone', async () => {
    const browser = await signedInInvestigator();
    const id = await caseUnderInvestigation();
    const statement = prose(6_000, 'Shown once');
    const before = (await flashRows()).length;

    await browser.post(`/staff/complaints/${id}/decision/final`, { statement });
    expect(await flashRows()).toHaveLength(before + 1);

    const first = await browser.get(`/staff/complaints/${id}/decision/final`);
    expect(first.body).toContain(statement);
    expect(await flashRows()).toHaveLength(before);

    const second = await browser.get(`/staff/complaints/${id}/decision/final`);
    expect(second.statusCode).toBe(200);
    expect(second.body).not.toContain('Shown once');
    expect(second.body).not.toContain('Choose the outcome');
  });

  it('never keeps a password: sign-in keeps the long email address typed, not the password', async () => {
    const visitor = new Browser(t.app);
    const email = `${'a'.repeat(5_000)}@example.org`;
    const password = 'correct horse battery staple, never stored';
    await visitor.post('/sign-in', { email, password });
    const payloads = await t.db.kysely.selectFrom('form_flashes').select('payload').execute();
    const stored = JSON.stringify(payloads.map((p) => p.payload));
    expect(stored).toContain(email);
    expect(stored).not.toContain(password);

    const page = await visitor.get('/sign-in');
    expect(page.body).toContain('Email address must be 320 characters or fewer');
    expect(page.body).toContain(email);
    expect(page.body).not.toContain(password);
  });

  it('is swept once expired, unread; a flash still fresh is left for its page', async () => {
    const browser = await signedInInvestigator();
    const id = await caseUnderInvestigation();
    await t.db.kysely.deleteFrom('form_flashes').execute();

    await browser.post(`/staff/complaints/${id}/decision/final`, { statement: prose(5_000, 'Never read') });
    const [unread] = await flashRows();
    expect(unread?.expires_at.getTime()).toBe(clock.now().getTime() + FLASH_TTL_SECONDS * 1000);

    // Five minutes and a second later, another form fails elsewhere.
    clock.set(new Date(clock.now().getTime() + (FLASH_TTL_SECONDS + 1) * 1000));
    const other = new Browser(t.app);
    await other.post('/complain/what-happened', { summary: '' });

    const sweep = flashJobs(t.services.formFlashes).find((job) => job.name === 'flash.sweep-expired');
    expect(sweep).toBeDefined();
    await sweep?.handler({}, { jobId: 'sweep', retryCount: 0, logger: createLogger('silent') });

    const left = await flashRows();
    expect(left).toHaveLength(1);
    expect(left[0]?.id).not.toBe(unread?.id);
    // The expired flash's page shows nothing of it.
    const late = await browser.get(`/staff/complaints/${id}/decision/final`);
    expect(late.body).not.toContain('Never read');
    // The fresh one is still shown on its page.
    expect((await other.get('/complain/what-happened')).body).toContain('Enter what happened');
    expect(await t.services.formFlashes.sweepExpired()).toBe(0);
  });
});

describe('cookies', () => {
  it('every cookie Liaison sets stays under 4 KB, however much a failed form carried', async () => {
    const staff = await signedInInvestigator();
    const id = await caseUnderInvestigation();
    await staff.post(`/staff/complaints/${id}/decision/final`, { statement: prose(50_000) });
    await staff.get(`/staff/complaints/${id}/decision/final`);

    const visitor = new Browser(t.app);
    await visitor.post('/complain/what-happened', { summary: prose(50_000) });
    await visitor.get('/complain/what-happened');
    await visitor.post('/sign-in', { email: 'a'.repeat(50_000), password: 'x' });
    await visitor.get('/sign-in');

    const headers = [...staff.setCookieHeaders, ...visitor.setCookieHeaders];
    expect(headers.some((h) => h.startsWith(`${cookieNames(false).flash}=`))).toBe(true);
    for (const header of headers) expect(Buffer.byteLength(header), header.slice(0, 80)).toBeLessThan(4096);
    // The flash cookie is the key alone: the same size whatever the form carried.
    const flashValues = headers
      .filter((h) => h.startsWith(`${cookieNames(false).flash}=`) && !h.startsWith(`${cookieNames(false).flash}=;`))
      .map((h) => h.split(';')[0]?.split('=')[1] ?? '');
    expect(flashValues.length).toBeGreaterThan(0);
    for (const value of flashValues) expect(value).toMatch(/^[\w-]{43}$/);
  });
});
