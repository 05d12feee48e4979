import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { emailKey } from '../../src/modules/newsletter/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';

// The progress figures as a deployment shows them: shared snapshots switched on (the other tests
// read every figure afresh), so an issue's counts are read once per 2 s and per state of the issue.
const clock = new FixedClock(new Date('2027-04-01T09:00:00Z'));
let t: TestApp;
let lead: Actor;
let leadId: string;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { DASHBOARD_CACHE_SECONDS: '5' } });
  const user = await createUser(t.services, { role: 'relationship-lead' });
  leadId = user.id;
  lead = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };
});

afterAll(async () => {
  await t.close();
});

/** Marks `n` more of the issue's messages as sent by the outbox, then lets the worker settle them. */
async function sendSome(issueId: string, n: number): Promise<void> {
  const waiting = await t.db.kysely
    .selectFrom('newsletter_deliveries as d')
    .innerJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
    .select('o.id')
    .where('d.issue_id', '=', issueId)
    .where('o.status', '=', 'queued')
    .limit(n)
    .execute();
  await t.db.kysely
    .updateTable('outbox_messages')
    .set({ status: 'sent', sent_at: clock.now() })
    .where(
      'id',
      'in',
      waiting.map((w) => w.id),
    )
    .execute();
  await t.services.newsletter.fanOut(issueId);
}

describe('the progress of an issue being sent', () => {
  it('shows counts read at most once every 2 seconds, and afresh when the issue is paused', async () => {
    for (let i = 0; i < 10; i++) {
      await t.db.kysely
        .insertInto('newsletter_subscribers')
        .values({
          email: `reader${i}@progress.example`,
          email_key: emailKey(`reader${i}@progress.example`),
          status: 'confirmed',
          created_at: clock.now(),
        })
        .execute();
    }
    const id = await t.services.newsletter.createIssue(lead, {
      subject: 'Progress',
      preheader: '',
      body: 'Text',
      topics: [],
    });
    await t.services.newsletter.send(lead, id);
    await t.services.newsletter.fanOut(id);
    const first = await t.services.newsletter.issue(lead, id);
    expect(first.progress).toMatchObject({ recipients: 10, sent: 0, failed: 0 });

    // Sent since, but within 2 s of the last read: the page, its figures and the service show the
    // counts as read.
    await sendSome(id, 3);
    const client = new TestClient(t.app).withSession(await createSession(t.db, leadId, clock.now()));
    const json = await client.request({ method: 'GET', url: `/staff/newsletter/issues/${id}/progress.json` });
    expect(json.json()).toMatchObject({ status: 'sending', recipients: 10, sent: 0 });
    expect((await t.services.newsletter.issue(lead, id)).progress.sent).toBe(0);

    // Two seconds on, they are read again.
    clock.advance(2000);
    expect((await t.services.newsletter.issue(lead, id)).progress).toMatchObject({ recipients: 10, sent: 3 });
    const page = await client.request({ method: 'GET', url: `/staff/newsletter/issues/${id}/progress` });
    expect(page.body).toContain('<dd class="govuk-summary-list__value" id="progress-sent">3</dd>');
    expect(page.body).toContain('The figures are brought up to date every few seconds.');

    // A pause is shown at once, with the counts as they are then.
    await sendSome(id, 2);
    await t.services.newsletter.pause(lead, id);
    const paused = await t.services.newsletter.issue(lead, id);
    expect(paused.status).toBe('paused');
    expect(paused.progress).toMatchObject({ recipients: 10, sent: 5 });
  });
});
