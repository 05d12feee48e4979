import crypto from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import type { MailGateway } from '../../src/platform/mail/inbound.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { dumpAllTables } from '../support/db.ts';
import { signedInAs } from '../support/factories.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  authorityWithOfficers,
  createComplaint,
  deliveryReport,
  sendToGateway,
  startTestGateway,
} from './correspondence.fixtures.ts';

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

const system = null;

/** Writes an item, dispatches it and sends the outbox, as the worker would. */
async function send(
  complaintId: string,
  input: {
    kind?: 'enquiry' | 'reminder' | 'final-decision';
    to: ('link-officers' | 'chief-executive' | 'monitoring-officer' | 'head-of-service' | 'complainant')[];
    subject?: string;
    text?: string;
  },
) {
  const itemId = await t.db.kysely.transaction().execute((trx) =>
    t.services.correspondence.write(trx, {
      complaintId,
      kind: input.kind ?? 'enquiry',
      addressees: input.to,
      subject: input.subject ?? `Enquiry ${crypto.randomBytes(3).toString('hex')}`,
      text: input.text ?? 'Dear link officer,\n\nPlease send us your file on this complaint.\n\nCasework team',
      actor: system,
    }),
  );
  await t.services.correspondence.dispatch(itemId);
  await t.services.mailSender.sendDue();
  return itemId;
}

const itemsOf = async (complaintId: string) =>
  (await t.services.correspondence.caseCorrespondence(staff(), complaintId)).items;
const staff = (): Actor => ({ type: 'user', id: crypto.randomUUID(), roles: ['investigator'], authorityId: null });
const receivedBy = (address: string) => sink.messages.filter((m) => m.envelopeTo.includes(address));
const outboxIdOf = async (itemId: string, address: string) =>
  (
    await t.db.kysely
      .selectFrom('correspondence_deliveries')
      .select('outbox_message_id')
      .where('item_id', '=', itemId)
      .where('address', '=', address)
      .executeTakeFirstOrThrow()
  ).outbox_message_id ?? '';

describe('sending correspondence to roles', () => {
  it('resolves the link officers when the item is sent, not when it is written, and tracks each recipient', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 2, genericInbox: true });
    const c = await createComplaint(t.db, a.authorityId);
    const itemId = await t.db.kysely.transaction().execute((trx) =>
      t.services.correspondence.write(trx, {
        complaintId: c.id,
        kind: 'enquiry',
        addressees: ['link-officers'],
        subject: 'Enquiry about your complaint handling',
        text: 'Dear link officer,\n\nPlease reply within 20 working days.',
        actor: system,
      }),
    );
    // The second officer's correspondence address changes after the item was written.
    const moved = `new.address@${a.domain}`;
    await t.db.kysely
      .updateTable('link_officers')
      .set({ correspondence_email: moved })
      .where('id', '=', a.officers[1]?.id ?? '')
      .execute();
    await t.services.correspondence.dispatch(itemId);
    await t.services.correspondence.dispatch(itemId); // idempotent
    sink.rejectNext(1, 451);
    await t.services.mailSender.sendDue();

    const [item] = await itemsOf(c.id);
    expect(item?.subject).toBe(`Enquiry about your complaint handling (our reference ${c.reference})`);
    const byAddress = Object.fromEntries(item?.deliveries.map((d) => [d.address, d]) ?? []);
    expect(Object.keys(byAddress).sort()).toEqual([a.inbox, a.officers[0]?.email, moved].sort());
    const statuses = item?.deliveries.map((d) => d.status).sort();
    expect(statuses).toEqual(['deferred', 'sent', 'sent']);
    for (const d of item?.deliveries ?? []) if (d.status === 'sent') expect(d.smtpResponse).toMatch(/^250 /);
    expect(receivedBy(a.officers[1]?.email ?? '')).toHaveLength(0);

    const [mail] = receivedBy(moved).length ? receivedBy(moved) : receivedBy(a.officers[0]?.email ?? '');
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .selectAll()
      .where('complaint_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(mail?.parsed.replyTo?.text).toBe(`case+${thread.reply_token}@${DOMAIN}`);
    expect(mail?.parsed.references).toContain(`<thread-${thread.id}@${DOMAIN}>`);
    expect(mail?.parsed.messageId).toMatch(new RegExp(`@${DOMAIN.replace('.', '\\.')}>$`));
    expect(mail?.raw.toString()).toMatch(/multipart\/alternative/i);
    expect(mail?.parsed.html).toContain('<p style');
    expect(mail?.parsed.headers.get('auto-submitted')).toBeUndefined();
  });

  it('sends a letter to the chief executive with the letter as a PDF, and marks reminders as automatic', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    await send(c.id, { kind: 'final-decision', to: ['chief-executive'], subject: 'Final decision' });
    const [letter] = receivedBy(a.chiefExecutive);
    expect(letter?.parsed.attachments.map((x) => x.contentType)).toEqual(['application/pdf']);
    expect(letter?.parsed.attachments[0]?.content.subarray(0, 8).toString()).toBe('%PDF-1.4');

    await send(c.id, { kind: 'reminder', to: ['link-officers'], subject: 'Reminder' });
    const reminder = receivedBy(a.officers[0]?.email ?? '').find((m) => m.parsed.subject?.startsWith('Reminder'));
    expect(reminder?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });
});

describe('delivery reports', () => {
  it('mark a permanent bounce on the delivery and the officer, skip that officer next time, and fall back when no one is left', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 2, name: `Bouncing District Council ${Date.now()}` });
    const c = await createComplaint(t.db, a.authorityId);
    const [first, second] = a.officers;
    const itemId = await send(c.id, { to: ['link-officers'] });
    const outboxId = await outboxIdOf(itemId, first?.email ?? '');
    const before = sink.messages.length;

    const response = await sendToGateway(gateway, {
      envelope: { from: 'mailer-daemon@mx.council.example', to: `bounce+${outboxId}@${DOMAIN}` },
      raw: deliveryReport({
        recipient: first?.email ?? '',
        status: '5.1.1',
        action: 'failed',
        messageId: `<${outboxId}@${DOMAIN}>`,
      }),
    });
    expect(response).toMatch(/^250/);
    let [item] = await itemsOf(c.id);
    const bounced = item?.deliveries.find((d) => d.address === first?.email);
    expect(bounced?.status).toBe('bounced');
    expect(bounced?.bounceStatus).toBe('5.1.1');
    // The other officer still has it: nothing more is sent.
    expect(item?.deliveries).toHaveLength(2);
    const officer = await t.db.kysely
      .selectFrom('link_officers')
      .selectAll()
      .where('id', '=', first?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(officer.failing_since).not.toBeNull();
    expect(officer.bounce_status).toBe('5.1.1');
    // The officer's record shows it to staff, and the API says so.
    const { token: leadToken } = await signedInAs(t.db, t.services, 'relationship-lead');
    const record = await new TestClient(t.app)
      .withSession(leadToken)
      .get(`/staff/authorities/${a.authorityId}/link-officers`);
    expect(record.body).toContain('Bouncing');
    expect(record.body).toContain('(status 5.1.1)');
    const leadActor: Actor = { type: 'user', id: crypto.randomUUID(), roles: ['relationship-lead'], authorityId: null };
    const viewed = await t.services.linkOfficers.officer(leadActor, a.authorityId, first?.id ?? '');
    expect(viewed.failingSince).toBeInstanceOf(Date);

    // The next item goes only to the officer whose mail works.
    const nextId = await send(c.id, { to: ['link-officers'] });
    const next = (await itemsOf(c.id)).find((i) => i.id === nextId);
    expect(next?.deliveries.map((d) => d.address)).toEqual([second?.email]);

    // When that bounces too, the item falls back to the chief executive.
    const secondOutbox = await outboxIdOf(nextId, second?.email ?? '');
    await sendToGateway(gateway, {
      envelope: { from: 'mailer-daemon@mx.council.example', to: `bounce+${secondOutbox}@${DOMAIN}` },
      raw: deliveryReport({
        recipient: second?.email ?? '',
        status: '5.2.1',
        action: 'failed',
        messageId: `<${secondOutbox}@${DOMAIN}>`,
      }),
    });
    await t.services.mailSender.sendDue();
    [item] = (await itemsOf(c.id)).filter((i) => i.id === nextId);
    const fallback = item?.deliveries.find((d) => d.fallback);
    expect(fallback?.address).toBe(a.chiefExecutive);
    expect(fallback?.status).toBe('sent');
    // Nothing was ever sent back to the reporting mail server.
    expect(sink.messages.slice(before).some((m) => m.envelopeTo.some((to) => to.includes('mailer-daemon')))).toBe(
      false,
    );

    // A corrected address is no longer marked as failing; other edits keep the mark.
    const details = {
      title: 'Ms',
      forename: 'Fixed',
      surname: 'Address',
      jobTitle: 'Link officer',
      email: first?.email ?? '',
      correspondenceEmail: null,
      phone: '+442079460123',
    };
    await t.services.linkOfficers.editOfficer(leadActor, a.authorityId, first?.id ?? '', details);
    expect(
      (await t.services.linkOfficers.officer(leadActor, a.authorityId, first?.id ?? '')).failingSince,
    ).not.toBeNull();
    await t.services.linkOfficers.editOfficer(leadActor, a.authorityId, first?.id ?? '', {
      ...details,
      email: `fixed.${Date.now()}@bouncing.example`,
    });
    const fixed = await t.services.linkOfficers.officer(leadActor, a.authorityId, first?.id ?? '');
    expect(fixed.failingSince).toBeNull();
    expect(fixed.bounceStatus).toBeNull();

    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const home = await new TestClient(t.app).withSession(token).get('/staff');
    expect(home.body).toContain('Authority mail bouncing');
    expect(home.body).toContain(`/staff/authorities/${a.authorityId}/link-officers`);
  });

  it('refused at hand-over or bounced later, mark the generic inbox or senior officer failing until the address changes', async () => {
    const name = `Inbox Bounce Council ${Date.now()}`;
    const a = await authorityWithOfficers(t.db, { officers: 1, genericInbox: true, name });
    const c = await createComplaint(t.db, a.authorityId);
    const [officer] = a.officers;
    sink.refuseRecipient(a.inbox);

    // The relay refuses the inbox outright (550 5.1.1): the delivery is bounced, the officer still has it.
    const itemId = await send(c.id, { to: ['link-officers'] });
    const item = (await itemsOf(c.id)).find((i) => i.id === itemId);
    const refused = item?.deliveries.find((d) => d.address === a.inbox);
    expect(refused?.status).toBe('bounced');
    expect(refused?.bounceStatus).toBe('5.1.1');
    expect(item?.deliveries.find((d) => d.address === officer?.email)?.status).toBe('sent');
    expect(item?.deliveries).toHaveLength(2);

    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const client = new TestClient(t.app).withSession(token);
    const page = await client.get(`/staff/authorities/${a.authorityId}`);
    expect(page.body).toMatch(
      /Bouncing<\/strong> Mail to this address has been refused since [^.]+ \(status 5\.1\.1\)/,
    );
    // The refused message is listed on the authority page, linked to its case's correspondence.
    const refusedList = page.body.slice(page.body.indexOf('Mail refused recently'));
    expect(refusedList).toContain(a.inbox);
    expect(refusedList).toContain(`/staff/complaints/${c.id}/correspondence`);
    expect(refusedList).toContain('5.1.1');

    // The next item skips the failing inbox.
    const nextId = await send(c.id, { to: ['link-officers'] });
    const next = (await itemsOf(c.id)).find((i) => i.id === nextId);
    expect(next?.deliveries.map((d) => d.address)).toEqual([officer?.email]);

    // A letter to the chief executive that bounces later marks the chief executive.
    const letterId = await send(c.id, { to: ['chief-executive'], kind: 'final-decision' });
    const ceOutbox = await outboxIdOf(letterId, a.chiefExecutive);
    await sendToGateway(gateway, {
      envelope: { from: 'mailer-daemon@mx.council.example', to: `bounce+${ceOutbox}@${DOMAIN}` },
      raw: deliveryReport({
        recipient: a.chiefExecutive,
        status: '5.2.2',
        action: 'failed',
        messageId: `<${ceOutbox}@${DOMAIN}>`,
      }),
    });
    const chief = () =>
      t.db.kysely
        .selectFrom('senior_officers')
        .select(['failing_since', 'bounce_status'])
        .where('authority_id', '=', a.authorityId)
        .where('role', '=', 'chief-executive')
        .executeTakeFirstOrThrow();
    expect((await chief()).bounce_status).toBe('5.2.2');
    expect((await client.get(`/staff/authorities/${a.authorityId}`)).body).toContain('(status 5.2.2)');
    const home = await client.get('/staff');
    expect(home.body).toContain(`${name}</a>: the generic inbox, 1 senior officer, since`);
    const { token: apiToken } = await t.services.apiTokens.createFromCommandLine({
      name: 'bounces',
      role: 'relationship-lead',
      authorityId: null,
    });
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/authorities/${a.authorityId}`,
      headers: { authorization: `Bearer ${apiToken}` },
    });
    const shown = api.json<{
      genericInboxFailingSince: string | null;
      chiefExecutive: { emailFailingSince: string | null };
    }>();
    expect(shown.genericInboxFailingSince).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(shown.chiefExecutive.emailFailingSince).toMatch(/^\d{4}-\d\d-\d\dT/);

    // A changed address loses its mark, whichever way it is changed; other edits keep it.
    await t.db.kysely
      .updateTable('senior_officers')
      .set({ job_title: 'Managing Director' })
      .where('authority_id', '=', a.authorityId)
      .execute();
    expect((await chief()).failing_since).not.toBeNull();
    await t.db.kysely
      .updateTable('authorities')
      .set({ generic_inbox: `new.inbox@${a.domain}` })
      .where('id', '=', a.authorityId)
      .execute();
    const after = await t.db.kysely
      .selectFrom('authorities')
      .select(['generic_inbox_failing_since', 'generic_inbox_bounce_status'])
      .where('id', '=', a.authorityId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ generic_inbox_failing_since: null, generic_inbox_bounce_status: null });
  });

  it('show a delayed delivery as deferred without marking anyone failing', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    const [only] = a.officers;
    const itemId = await send(c.id, { to: ['link-officers'] });
    const outboxId = await outboxIdOf(itemId, only?.email ?? '');
    await sendToGateway(gateway, {
      envelope: { from: 'mailer-daemon@mx.council.example', to: `bounce+${outboxId}@${DOMAIN}` },
      raw: deliveryReport({
        recipient: only?.email ?? '',
        status: '4.4.7',
        action: 'delayed',
        messageId: `<${outboxId}@${DOMAIN}>`,
      }),
    });
    const [item] = await itemsOf(c.id);
    expect(item?.deliveries[0]?.status).toBe('deferred');
    const officer = await t.db.kysely
      .selectFrom('link_officers')
      .select('failing_since')
      .where('id', '=', only?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(officer.failing_since).toBeNull();
  });
});

describe('replies', () => {
  it('are filed by reply address even when retyped in capitals with l for 1 and o for 0, with attachments as case documents', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    await send(c.id, { to: ['link-officers'] });
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .selectAll()
      .where('complaint_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const retyped = thread.reply_token.toUpperCase().replace(/1/g, 'l').replace(/0/g, 'O');
    await sendToGateway(gateway, {
      from: `Officer One <${a.officers[0]?.email}>`,
      to: `CASE+${retyped}@${DOMAIN}`,
      subject: 'Our response',
      text: 'Please find our response attached.',
      attachments: [
        { filename: 'response.pdf', content: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n') },
        { filename: 'virus.exe', content: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]) },
        // A name that reads as "invoiceexe.pdf" on screen: refused, and its name kept without the override.
        { filename: 'invoice\u202Efdp.exe', content: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x04, 0x00, 0x00, 0x00]) },
      ],
    });
    const reply = (await itemsOf(c.id)).find((i) => i.direction === 'inbound');
    expect(reply?.subject).toBe('Our response');
    expect(reply?.from).toBe(a.officers[0]?.email);
    expect(reply?.countsAsResponse).toBe(true);
    const kept = reply?.attachments.find((x) => x.filename === 'response.pdf');
    expect(kept?.documentId).not.toBeNull();
    const refused = reply?.attachments.find((x) => x.filename === 'virus.exe');
    expect(refused?.documentId).toBeNull();
    expect(refused?.rejectedReason).toBeTruthy();
    expect(reply?.attachments.map((x) => x.filename)).toContain('invoicefdp.exe');
    const document = await t.db.kysely
      .selectFrom('documents')
      .selectAll()
      .where('id', '=', kept?.documentId ?? '')
      .executeTakeFirstOrThrow();
    expect(document.complaint_id).toBe(c.id);
    expect(document.content_type).toBe('application/pdf');
  });

  it('are filed by In-Reply-To or References when the reply address was lost, and by the case reference in the subject', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    const itemId = await send(c.id, { to: ['link-officers'] });
    const outboxId = await outboxIdOf(itemId, a.officers[0]?.email ?? '');
    await sendToGateway(gateway, {
      from: a.officers[0]?.email,
      to: `casework@${DOMAIN}`,
      subject: 'Re: your letter',
      text: 'By references.',
      inReplyTo: `<${outboxId}@${DOMAIN}>`,
      references: [`<${outboxId}@${DOMAIN}>`],
    });
    await sendToGateway(gateway, {
      from: c.complainantEmail,
      to: `casework@${DOMAIN}`,
      subject: `About my complaint ${c.reference.replace(/ /g, '')}`,
      text: 'By subject, from the complainant.',
    });
    const inbound = (await itemsOf(c.id)).filter((i) => i.direction === 'inbound');
    expect(inbound.map((i) => [i.text.trim(), i.audience])).toEqual([
      ['By references.', 'authority'],
      ['By subject, from the complainant.', 'complainant'],
    ]);
  });

  it('that are automatic are recorded, do not count as a response, and are never answered', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    await send(c.id, { to: ['link-officers'] });
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .selectAll()
      .where('complaint_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const outboxBefore = await t.db.kysely
      .selectFrom('outbox_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await sendToGateway(gateway, {
      from: a.officers[0]?.email,
      to: `case+${thread.reply_token}@${DOMAIN}`,
      subject: 'Out of Office: Enquiry',
      text: 'I am away until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const auto = (await itemsOf(c.id)).find((i) => i.direction === 'inbound');
    expect(auto?.autoReplyReason).toBe('Auto-Submitted: auto-replied');
    expect(auto?.countsAsResponse).toBe(false);
    await t.services.correspondence.dispatchPending();
    const outboxAfter = await t.db.kysely
      .selectFrom('outbox_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(outboxAfter.n).toBe(outboxBefore.n);
  });
});

describe('the holding pen', () => {
  it('keeps mail that matches no case, or comes from a stranger, for staff to file or discard', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    await send(c.id, { to: ['link-officers'] });
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .selectAll()
      .where('complaint_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const subject = `Hello ${crypto.randomBytes(3).toString('hex')}`;
    await sendToGateway(gateway, {
      from: 'someone@nowhere.example',
      to: `info@${DOMAIN}`,
      subject,
      text: 'No case here.',
    });
    await sendToGateway(gateway, {
      from: 'stranger@elsewhere.example',
      to: `case+${thread.reply_token}@${DOMAIN}`,
      subject: `Stranger ${subject}`,
      text: 'I was forwarded this.',
    });
    const held = await t.db.kysely
      .selectFrom('inbound_messages')
      .selectAll()
      .where('subject', 'like', `%${subject}`)
      .orderBy('subject')
      .execute();
    expect(held.map((m) => [m.status, m.hold_reason])).toEqual([
      ['held', 'no-match'],
      ['held', 'unknown-sender'],
    ]);
    expect((await itemsOf(c.id)).filter((i) => i.direction === 'inbound')).toHaveLength(0);

    const { token } = await signedInAs(t.db, t.services, 'intake-officer');
    const client = new TestClient(t.app).withSession(token);
    const list = await client.get('/staff/holding-pen');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(subject);
    const [noMatch, stranger] = held;
    const page = await client.get(`/staff/holding-pen/${stranger?.id}`);
    expect(page.body).toContain(c.reference); // suggested from the thread it was sent to

    const filed = await client.post(`/staff/holding-pen/${stranger?.id}/assign`, {
      reference: c.reference,
      audience: 'authority',
    });
    expect(filed.statusCode).toBe(303);
    expect(filed.headers.location).toBe(`/staff/complaints/${c.id}/correspondence`);
    expect((await itemsOf(c.id)).filter((i) => i.direction === 'inbound').map((i) => i.from)).toEqual([
      'stranger@elsewhere.example',
    ]);

    const noReason = await client.post(`/staff/holding-pen/${noMatch?.id}/discard`, { reason: '' });
    expect(noReason.headers.location).toBe(`/staff/holding-pen/${noMatch?.id}`);
    const discarded = await client.post(`/staff/holding-pen/${noMatch?.id}/discard`, { reason: 'Marketing email' });
    expect(discarded.headers.location).toBe('/staff/holding-pen');
    const row = await t.db.kysely
      .selectFrom('inbound_messages')
      .selectAll()
      .where('id', '=', noMatch?.id ?? '')
      .executeTakeFirstOrThrow();
    expect([row.status, row.discard_reason]).toEqual(['discarded', 'Marketing email']);
    expect((await client.get('/staff/holding-pen')).body).not.toContain(subject);
  });
});

describe('pages and the API', () => {
  it('show a case’s correspondence with each recipient’s status, to staff and over the API', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    await send(c.id, { to: ['link-officers'], subject: 'Enquiry for the API' });
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const page = await new TestClient(t.app).withSession(token).get(`/staff/complaints/${c.id}/correspondence`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Enquiry for the API');
    expect(page.body).toContain(a.officers[0]?.email);
    expect(page.body).toContain('Sent');
    await send(c.id, { to: ['chief-executive', 'monitoring-officer', 'head-of-service'], subject: 'Report alert' });
    const alerted = await new TestClient(t.app).withSession(token).get(`/staff/complaints/${c.id}/correspondence`);
    expect(alerted.body.replace(/\s+/g, ' ')).toContain(
      'to the chief executive and the monitoring officer and the head of service,',
    );

    const staffToken = (
      await t.services.apiTokens.createFromCommandLine({ name: 'corr', role: 'investigator', authorityId: null })
    ).token;
    const api = await t.app.inject({
      url: `/api/v1/complaints/${c.id}/correspondence`,
      headers: { authorization: `Bearer ${staffToken}` },
    });
    expect(api.statusCode).toBe(200);
    const body = api.json<{
      items: {
        direction: string;
        subject: string;
        deliveries: { address: string; status: string; smtpResponse: string }[];
      }[];
    }>();
    expect(body.items[0]?.direction).toBe('outbound');
    expect(body.items[0]?.deliveries).toEqual([
      expect.objectContaining({
        address: a.officers[0]?.email,
        status: 'sent',
        smtpResponse: expect.stringMatching(/^250/) as unknown,
      }),
    ]);
    // The holding pen over the API: every held message counted, the newest first.
    const unmatched = `Nothing to do with a case ${crypto.randomBytes(3).toString('hex')}`;
    await sendToGateway(gateway, {
      from: 'someone@nowhere.example',
      to: `info@${DOMAIN}`,
      subject: unmatched,
      text: 'Hi',
    });
    const { held } = await t.db.kysely
      .selectFrom('inbound_messages')
      .select((eb) => eb.fn.countAll<number>().as('held'))
      .where('status', '=', 'held')
      .executeTakeFirstOrThrow();
    const pen = await t.app.inject({ url: '/api/v1/holding-pen', headers: { authorization: `Bearer ${staffToken}` } });
    expect(pen.statusCode).toBe(200);
    const penBody = pen.json<{ total: number; items: { from: string; subject: string; reason: string }[] }>();
    expect(penBody.total).toBe(held);
    expect(penBody.items[0]).toMatchObject({ from: 'someone@nowhere.example', subject: unmatched, reason: 'no-match' });

    // Another authority's token cannot see the case.
    const other = await authorityWithOfficers(t.db, { officers: 1 });
    const theirs = (
      await t.services.apiTokens.createFromCommandLine({
        name: 'other',
        role: 'link-officer',
        authorityId: other.authorityId,
      })
    ).token;
    const refused = await t.app.inject({
      url: `/api/v1/complaints/${c.id}/correspondence`,
      headers: { authorization: `Bearer ${theirs}` },
    });
    expect(refused.statusCode).toBe(404);
  });

  it('let the authority read what was sent to it, recording that its officer opened it', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const c = await createComplaint(t.db, a.authorityId);
    // A case the authority has been told of: under investigation.
    await t.db.kysely.updateTable('complaints').set({ status: 'investigation' }).where('id', '=', c.id).execute();
    const itemId = await send(c.id, { to: ['link-officers'], subject: 'For the portal' });
    const user = await t.services.accounts.createUser({
      email: a.officers[0]?.email ?? '',
      displayName: 'Officer One',
      roles: ['link-officer'],
      authorityId: a.authorityId,
      password: 'correct horse battery staple',
    });
    const { createSession } = await import('../support/factories.ts');
    const client = new TestClient(t.app).withSession(await createSession(t.db, user));
    const list = await client.get('/portal/correspondence');
    expect(list.body).toContain('For the portal');
    expect((await client.get(`/portal/correspondence/${itemId}`)).statusCode).toBe(200);
    const [item] = await itemsOf(c.id);
    expect(item?.deliveries[0]?.status).toBe('opened');
  });
});

describe('erasure', () => {
  it('removes a replaced link officer’s address from deliveries, the outbox and inbound mail, keeping the records', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 2 });
    const c = await createComplaint(t.db, a.authorityId);
    const [gone] = a.officers;
    await t.db.kysely
      .updateTable('link_officers')
      .set({ forename: 'Rhiannon', surname: 'Quillfeather', phone: '+442079460777' })
      .where('id', '=', gone?.id ?? '')
      .execute();
    const itemId = await send(c.id, { to: ['link-officers'], text: 'Dear Rhiannon Quillfeather,\n\nPlease reply.' });
    await sendToGateway(gateway, {
      from: gone?.email,
      to: `info@${DOMAIN}`,
      subject: 'From the leaving officer',
      text: `Regards, Rhiannon Quillfeather (020 7946 0777), ${gone?.email}`,
    });
    const inbound = await t.db.kysely
      .selectFrom('inbound_messages')
      .select('raw_key')
      .where('subject', '=', 'From the leaving officer')
      .executeTakeFirstOrThrow();
    const source = () => t.services.rawMail.read(inbound.raw_key ?? '').then((b) => b.toString('latin1'));
    expect((await source()).toLowerCase()).toContain(gone?.email.toLowerCase());
    const lead: Actor = { type: 'user', id: crypto.randomUUID(), roles: ['relationship-lead'], authorityId: null };
    await t.services.linkOfficers.removeOfficer(lead, a.authorityId, gone?.id ?? '');
    const dump = (await dumpAllTables(t.db)).toLowerCase();
    for (const trace of [gone?.email.toLowerCase() ?? '', 'quillfeather', '020 7946 0777', '+442079460777'])
      expect(dump).not.toContain(trace);
    // The message's source file is kept, without the person.
    const kept = (await source()).toLowerCase();
    expect(kept).toContain('from the leaving officer');
    for (const trace of [gone?.email.toLowerCase() ?? '', 'quillfeather', '020 7946 0777'])
      expect(kept).not.toContain(trace);
    const deliveries = await t.db.kysely
      .selectFrom('correspondence_deliveries')
      .selectAll()
      .where('item_id', '=', itemId)
      .execute();
    expect(deliveries).toHaveLength(2);
    expect(deliveries.filter((d) => d.address.startsWith('[erased]'))).toHaveLength(1);
  });

  it('finds a replaced link officer inside base64 and quoted-printable parts and encoded words of received mail', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 2 });
    const c = await createComplaint(t.db, a.authorityId);
    const [gone, colleague] = a.officers;
    const email = gone?.email ?? '';
    await t.db.kysely
      .updateTable('link_officers')
      .set({ forename: 'Siân', surname: 'Wrenfield', phone: '+442079460321' })
      .where('id', '=', gone?.id ?? '')
      .execute();
    await send(c.id, { to: ['link-officers'] });
    const { reply_token: token, id: threadId } = await t.db.kysely
      .selectFrom('correspondence_threads')
      .select(['id', 'reply_token'])
      .where('complaint_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const replyTo = `case+${token}@${DOMAIN}`;
    // From the officer, as Outlook writes it: the name in encoded words, the text quoted-printable
    // with soft line breaks inside the address and the number, the HTML base64.
    const half = Math.floor(email.length / 2);
    const html = `<p>Diolch,<br>Si&acirc;n&nbsp;Wrenfield<br>020&nbsp;7946&nbsp;0321<br><a href="mailto:${email}">${email}</a></p>`;
    const outlook = [
      `From: =?utf-8?B?${Buffer.from('Siân Wrenfield').toString('base64')}?= <${email}>`,
      `To: ${replyTo}`,
      'Subject: =?utf-8?Q?Ymateb_gan_Si=C3=A2n_Wrenfield?=',
      `Message-ID: <${crypto.randomUUID()}@council.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `Please write to ${email.slice(0, half)}=`,
      `${email.slice(half)} or call 020 7946=`,
      ' 0321.',
      'Si=C3=A2n Wrenfield',
      '',
      '--alt',
      'Content-Type: text/html; charset="utf-8"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(html).toString('base64'),
      '--alt--',
      '',
    ].join('\r\n');
    await sendToGateway(gateway, { envelope: { from: email, to: [replyTo] }, raw: outlook });
    // About the officer, from a colleague: the text base64.
    await sendToGateway(gateway, {
      from: colleague?.email,
      to: replyTo,
      subject: 'Cover for Siân Wrenfield',
      text: `Siân Wrenfield has left; 020 7946 0321 and ${email} are no longer answered.`,
      textEncoding: 'base64',
    });
    const received = await t.db.kysely
      .selectFrom('inbound_messages')
      .select(['raw_key', 'status'])
      .where('thread_id', '=', threadId)
      .execute();
    expect(received.map((r) => r.status)).toEqual(['filed', 'filed']);
    const sources = () => Promise.all(received.map((r) => t.services.rawMail.read(r.raw_key ?? '')));
    const traces = [email.toLowerCase(), 'wrenfield', 'siân', '020 7946 0321', '+442079460321', '02079460321'];
    // Only the decoded messages show them: the bytes do not hold the number, or the colleague's message at all.
    for (const source of await sources()) expect(source.toString('latin1')).not.toContain('020 7946 0321');

    const lead: Actor = { type: 'user', id: crypto.randomUUID(), roles: ['relationship-lead'], authorityId: null };
    await t.services.linkOfficers.replaceOfficer(lead, a.authorityId, gone?.id ?? '', {
      title: 'Mr',
      forename: 'Emrys',
      surname: 'Talbot',
      jobTitle: 'Complaints manager',
      email: `emrys.talbot@${email.split('@')[1] ?? ''}`,
      correspondenceEmail: null,
      phone: '+442079460999',
    });

    const dump = (await dumpAllTables(t.db)).toLowerCase();
    for (const trace of traces) expect(dump).not.toContain(trace);
    // The source files are kept, readable, without the person in their bytes or in what a reader sees.
    const [fromThem, aboutThem] = await sources();
    for (const source of [fromThem, aboutThem]) {
      const parsed = await simpleParser(source ?? Buffer.alloc(0));
      const seen = [
        source?.toString('latin1'),
        source?.toString('utf8'),
        parsed.from?.text,
        parsed.subject,
        parsed.text,
      ]
        .concat(typeof parsed.html === 'string' ? [parsed.html.replace(/&nbsp;/g, ' ').replace(/&acirc;/g, 'â')] : [])
        .join('\n')
        .toLowerCase();
      for (const trace of traces) expect(seen).not.toContain(trace);
    }
    const readThem = await simpleParser(fromThem ?? Buffer.alloc(0));
    expect(readThem.subject).toBe('Ymateb gan [erased]');
    expect(readThem.text).toBe('Please write to [erased] or call [erased].\n[erased]\n');
    expect(readThem.html).toBe('<p>Diolch,<br>[erased]<br>[erased]<br><a href="mailto:[erased]">[erased]</a></p>');
    expect((await simpleParser(aboutThem ?? Buffer.alloc(0))).text?.trim()).toBe(
      '[erased] has left; [erased] and [erased] are no longer answered.',
    );
  });
});
