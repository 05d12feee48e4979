import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { actorFor, createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London; the home's panels kept for 5 seconds, as in production.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;

async function signedIn(actor: Actor) {
  return new TestClient(t.app).withSession(await sessionAt(t.db, actor.id, clock.now()));
}

const heading = (html: string, id: string): string => {
  const match = new RegExp(`id="${id}-heading">([^<]*)<`).exec(html);
  return match?.[1] ?? '';
};

beforeAll(async () => {
  t = await createTestApp({ clock, env: { DASHBOARD_CACHE_SECONDS: '5' } });
  investigator = await actorFor(t.services, 'investigator');
});
afterAll(async () => {
  await t.close();
});

describe("the authority's home kept for a few seconds", () => {
  it("is shared by the authority's link officers, shows the ombudsman's changes within the bound, and a link officer's own change at once", async () => {
    const authority = await createEnquiryAuthority(t.db);
    const officer = await actorFor(t.services, 'link-officer', authority.id);
    const colleague = await actorFor(t.services, 'link-officer', authority.id);
    const delegate = await actorFor(t.services, 'delegate', authority.id);
    const first = await createComplaint(t.db, authority.id);
    const enquiry = await t.services.enquiries.send(investigator, first.id, { kind: 'enquiry', questions: ['Why?'] });
    const officerClient = await signedIn(officer);
    const colleagueClient = await signedIn(colleague);

    expect(heading((await officerClient.get('/portal')).body, 'enquiries')).toBe('Enquiries to answer (1)');

    // The ombudsman sends another enquiry: both link officers see the snapshot until it is 5 seconds old.
    const second = await createComplaint(t.db, authority.id);
    await t.services.enquiries.send(investigator, second.id, { kind: 'enquiry', questions: ['When?'] });
    clock.advance(4000);
    expect(heading((await officerClient.get('/portal')).body, 'enquiries')).toBe('Enquiries to answer (1)');
    expect(heading((await colleagueClient.get('/portal')).body, 'enquiries')).toBe('Enquiries to answer (1)');
    clock.advance(1000);
    expect(heading((await officerClient.get('/portal')).body, 'enquiries')).toBe('Enquiries to answer (2)');

    // The link officer delegates the first enquiry: the page they land on next shows it at once.
    expect(heading((await officerClient.get('/portal')).body, 'tasks')).toBe('Tasks delegated to colleagues (0)');
    const posted = await officerClient.post(`/portal/enquiries/${enquiry.id}/delegate`, {
      target: 'enquiry',
      delegateUserId: delegate.id,
      'internalDueDate-day': '18',
      'internalDueDate-month': '12',
      'internalDueDate-year': '2026',
    });
    expect(posted.statusCode).toBe(303);
    const after = (await officerClient.get('/portal')).body;
    expect(heading(after, 'tasks')).toBe('Tasks delegated to colleagues (1)');
    expect(after).toContain(first.reference);
    expect(heading((await colleagueClient.get('/portal')).body, 'tasks')).toBe('Tasks delegated to colleagues (1)');
    // The delegate's home is their own.
    expect(heading((await (await signedIn(delegate)).get('/portal')).body, 'tasks')).toBe('Your tasks (1)');
  });

  it("never shows one authority's snapshot to another", async () => {
    const [a, b] = [await createEnquiryAuthority(t.db), await createEnquiryAuthority(t.db)];
    const complaint = await createComplaint(t.db, a.id);
    await t.services.enquiries.send(investigator, complaint.id, { kind: 'enquiry', questions: ['Why?'] });
    const officerA = await signedIn(await actorFor(t.services, 'link-officer', a.id));
    const officerB = await signedIn(await actorFor(t.services, 'link-officer', b.id));
    expect((await officerA.get('/portal')).body).toContain(complaint.reference);
    const other = (await officerB.get('/portal')).body;
    expect(heading(other, 'enquiries')).toBe('Enquiries to answer (0)');
    expect(other).not.toContain(complaint.reference);
  });
});
