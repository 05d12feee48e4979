import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/schema.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { startMailGateway, type MailGateway } from '../../src/platform/mail/inbound.ts';
import { RawMailStore } from '../../src/platform/mail/raw-store.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createTestDb } from '../support/db.ts';
import { signedInAs } from '../support/factories.ts';
import { authorityWithOfficers, createComplaint } from './correspondence.fixtures.ts';

let db: Db;
let gateway: MailGateway;
let rawMail: RawMailStore;
const MAX_BYTES = 64 * 1024;

beforeAll(async () => {
  db = await createTestDb();
  rawMail = new RawMailStore(fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-mail-in-')));
  gateway = await startMailGateway({
    host: '127.0.0.1',
    port: 0,
    domain: 'liaison.test',
    maxMessageBytes: MAX_BYTES,
    db: db.kysely,
    rawMail,
    clock: systemClock,
    logger: createLogger('silent'),
  });
});
afterAll(async () => {
  await gateway.close();
  await db.close();
  fs.rmSync(rawMail.dir, { recursive: true, force: true });
});

/** Every source file in the mail folder. */
const storedFiles = () =>
  fs
    .readdirSync(rawMail.dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();

const transport = (port = gateway.port) =>
  nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });

/**
 * A message whose MIME the parser gives up on: multipart parts nested one inside the next, each
 * boundary opened and never closed, more parts than the parser will split. SMTP line endings.
 */
function brokenMultipart(headers: readonly string[]): Buffer {
  const lines = [...headers, 'MIME-Version: 1.0'];
  for (let i = 0; i < 1010; i++) lines.push(`Content-Type: multipart/mixed; boundary=n${i}`, '', `--n${i}`);
  lines.push('Content-Type: text/plain', '', 'What this says is never read.', '');
  return Buffer.from(lines.join('\r\n'));
}

/** Sends a message's source as it is, over SMTP. */
async function sendRaw(port: number, envelope: { from: string; to: string[] }, raw: Buffer) {
  const t = transport(port);
  try {
    return (await t.sendMail({ envelope, raw })) as { response: string };
  } finally {
    t.close();
  }
}

describe('the inbound mail gateway', () => {
  it('stores a message for our domain with its headers, both bodies and the raw source', async () => {
    const t = transport();
    const info = await t.sendMail({
      from: 'Case Worker <worker@council.example>',
      to: 'case-1234@liaison.test',
      subject: 'Re: Your enquiry',
      text: 'Please find our response below.',
      html: '<p>Please find our <em>response</em> below.</p>',
      inReplyTo: '<original@liaison.test>',
      references: ['<first@liaison.test>', '<original@liaison.test>'],
      attachments: [{ filename: 'response.txt', content: 'Attached response' }],
    });
    t.close();
    expect(info.response).toMatch(/^250 .*Stored as/);

    const row = await db.kysely
      .selectFrom('inbound_messages')
      .selectAll()
      .where('subject', '=', 'Re: Your enquiry')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('unfiled');
    expect(row.envelope_from).toBe('worker@council.example');
    expect(row.envelope_to).toEqual(['case-1234@liaison.test']);
    expect(row.from_address).toContain('worker@council.example');
    expect(row.to_addresses).toBe('case-1234@liaison.test');
    expect(row.message_id).toBe(info.messageId);
    expect(row.in_reply_to).toBe('<original@liaison.test>');
    expect(row.message_references).toEqual(['<first@liaison.test>', '<original@liaison.test>']);
    expect(row.text_body?.trim()).toBe('Please find our response below.');
    expect(row.html_body).toContain('<em>response</em>');
    const source = await rawMail.read(row.raw_key ?? '');
    expect(row.raw_size).toBe(source.length);
    // The attachment is kept in the raw source for filing later.
    expect(source.toString()).toContain('response.txt');
  });

  it('accepts a message whose headers and body hold control characters, storing them replaced', async () => {
    const raw = Buffer.from(
      [
        'From: Nul Sender <nul@council.example>',
        'To: case-nul@liaison.test',
        'Subject: Re: a\u0000b\u0007c',
        'Message-ID: <nul-test@council.example>',
        '',
        'Body with a \u0000 and a \u001b in it.',
        '',
      ].join('\r\n'),
    );
    const info = await sendRaw(gateway.port, { from: 'nul@council.example', to: ['case-nul@liaison.test'] }, raw);
    expect(info.response).toMatch(/^250 /);
    const row = await db.kysely
      .selectFrom('inbound_messages')
      .select(['subject', 'text_body'])
      .where('message_id', '=', '<nul-test@council.example>')
      .executeTakeFirstOrThrow();
    expect(row.subject).toBe('Re: a\uFFFDb\uFFFDc');
    expect(row.text_body).toContain('Body with a \uFFFD and a \uFFFD in it.');
  });

  it('stores every message sent at once over several connections, each whole, before accepting it', async () => {
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const sent = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const message = {
          from: 'officer@council.example',
          to: 'case-5678@liaison.test',
          subject: `Batch reply ${i}`,
          text: `Reply number ${i}`,
          attachments: [
            { filename: `reply-${i}.pdf`, content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(20_000)]) },
          ],
        };
        const raw = ((await composer.sendMail(message)) as { message: Buffer }).message;
        return { raw, envelope: { from: message.from, to: message.to } };
      }),
    );
    const pooled = nodemailer.createTransport({
      host: '127.0.0.1',
      port: gateway.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 4,
    });
    const infos = await Promise.all(sent.map((m) => pooled.sendMail(m)));
    pooled.close();
    for (const info of infos) expect(info.response).toMatch(/^250 .*Stored as/);

    const rows = await db.kysely
      .selectFrom('inbound_messages')
      .select(['subject', 'raw_key', 'raw_size'])
      .where('subject', 'like', 'Batch reply %')
      .execute();
    expect(rows).toHaveLength(8);
    for (const [i, m] of sent.entries()) {
      const row = rows.find((r) => r.subject === `Batch reply ${i}`);
      // What is kept is exactly what was sent (SMTP's line endings and all).
      expect((await rawMail.read(row?.raw_key ?? '')).equals(m.raw)).toBe(true);
      expect(row?.raw_size).toBe(m.raw.length);
    }
  });

  it('refuses recipients at other domains with 550, storing nothing', async () => {
    const t = transport();
    await expect(
      t.sendMail({ from: 'a@example.test', to: 'someone@elsewhere.example', subject: 'Wrong door', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    t.close();
    const rows = await db.kysely
      .selectFrom('inbound_messages')
      .select('id')
      .where('subject', '=', 'Wrong door')
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('refuses a message over the size limit with 552, storing nothing', async () => {
    const t = transport();
    await expect(
      t.sendMail({
        from: 'a@example.test',
        to: 'case@liaison.test',
        subject: 'Too big',
        text: 'x'.repeat(MAX_BYTES * 2),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    t.close();
    const rows = await db.kysely.selectFrom('inbound_messages').select('id').where('subject', '=', 'Too big').execute();
    expect(rows).toHaveLength(0);
  });

  it('accepts a message it cannot read, keeping its source and holding it with the reason', async () => {
    const raw = brokenMultipart([
      'From: Link Officer <officer@council.example>',
      'To: case-1234@liaison.test',
      'Subject: Broken reply',
      'Message-ID: <broken-reply@council.example>',
    ]);
    expect(raw.length).toBeLessThan(MAX_BYTES);
    const info = await sendRaw(gateway.port, { from: 'officer@council.example', to: ['case-1234@liaison.test'] }, raw);
    expect(info.response).toMatch(/^250 .*Stored as/);

    const row = await db.kysely
      .selectFrom('inbound_messages')
      .selectAll()
      .where('message_id', '=', '<broken-reply@council.example>')
      .executeTakeFirstOrThrow();
    expect(info.response).toContain(row.id);
    expect(row.status).toBe('held');
    expect(row.hold_reason).toBe('unreadable');
    expect(row.unreadable_reason).toBe('too many MIME parts');
    // What its own header section says is kept, for the holding pen (and for erasure to find).
    expect(row.subject).toBe('Broken reply');
    expect(row.from_address).toContain('officer@council.example');
    expect(row.envelope_from).toBe('officer@council.example');
    expect(row.text_body).toBeNull();
    expect(row.processed_at).not.toBeNull();
    expect((await rawMail.read(row.raw_key ?? '')).equals(raw)).toBe(true);
    expect(row.raw_size).toBe(raw.length);
    const audit = await db.kysely
      .selectFrom('audit_events')
      .select(['action', 'actor_type'])
      .where('record_id', '=', row.id)
      .execute();
    expect(audit).toEqual([{ action: 'inbound-mail.held', actor_type: 'system' }]);
  });

  it('asks the sender to try again (451) when a message cannot be stored, readable or not, keeping nothing', async () => {
    // A database server that is down: nothing listens where it should be.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const down = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port, connectionTimeoutMillis: 2000 }) }),
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-mail-in-down-'));
    const unavailable = await startMailGateway({
      host: '127.0.0.1',
      port: 0,
      domain: 'liaison.test',
      db: down,
      rawMail: new RawMailStore(dir),
      clock: systemClock,
      logger: createLogger('silent'),
    });
    try {
      const envelope = { from: 'officer@council.example', to: ['case-1234@liaison.test'] };
      await expect(
        sendRaw(unavailable.port, envelope, brokenMultipart(['From: officer@council.example', 'Subject: Broken'])),
      ).rejects.toMatchObject({ responseCode: 451 });
      await expect(
        sendRaw(
          unavailable.port,
          envelope,
          Buffer.from('From: officer@council.example\r\nSubject: Fine\r\n\r\nHello\r\n'),
        ),
      ).rejects.toMatchObject({ responseCode: 451 });
      expect(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.eml'))).toEqual([]);
    } finally {
      await unavailable.close();
      await down.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps one source file for each stored message and none for refused ones', async () => {
    const keys = await db.kysely.selectFrom('inbound_messages').select('raw_key').execute();
    expect(keys.length).toBeGreaterThan(0);
    expect(storedFiles()).toEqual(keys.map((k) => k.raw_key).sort());
  });
});

describe('mail that cannot be read, in the holding pen', () => {
  const DOMAIN = 'liaison.test';
  let t: TestApp;
  let gate: MailGateway;
  let mailDir: string;
  const filed: string[] = [];
  let raw: Buffer;
  let inboundId: string;
  let complaint: { id: string; reference: string };
  let outboxBefore: number;

  const outboxCount = async () =>
    (
      await t.db.kysely
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  beforeAll(async () => {
    mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-mail-in-pen-'));
    t = await createTestApp({ env: { MAIL_DOMAIN: DOMAIN, MAIL_DIR: mailDir } });
    gate = await startMailGateway({
      host: '127.0.0.1',
      port: 0,
      domain: DOMAIN,
      db: t.db.kysely,
      rawMail: t.services.rawMail,
      clock: t.clock,
      logger: createLogger('silent'),
      onStored: (id, parsed) => {
        filed.push(id);
        return t.services.correspondence.fileInbound(id, parsed);
      },
    });
    // A case whose authority thread exists: a readable reply to it would be filed on it.
    const authority = await authorityWithOfficers(t.db, { officers: 1 });
    complaint = await createComplaint(t.db, authority.authorityId);
    await t.db.kysely.transaction().execute((trx) =>
      t.services.correspondence.write(trx, {
        complaintId: complaint.id,
        kind: 'enquiry',
        addressees: ['link-officers'],
        subject: 'Enquiry',
        text: 'Please send us your file.',
        actor: null,
      }),
    );
    await t.services.correspondence.dispatchPending();
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .select('reply_token')
      .where('complaint_id', '=', complaint.id)
      .executeTakeFirstOrThrow();
    outboxBefore = await outboxCount();

    // Everything that would file it if it could be read: the thread's reply address, the link
    // officer as sender, the case reference in the subject.
    const officer = authority.officers[0]?.email ?? '';
    const to = `case+${thread.reply_token}@${DOMAIN}`;
    raw = brokenMultipart([
      `From: Officer One <${officer}>`,
      `To: ${to}`,
      `Subject: Re: Enquiry (our reference ${complaint.reference})`,
      'Message-ID: <unreadable-reply@council.example>',
    ]);
    const info = await sendRaw(gate.port, { from: officer, to: [to] }, raw);
    expect(info.response).toMatch(/^250 .*Stored as/);
    inboundId = /Stored as ([0-9a-f-]{36})/.exec(info.response)?.[1] ?? '';
  });
  afterAll(async () => {
    await gate.close();
    await t.close();
    fs.rmSync(mailDir, { recursive: true, force: true });
  });

  it('is never filed on a case, even its own, and nothing is sent in answer', async () => {
    const row = await t.db.kysely
      .selectFrom('inbound_messages')
      .select(['status', 'hold_reason', 'thread_id'])
      .where('id', '=', inboundId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'held', hold_reason: 'unreadable', thread_id: null });
    expect(filed).not.toContain(inboundId);
    // The sweep for messages not yet filed passes it by.
    await t.services.correspondence.fileUnprocessed();
    const items = await t.db.kysely
      .selectFrom('correspondence_items')
      .select('id')
      .where('inbound_message_id', '=', inboundId)
      .execute();
    expect(items).toEqual([]);
    expect(await outboxCount()).toBe(outboxBefore);
  });

  it('shows staff why it is there, lets them download its source, refuses to file it and lets them discard it', async () => {
    const { token } = await signedInAs(t.db, t.services, 'intake-officer');
    const staff = new TestClient(t.app).withSession(token);

    const list = await staff.get('/staff/holding-pen');
    expect(list.statusCode).toBe(200);
    const row = list.body.slice(list.body.indexOf(`/staff/holding-pen/${inboundId}`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Could not be read: too many MIME parts');

    const page = await staff.get(`/staff/holding-pen/${inboundId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Re: Enquiry (our reference ${complaint.reference})`);
    expect(page.body).toContain('Could not be read: too many MIME parts');
    expect(page.body).toContain('so it cannot be filed on a case');
    expect(page.body).not.toContain(`/staff/holding-pen/${inboundId}/assign`);
    expect(page.body).toContain(`href="/staff/holding-pen/${inboundId}/source"`);

    const source = await staff.get(`/staff/holding-pen/${inboundId}/source`);
    expect(source.statusCode).toBe(200);
    expect(source.headers['content-type']).toBe('message/rfc822');
    expect(source.headers['content-disposition']).toContain(`attachment; filename="message-${inboundId}.eml"`);
    expect(source.rawPayload.equals(raw)).toBe(true);

    // Filing it (the form is not offered, but the rule is the service's) is refused with the reason.
    const refused = await staff.post(`/staff/holding-pen/${inboundId}/assign`, {
      reference: complaint.reference,
      audience: 'authority',
    });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`/staff/holding-pen/${inboundId}`);
    const again = await staff.get(`/staff/holding-pen/${inboundId}`);
    expect(again.body).toContain('govuk-error-summary');
    expect(again.body).toContain('This message could not be read, so it cannot be filed on a case');
    const items = await t.db.kysely
      .selectFrom('correspondence_items')
      .select('id')
      .where('inbound_message_id', '=', inboundId)
      .execute();
    expect(items).toEqual([]);

    const apiToken = (
      await t.services.apiTokens.createFromCommandLine({ name: 'pen', role: 'investigator', authorityId: null })
    ).token;
    const pen = await t.app.inject({ url: '/api/v1/holding-pen', headers: { authorization: `Bearer ${apiToken}` } });
    expect(pen.statusCode).toBe(200);
    const listed = pen.json<{ items: { id: string; reason: string; unreadableReason: string | null }[] }>().items;
    expect(listed.find((m) => m.id === inboundId)).toMatchObject({
      reason: 'unreadable',
      unreadableReason: 'too many MIME parts',
    });

    const discarded = await staff.post(`/staff/holding-pen/${inboundId}/discard`, {
      reason: 'Asked the council to resend',
    });
    expect(discarded.headers.location).toBe('/staff/holding-pen');
    const after = await t.db.kysely
      .selectFrom('inbound_messages')
      .select(['status', 'discard_reason', 'raw_key'])
      .where('id', '=', inboundId)
      .executeTakeFirstOrThrow();
    expect([after.status, after.discard_reason]).toEqual(['discarded', 'Asked the council to resend']);
    // The source stays with the discarded message, as every message's does.
    expect((await t.services.rawMail.read(after.raw_key ?? '')).equals(raw)).toBe(true);
  });
});
