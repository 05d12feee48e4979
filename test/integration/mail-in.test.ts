import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { startMailGateway, type MailGateway } from '../../src/platform/mail/inbound.ts';
import { RawMailStore } from '../../src/platform/mail/raw-store.ts';
import { createTestDb } from '../support/db.ts';

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

const transport = () =>
  nodemailer.createTransport({ host: '127.0.0.1', port: gateway.port, secure: false, ignoreTLS: true });

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

  it('keeps one source file for each stored message and none for refused ones', async () => {
    const keys = await db.kysely.selectFrom('inbound_messages').select('raw_key').execute();
    expect(keys.length).toBeGreaterThan(0);
    expect(storedFiles()).toEqual(keys.map((k) => k.raw_key).sort());
  });
});
