import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.ts';
import { startMailGateway, type MailGateway } from '../../src/platform/mail/inbound.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { authorityWithOfficers, createComplaint } from './correspondence.fixtures.ts';

const DOMAIN = 'liaison.test';
let t: TestApp;
let gateway: MailGateway;
let mailDir: string;
let replyTo: string;
let officer: string;
let complaintId: string;
/** The ids handed to filing, in order. */
const filed: string[] = [];

beforeAll(async () => {
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-mail-in-once-'));
  t = await createTestApp({ env: { MAIL_DOMAIN: DOMAIN, MAIL_DIR: mailDir } });
  gateway = await startMailGateway({
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
  // A case with an enquiry sent to its authority: a reply to its address is filed on the case.
  const authority = await authorityWithOfficers(t.db, { officers: 1 });
  const complaint = await createComplaint(t.db, authority.authorityId);
  complaintId = complaint.id;
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
  replyTo = `case+${thread.reply_token}@${DOMAIN}`;
  officer = authority.officers[0]?.email ?? '';
});
afterAll(async () => {
  await gateway.close();
  await t.close();
  fs.rmSync(mailDir, { recursive: true, force: true });
});

/** A message's source as a sending mail server keeps it in its queue (SMTP line endings). */
function source(headers: readonly string[], body: string): Buffer {
  return Buffer.from(
    [...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'),
  );
}

async function sendRaw(raw: Buffer, to = replyTo): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: gateway.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const info = (await transport.sendMail({ envelope: { from: officer, to: [to] }, raw })) as { response: string };
    return info.response;
  } finally {
    transport.close();
  }
}

const storedId = (response: string) => /^250 .*Stored as ([0-9a-f-]{36})/.exec(response)?.[1];

/**
 * Speaks SMTP over a plain socket up to the end of the message's data, then hangs up without
 * waiting for the answer: a delivery cut off between the message being stored and the sender
 * hearing "250". The sender cannot know whether it was stored, so it will send it again.
 */
async function deliverAndHangUp(raw: Buffer, to = replyTo): Promise<void> {
  const socket = net.connect(gateway.port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffered = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    waiters.splice(0).forEach((w) => w());
  });
  /** Waits for a complete reply (its last line is "NNN text") and checks its code. */
  const reply = async (code: string) => {
    for (;;) {
      const lines = buffered.split('\r\n');
      const done = lines.findIndex((l) => /^\d{3} /.test(l));
      if (done >= 0) {
        buffered = lines.slice(done + 1).join('\r\n');
        expect(lines[done]?.slice(0, 3)).toBe(code);
        return;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  await reply('220');
  socket.write('EHLO sender.example\r\n');
  await reply('250');
  socket.write(`MAIL FROM:<${officer}>\r\n`);
  await reply('250');
  socket.write(`RCPT TO:<${to}>\r\n`);
  await reply('250');
  socket.write('DATA\r\n');
  await reply('354');
  // Dot-stuffing: none of these messages has a line starting with a dot.
  await new Promise<void>((resolve) => socket.end(Buffer.concat([raw, Buffer.from('.\r\n')]), resolve));
  socket.destroy();
}

const rowsWith = (messageId: string) =>
  t.db.kysely
    .selectFrom('inbound_messages')
    .select(['id', 'status', 'raw_key'])
    .where('message_id', '=', messageId)
    .execute();

/** Waits until `messageId` has been stored (the gateway goes on after the sender hung up). */
async function storedOnce(messageId: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const rows = await rowsWith(messageId);
    if (rows.length > 0) return rows[0]?.id ?? '';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${messageId} was never stored`);
}

const caseItems = () =>
  t.db.kysely
    .selectFrom('correspondence_items')
    .select('inbound_message_id')
    .where('complaint_id', '=', complaintId)
    .where('direction', '=', 'inbound')
    .execute();

const mailFiles = () =>
  fs
    .readdirSync(mailDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();

describe('inbound mail sent again after a cut-off delivery', () => {
  it('is acknowledged as the message already stored, and stored and filed on its case once', async () => {
    const messageId = '<reply-cut-off@council.example>';
    const raw = source(
      [`From: Officer One <${officer}>`, `To: ${replyTo}`, 'Subject: Re: Enquiry', `Message-ID: ${messageId}`],
      'Our file is attached to the letter we posted.',
    );
    await deliverAndHangUp(raw);
    const first = await storedOnce(messageId);

    // The sender, never having heard "250", sends the same message again.
    const response = await sendRaw(raw);
    expect(storedId(response)).toBe(first);
    expect(await sendRaw(raw)).toMatch(/^250 /);

    expect((await rowsWith(messageId)).map((r) => r.id)).toEqual([first]);
    expect(filed.filter((id) => id === first)).toHaveLength(1);
    expect((await caseItems()).filter((i) => i.inbound_message_id === first)).toHaveLength(1);
  });

  it('stores one copy when the same message arrives over two connections at once', async () => {
    const messageId = '<reply-twice-at-once@council.example>';
    const raw = source(
      [`From: Officer One <${officer}>`, `To: ${replyTo}`, 'Subject: Re: Enquiry', `Message-ID: ${messageId}`],
      'Sent by two of our mail servers at the same moment.',
    );
    const responses = await Promise.all([sendRaw(raw), sendRaw(raw), sendRaw(raw)]);
    const ids = responses.map(storedId);
    expect(ids[0]).toBeDefined();
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    expect((await rowsWith(messageId)).map((r) => r.id)).toEqual([ids[0]]);
    expect((await caseItems()).filter((i) => i.inbound_message_id === ids[0])).toHaveLength(1);
  });

  it('stores a different message that reuses a Message-ID, and a message without one each time it comes', async () => {
    const messageId = '<reused-id@council.example>';
    const headers = [
      `From: Officer One <${officer}>`,
      `To: ${replyTo}`,
      'Subject: Re: Enquiry',
      `Message-ID: ${messageId}`,
    ];
    const a = storedId(await sendRaw(source(headers, 'The first answer.')));
    const b = storedId(await sendRaw(source(headers, 'A second, different answer.')));
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(b).not.toBe(a);
    expect(await rowsWith(messageId)).toHaveLength(2);

    // Without a Message-ID nothing tells a copy from a new message with the same words: both are kept.
    const anonymous = source([`From: Officer One <${officer}>`, `To: ${replyTo}`, 'Subject: No id'], 'Same words.');
    const c = storedId(await sendRaw(anonymous));
    const d = storedId(await sendRaw(anonymous));
    expect(c).toBeDefined();
    expect(d).not.toBe(c);
    const rows = await t.db.kysely.selectFrom('inbound_messages').select('id').where('subject', '=', 'No id').execute();
    expect(rows).toHaveLength(2);
  });

  it('holds an unreadable message once when it is sent again', async () => {
    const lines = [
      `From: Officer One <${officer}>`,
      `To: ${replyTo}`,
      'Subject: Broken, twice',
      'Message-ID: <broken-twice@council.example>',
      'MIME-Version: 1.0',
    ];
    for (let i = 0; i < 1010; i++) lines.push(`Content-Type: multipart/mixed; boundary=n${i}`, '', `--n${i}`);
    lines.push('Content-Type: text/plain', '', 'Never read.', '');
    const raw = Buffer.from(lines.join('\r\n'));
    await deliverAndHangUp(raw);
    const first = await storedOnce('<broken-twice@council.example>');
    expect(storedId(await sendRaw(raw))).toBe(first);
    const rows = await rowsWith('<broken-twice@council.example>');
    expect(rows.map((r) => [r.id, r.status])).toEqual([[first, 'held']]);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('record_id', '=', first)
      .execute();
    expect(audit).toEqual([{ action: 'inbound-mail.held' }]);
  });

  it('keeps one source file for each stored message: none for a copy acknowledged as already stored', async () => {
    const keys = await t.db.kysely.selectFrom('inbound_messages').select('raw_key').execute();
    expect(keys.length).toBeGreaterThan(0);
    expect(mailFiles()).toEqual(keys.map((k) => k.raw_key).sort());
  });
});
