import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/factories.ts';
import { actorFor, createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

// Monday 14 December 2026, 08:00 in London.
const clock = new FixedClock(new Date('2026-12-14T08:00:00Z'));
let t: TestApp;
let investigator: Actor;
let busy: { id: string; name: string; reference: string; enquiryId: string };
let officers: { id: string; email: string }[];
let quietOfficer: { id: string; email: string };

const at = (iso: string) => clock.set(new Date(iso));

const digestsTo = (emails: string[]) =>
  t.db.kysely
    .selectFrom('outbox_messages')
    .select(['to_address', 'subject', 'text_body', 'html_body', 'headers'])
    .where('kind', '=', 'weekly-digest')
    .where('to_address', 'in', emails)
    .orderBy('created_at')
    .execute();

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
  const authority = await createEnquiryAuthority(t.db);
  // An enquiry sent in October: overdue by December, so in every week's email until answered.
  at('2026-10-01T10:00:00Z');
  const complaint = await createComplaint(t.db, authority.id);
  const sent = await t.services.enquiries.send(investigator, complaint.id, { kind: 'enquiry', questions: ['Why?'] });
  busy = { id: authority.id, name: authority.name, reference: complaint.reference, enquiryId: sent.id };
  officers = [
    await createUser(t.services, { role: 'link-officer', authorityId: authority.id, displayName: 'Ffion Officer' }),
    await createUser(t.services, { role: 'link-officer', authorityId: authority.id, displayName: 'Gwen Officer' }),
  ];
  // A delegate of the same authority gets no weekly email.
  await createUser(t.services, { role: 'delegate', authorityId: authority.id });
  const quiet = await createEnquiryAuthority(t.db);
  quietOfficer = await createUser(t.services, { role: 'link-officer', authorityId: quiet.id });
  at('2026-12-14T08:00:00Z');
});
afterAll(async () => {
  await t.close();
});

describe('the weekly email to link officers', () => {
  it('is not sent before 07:00 on Monday, nor on other days', async () => {
    at('2026-12-14T06:30:00Z');
    await expect(t.services.home.sendWeeklyDigestsWhenDue()).resolves.toBeNull();
    at('2026-12-13T12:00:00Z');
    await expect(t.services.home.sendWeeklyDigestsWhenDue()).resolves.toBeNull();
    expect(await digestsTo([...officers.map((o) => o.email), quietOfficer.email])).toHaveLength(0);
  });

  it('goes once to each link officer with something due, and not to one with nothing due', async () => {
    at('2026-12-14T08:00:00Z');
    const result = await t.services.home.sendWeeklyDigestsWhenDue();
    expect(result?.sent).toBeGreaterThanOrEqual(2);
    const mail = await digestsTo(officers.map((o) => o.email));
    expect(mail.map((m) => m.to_address).sort()).toEqual(officers.map((o) => o.email).sort());
    const first = mail[0];
    expect(first?.subject).toBe(`What falls due for ${busy.name} by 30 December 2026`);
    expect(first?.text_body).toContain(`Enquiry 1 on complaint ${busy.reference}, was due`);
    expect(first?.text_body).toContain('(late)');
    expect(first?.text_body).toContain(`/portal/enquiries/${busy.enquiryId}`);
    expect(first?.text_body).toMatch(/\/weekly-email\/stop\/[\w-]{43}/);
    expect(first?.html_body).toContain('Stop these weekly emails');
    expect(JSON.stringify(first?.headers)).toContain('List-Unsubscribe');
    expect(await digestsTo([quietOfficer.email])).toHaveLength(0);
  });

  it('sends nothing on a second run in the same week', async () => {
    at('2026-12-14T15:00:00Z');
    const again = await t.services.home.sendWeeklyDigestsWhenDue();
    expect(again).toEqual({ sent: 0, nothingDue: 0 });
    expect(await digestsTo(officers.map((o) => o.email))).toHaveLength(2);
  });

  it('stops from the link in the email without signing in, and can be turned back on from Your account', async () => {
    const [ffion, gwen] = officers;
    if (!ffion || !gwen) throw new Error('two officers');
    const [mail] = await digestsTo([ffion.email]);
    const stopPath = /\/weekly-email\/stop\/[\w-]{43}/.exec(mail?.text_body ?? '')?.[0] ?? '';
    const visitor = new TestClient(t.app);
    // Opening the link (as a mail scanner does) only asks; the button stops it.
    const asked = await visitor.get(stopPath);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Stop the weekly email');
    expect(await t.services.home.digestStopLink(stopPath.split('/').pop() ?? '')).toBe('on');
    const stop = await visitor.post(stopPath, {});
    expect(stop.statusCode).toBe(303);
    const stopped = await visitor.get(stopPath);
    expect(stopped.statusCode).toBe(200);
    expect(stopped.body).toContain('You will not get the weekly email');
    // Stopping it again changes nothing; a made-up link is not recognised.
    expect((await visitor.post(stopPath, {})).statusCode).toBe(303);
    expect((await visitor.get(`/weekly-email/stop/${'x'.repeat(43)}`)).statusCode).toBe(404);

    // The next Monday: Gwen gets it, Ffion does not.
    at('2026-12-21T08:00:00Z');
    await t.services.home.sendWeeklyDigestsWhenDue();
    expect((await digestsTo([gwen.email])).length).toBe(2);
    expect((await digestsTo([ffion.email])).length).toBe(1);

    // Ffion turns it back on from Your account.
    const client = new TestClient(t.app).withSession(await sessionAt(t.db, ffion.id, clock.now()));
    const account = await client.get('/account');
    expect(account.body).toContain('href="/account/weekly-email"');
    const settings = await client.get('/account/weekly-email');
    expect(settings.statusCode).toBe(200);
    expect(settings.body).toContain('You do not get the weekly email');
    const on = await client.post('/account/weekly-email', { weeklyEmail: 'on' });
    expect(on.statusCode).toBe(303);
    expect((await client.get('/account/weekly-email')).body).toContain('You get the weekly email');
    const audited = await t.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'actor_type'])
      .where('record_id', '=', ffion.id)
      .where('action', 'like', 'weekly-email.%')
      .orderBy('occurred_at')
      .execute();
    expect(audited.map((a) => [a.action, a.actor_type])).toEqual([
      ['weekly-email.stopped-from-link', 'system'],
      ['weekly-email.turned-on', 'user'],
    ]);

    at('2026-12-28T08:00:00Z');
    await t.services.home.sendWeeklyDigestsWhenDue();
    expect((await digestsTo([ffion.email])).length).toBe(2);
  });

  it("stops by a mail client's one-click unsubscribe, and refuses a link not sent", async () => {
    const [, gwen] = officers;
    if (!gwen) throw new Error('two officers');
    const [latest] = (await digestsTo([gwen.email])).slice(-1);
    const headers = (latest?.headers ?? {}) as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<([^>]+)>$/.exec(headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/api\/v1\/weekly-email\/stop\/[\w-]{43}$/);
    const post = (to: string) =>
      t.app.inject({
        method: 'POST',
        url: to,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
    expect((await post(`${path.slice(0, -2)}zz`)).statusCode).toBe(404);
    expect(await t.services.home.digestStopLink(path.split('/').pop() ?? '')).toBe('on');
    expect((await post(path)).statusCode).toBe(200);
    expect(await t.services.home.digestStopLink(path.split('/').pop() ?? '')).toBe('stopped');
    at('2027-01-04T08:00:00Z');
    const before = (await digestsTo([gwen.email])).length;
    await t.services.home.sendWeeklyDigestsWhenDue();
    expect((await digestsTo([gwen.email])).length).toBe(before);
  });
});
