import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailGateway } from '../../src/platform/mail/inbound.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, signedInAs } from '../support/factories.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { authorityWithOfficers, createComplaint, sendToGateway, startTestGateway } from './correspondence.fixtures.ts';

let t: TestApp;
let sink: SmtpSink;
let gateway: MailGateway;
const DOMAIN = 'liaison.test';

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ env: { SMTP_URL: sink.url, MAIL_DOMAIN: DOMAIN } });
  gateway = await startTestGateway(t, DOMAIN);
});
afterAll(async () => {
  await gateway.close();
  t.services.mailSender.close();
  await t.close();
  await sink.close();
});

/** Writes an item as the system, dispatches it and sends the outbox, as the worker would. */
async function send(complaintId: string, to: 'link-officers' | 'complainant', subject: string) {
  const itemId = await t.db.kysely.transaction().execute((trx) =>
    t.services.correspondence.write(trx, {
      complaintId,
      kind: 'message',
      addressees: [to],
      subject,
      text: 'Please tell us what happened.',
      actor: null,
    }),
  );
  await t.services.correspondence.dispatch(itemId);
  await t.services.mailSender.sendDue();
  return itemId;
}

const threadOf = async (complaintId: string, audience: 'authority' | 'complainant') =>
  t.db.kysely
    .selectFrom('correspondence_threads')
    .selectAll()
    .where('complaint_id', '=', complaintId)
    .where('audience', '=', audience)
    .executeTakeFirstOrThrow();

/** The timeline's entries as "title | byline" (whitespace collapsed). */
const entries = (html: string) =>
  [...html.matchAll(/<div class="moj-timeline__item"[\s\S]*?<\/div>\s*<p class="moj-timeline__date">/g)].map((m) => {
    const title = /<h3 class="moj-timeline__title">([\s\S]*?)<\/h3>/.exec(m[0])?.[1] ?? '';
    const byline = /<p class="moj-timeline__byline">([\s\S]*?)<\/p>/.exec(m[0])?.[1] ?? '';
    const plain = (s: string) =>
      s
        .replace(/<[^>]+>/g, '')
        .replace(/&#39;|&#x27;/g, "'")
        .replace(/&amp;/g, '&')
        .replace(/\s+/g, ' ')
        .trim();
    return `${plain(title)} | ${plain(byline)}`;
  });

/** A case the authority has been told of, with a message each way on each thread. */
async function caseWithCorrespondence() {
  const name = `Anytown Council ${crypto.randomBytes(3).toString('hex')}`;
  const a = await authorityWithOfficers(t.db, { officers: 1, name });
  const c = await createComplaint(t.db, a.authorityId);
  await t.db.kysely.updateTable('complaints').set({ status: 'investigation' }).where('id', '=', c.id).execute();
  const toAuthority = await send(c.id, 'link-officers', 'Questions for the council');
  const toComplainant = await send(c.id, 'complainant', 'Your complaint is with an investigator');
  const authorityThread = await threadOf(c.id, 'authority');
  const complainantThread = await threadOf(c.id, 'complainant');
  await sendToGateway(gateway, {
    from: a.officers[0]?.email,
    to: `case+${authorityThread.reply_token}@${DOMAIN}`,
    subject: 'Re: Questions for the council',
    text: 'Our answers are attached.',
  });
  await sendToGateway(gateway, {
    from: c.complainantEmail,
    to: `case+${complainantThread.reply_token}@${DOMAIN}`,
    subject: 'Re: Your complaint is with an investigator',
    text: 'Private thoughts for the ombudsman only.',
  });
  const items = await t.db.kysely
    .selectFrom('correspondence_items')
    .select(['id', 'subject', 'direction', 'sender_role', 'sender_name'])
    .where('complaint_id', '=', c.id)
    .execute();
  const byStart = (prefix: string) => items.find((i) => i.subject.startsWith(prefix));
  return {
    a,
    c,
    name,
    toAuthority,
    toComplainant,
    officerReply: byStart('Re: Questions'),
    complainantReply: byStart('Re: Your complaint'),
  };
}

describe('the staff Correspondence tab', () => {
  it('is a tab of the case, one click from its summary, in the case layout with the tab selected', async () => {
    const { c, toAuthority, toComplainant, officerReply } = await caseWithCorrespondence();
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const client = new TestClient(t.app).withSession(token);

    const summary = await client.get(`/staff/complaints/${c.id}`);
    expect(summary.statusCode).toBe(200);
    expect(summary.body).toMatch(
      new RegExp(`<a class="moj-sub-navigation__link"\\s+href="/staff/complaints/${c.id}/correspondence"\\s*>`),
    );

    const page = await client.get(`/staff/complaints/${c.id}/correspondence`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="case-reference"');
    expect(page.body).toMatch(
      new RegExp(
        `<a class="moj-sub-navigation__link"\\s+aria-current="page"\\s+href="/staff/complaints/${c.id}/correspondence"`,
      ),
    );
    // Staff see both threads, with each message's anchor for the timeline's links.
    for (const id of [toAuthority, toComplainant, officerReply?.id]) expect(page.body).toContain(`id="item-${id}"`);
    expect(page.body).toContain('Private thoughts for the ombudsman only.');
    expect(page.body).toContain('Write a message');
  });
});

describe('correspondence on the case timeline', () => {
  it('shows each message sent, by role and delivery, and each reply by the sender’s name and role, linked to the tab', async () => {
    const { a, c, name, toAuthority, officerReply } = await caseWithCorrespondence();
    expect([officerReply?.sender_role, officerReply?.sender_name]).toEqual(['link-officer', 'Officer1 Link']);
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const timeline = await new TestClient(t.app).withSession(token).get(`/staff/complaints/${c.id}/history`);
    expect(timeline.statusCode).toBe(200);
    const shown = entries(timeline.body);
    expect(shown).toContain(
      `Message sent to the link officers of ${name}: Questions for the council (our reference ${c.reference}) | by Ombudsman (System)`,
    );
    expect(shown).toContain(
      `Message sent to the complainant: Your complaint is with an investigator (our reference ${c.reference}) | by Ombudsman (System)`,
    );
    expect(shown).toContain(`Reply received: Re: Questions for the council | by Link officer, ${name} (Officer1 Link)`);
    expect(shown).toContain('Reply received: Re: Your complaint is with an investigator | by Complainant');
    expect(timeline.body).toContain('Delivery: 1 sent');
    expect(timeline.body).toContain(`href="/staff/complaints/${c.id}/correspondence#item-${toAuthority}"`);
    expect(timeline.body).toContain(`href="/staff/complaints/${c.id}/correspondence#item-${officerReply?.id}"`);
    // Never the complainant's name or address.
    expect(timeline.body).not.toContain('Pat Resident');
    expect(timeline.body).not.toContain(c.complainantEmail);

    // A sender the case does not know, filed by hand from the holding pen: staff see the address.
    const stranger = `stranger-${crypto.randomBytes(3).toString('hex')}@elsewhere.example`;
    const thread = await threadOf(c.id, 'authority');
    await sendToGateway(gateway, {
      from: stranger,
      to: `case+${thread.reply_token}@${DOMAIN}`,
      subject: 'A word from outside',
      text: 'Hello.',
    });
    const held = await t.db.kysely
      .selectFrom('inbound_messages')
      .select('id')
      .where('subject', '=', 'A word from outside')
      .executeTakeFirstOrThrow();
    const manager = await signedInAs(t.db, t.services, 'casework-manager');
    const filed = await new TestClient(t.app)
      .withSession(manager.token)
      .post(`/staff/holding-pen/${held.id}/assign`, { reference: c.reference, audience: 'authority' });
    expect(filed.statusCode).toBe(303);
    const after = await new TestClient(t.app).withSession(token).get(`/staff/complaints/${c.id}/history`);
    expect(entries(after.body)).toContain(`Reply received: A word from outside | by Unknown sender (${stranger})`);

    // The filter narrows the timeline to correspondence, and says so.
    const only = await new TestClient(t.app)
      .withSession(token)
      .get(`/staff/complaints/${c.id}/history?kind=correspondence`);
    expect(only.body).toContain('Showing only: Correspondence.');
    expect(only.body).toMatch(/<details class="govuk-details[^"]*" id="timeline-filter-details" open>/);
    expect(entries(only.body).every((e) => /^(Message sent|Reply received)/.test(e))).toBe(true);
    expect(a.authorityId).toBeTruthy();
  });

  it('keeps the filter closed until a filter is chosen', async () => {
    const { c } = await caseWithCorrespondence();
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const page = await new TestClient(t.app).withSession(token).get(`/staff/complaints/${c.id}/history`);
    expect(page.body).toMatch(/<details class="govuk-details[^"]*" id="timeline-filter-details">/);
    expect(page.body).toContain('<form method="get" action="/staff/complaints/');
    expect(page.body).not.toContain('Showing only:');
  });
});

describe('the portal’s Correspondence', () => {
  it('shows the authority its own thread only, and its timeline names the ombudsman’s correspondents by role', async () => {
    const { a, c, name, toAuthority, toComplainant, officerReply, complainantReply } = await caseWithCorrespondence();
    const user = await t.services.accounts.createUser({
      email: `portal-${crypto.randomBytes(3).toString('hex')}@${a.domain}`,
      displayName: 'Dana Delegate',
      roles: ['delegate'],
      authorityId: a.authorityId,
      password: 'correct horse battery staple',
    });
    const portal = new TestClient(t.app).withSession(await createSession(t.db, user));

    const casePage = await portal.get(`/portal/complaints/${c.id}`);
    expect(casePage.body).toMatch(
      new RegExp(`<a class="moj-sub-navigation__link"\\s+href="/portal/complaints/${c.id}/correspondence"\\s*>`),
    );

    const page = await portal.get(`/portal/complaints/${c.id}/correspondence`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      new RegExp(
        `<a class="moj-sub-navigation__link"\\s+aria-current="page"\\s+href="/portal/complaints/${c.id}/correspondence"`,
      ),
    );
    expect(page.body).toContain(`id="item-${toAuthority}"`);
    expect(page.body).toContain(`href="/portal/correspondence/${toAuthority}"`);
    expect(page.body).toContain(`id="item-${officerReply?.id}"`);
    expect(page.body).toContain('Our answers are attached.');
    expect(page.body).not.toContain(`item-${toComplainant}`);
    expect(page.body).not.toContain(`item-${complainantReply?.id}`);
    expect(page.body).not.toContain('Private thoughts for the ombudsman only.');
    expect(page.body).not.toContain('Your complaint is with an investigator');
    expect(page.body).not.toContain('Write a message');

    // Every page of the portal's complaint has the same tabs, the page's own selected.
    for (const [path, tab] of [
      ['/timeline', 'Timeline'],
      ['/decision', 'Draft and final decision'],
    ]) {
      const tabbed = await portal.get(`/portal/complaints/${c.id}${path}`);
      expect(tabbed.statusCode, path).toBe(200);
      expect(tabbed.body, path).toContain(`href="/portal/complaints/${c.id}/correspondence"`);
      expect(tabbed.body, path).toMatch(
        new RegExp(`aria-current="page"\\s+href="/portal/complaints/${c.id}${path}"\\s*>\\s*${tab}`),
      );
    }

    const timeline = await portal.get(`/portal/complaints/${c.id}/timeline`);
    const shown = entries(timeline.body);
    expect(shown).toContain(`Reply received: Re: Questions for the council | by Link officer, ${name}`);
    expect(shown.some((e) => e.startsWith(`Message sent to the link officers of ${name}`))).toBe(true);
    expect(timeline.body).not.toContain('Your complaint is with an investigator');
    expect(timeline.body).not.toContain('Officer1 Link');
    expect(timeline.body).not.toContain('/staff/');
    // Each of the authority's messages links to it in the portal's Correspondence tab.
    expect(timeline.body).toContain(`href="/portal/complaints/${c.id}/correspondence#item-${officerReply?.id}"`);
    expect(timeline.body).toContain(`href="/portal/complaints/${c.id}/correspondence#item-${toAuthority}"`);

    // Another authority's user, and a case the authority has not been told of, find nothing.
    const other = await authorityWithOfficers(t.db, { officers: 1 });
    const outsider = await t.services.accounts.createUser({
      email: `outsider-${crypto.randomBytes(3).toString('hex')}@${other.domain}`,
      displayName: 'Olly Outsider',
      roles: ['link-officer'],
      authorityId: other.authorityId,
      password: 'correct horse battery staple',
    });
    const outsiderClient = new TestClient(t.app).withSession(await createSession(t.db, outsider));
    expect((await outsiderClient.get(`/portal/complaints/${c.id}/correspondence`)).statusCode).toBe(404);
    const untold = await createComplaint(t.db, a.authorityId);
    expect((await portal.get(`/portal/complaints/${untold.id}/correspondence`)).statusCode).toBe(404);
  });
});

describe('replies filed before their senders were kept', () => {
  it('are named by the same rule when the migration fills them in', async () => {
    const { c, officerReply, complainantReply } = await caseWithCorrespondence();
    await t.db.kysely
      .updateTable('correspondence_items')
      .set({ sender_role: null, sender_name: null })
      .where('complaint_id', '=', c.id)
      .execute();
    const backfill = fs.readFileSync(
      path.join(import.meta.dirname, '../../migrations/0071_correspondence_sender_backfill.sql'),
      'utf8',
    );
    await sql.raw(backfill).execute(t.db.kysely);
    const rows = await t.db.kysely
      .selectFrom('correspondence_items')
      .select(['id', 'sender_role', 'sender_name'])
      .where('complaint_id', '=', c.id)
      .where('direction', '=', 'inbound')
      .execute();
    const byId = new Map(rows.map((r) => [r.id, [r.sender_role, r.sender_name]]));
    expect(byId.get(officerReply?.id ?? '')).toEqual(['link-officer', 'Officer1 Link']);
    expect(byId.get(complainantReply?.id ?? '')).toEqual(['complainant', null]);
  });
});
