import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { outboxRepository } from '../../src/platform/mail/outbox.repository.ts';
import { outboxRow as rowOf, type OutgoingMail } from '../../src/platform/mail/outbox.ts';
import { MailSender } from '../../src/platform/mail/sender.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDb } from '../support/db.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const logger = createLogger('silent');

/** Puts a message in the outbox as it is, for the sender under test to find (no job: the tests call it). */
const enqueueMail = (handle: Db['kysely'], m: OutgoingMail) =>
  outboxRepository.insertWithAttachments(handle, rowOf(m), m.attachments);
let db: Db;
let sink: SmtpSink;
let clock: FixedClock;
let counter = 0;

const mail = (overrides: { to?: string; subject?: string } = {}) => {
  counter++;
  return {
    kind: 'test',
    to: overrides.to ?? `person${counter}@example.test`,
    subject: overrides.subject ?? `Message ${counter}`,
    text: `Hello number ${counter}.\n\nThis is the plain text.`,
    html: `<p>Hello number <strong>${counter}</strong>.</p>`,
    headers: { 'X-Liaison-Kind': 'test' },
    idempotencyKey: `test-${counter}-${Math.random()}`,
  };
};

const outboxRow = (subject: string) =>
  db.kysely.selectFrom('outbox_messages').selectAll().where('subject', '=', subject).executeTakeFirstOrThrow();

const received = (subject: string) => sink.messages.filter((m) => m.parsed.subject === subject);

beforeAll(async () => {
  db = await createTestDb();
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
  await db.close();
});
beforeEach(() => {
  clock = new FixedClock(new Date());
});

const sender = (options: { maxAttempts?: number; smtp?: boolean } = {}) =>
  new MailSender(
    db.kysely,
    clock,
    {
      ...(options.smtp === false ? {} : { smtpUrl: sink.url }),
      from: 'Liaison <no-reply@liaison.test>',
      domain: 'liaison.test',
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    },
    logger,
  );

describe('sending the outbox over SMTP', () => {
  it('sends each queued message once, as plain text and HTML, and records the relay’s answer', async () => {
    const first = mail();
    const second = mail();
    await db.kysely.transaction().execute(async (trx) => {
      await enqueueMail(trx, first);
      await enqueueMail(trx, second);
    });
    const s = sender();
    expect(await s.sendDue()).toMatchObject({ sent: 2 });
    expect(await s.sendDue()).toMatchObject({ sent: 0 });
    s.close();

    const [got] = received(first.subject);
    expect(received(first.subject)).toHaveLength(1);
    expect(received(second.subject)).toHaveLength(1);
    expect(got?.envelopeTo).toEqual([first.to]);
    expect(got?.parsed.text?.trim()).toBe(first.text);
    expect(got?.parsed.html).toContain('<strong>');
    expect(got?.parsed.headers.get('x-liaison-kind')).toBe('test');
    expect(got?.raw.toString()).toMatch(/multipart\/alternative/i);

    const row = await outboxRow(first.subject);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(1);
    expect(row.sent_at).not.toBeNull();
    expect(row.smtp_response).toMatch(/^250 /);
    expect(got?.parsed.messageId).toBe(`<${row.id}@liaison.test>`);
  });

  it('keeps a message the relay refuses, retries it after the backoff, and delivers it once', async () => {
    const m = mail();
    await enqueueMail(db.kysely, m);
    sink.rejectNext(1, 451);
    const s = sender();
    expect(await s.sendDue()).toMatchObject({ sent: 0, retrying: 1 });
    let row = await outboxRow(m.subject);
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/451|try again/i);
    expect(row.next_attempt_at?.getTime()).toBe(clock.now().getTime() + 60_000);

    // Not due yet: nothing is sent again.
    expect(await s.sendDue()).toMatchObject({ sent: 0, retrying: 0 });
    expect(received(m.subject)).toHaveLength(0);

    clock.advance(61_000);
    expect(await s.sendDue()).toMatchObject({ sent: 1 });
    s.close();
    row = await outboxRow(m.subject);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(2);
    expect(received(m.subject)).toHaveLength(1);
  });

  it('marks a message failed at once when the relay refuses it permanently', async () => {
    const m = mail();
    await enqueueMail(db.kysely, m);
    sink.rejectNext(1, 554);
    const s = sender();
    expect(await s.sendDue()).toMatchObject({ failed: 1 });
    clock.advance(24 * 3_600_000);
    expect(await s.sendDue()).toMatchObject({ sent: 0 });
    s.close();
    const row = await outboxRow(m.subject);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.smtp_response).toMatch(/^554/);
    expect(received(m.subject)).toHaveLength(0);
  });

  it('marks a message failed after its last attempt, keeping it in the outbox', async () => {
    const m = mail();
    await enqueueMail(db.kysely, m);
    sink.rejectNext(2, 451);
    const s = sender({ maxAttempts: 2 });
    await s.sendDue();
    clock.advance(61_000);
    expect(await s.sendDue()).toMatchObject({ failed: 1 });
    clock.advance(24 * 3_600_000);
    expect(await s.sendDue()).toMatchObject({ sent: 0 });
    s.close();
    const row = await outboxRow(m.subject);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBeTruthy();
    expect(received(m.subject)).toHaveLength(0);
  });

  it('never sends a message twice when two senders sweep at the same moment', async () => {
    const batch = Array.from({ length: 6 }, () => mail({ subject: `Race ${Math.random()}` }));
    for (const m of batch) await enqueueMail(db.kysely, m);
    const a = sender();
    const b = sender();
    const [ra, rb] = await Promise.all([a.sendDue(), b.sendDue()]);
    a.close();
    b.close();
    expect(ra.sent + rb.sent).toBe(6);
    for (const m of batch) expect(received(m.subject)).toHaveLength(1);
  });

  it('sends each message once when one sender is asked to send while it is already sending', async () => {
    const batch = Array.from({ length: 40 }, () => mail({ subject: `Asked twice ${Math.random()}` }));
    for (const m of batch) await enqueueMail(db.kysely, m);
    const s = sender();
    const first = s.sendDue();
    // Written while the first drain runs: the second call is for this one.
    const late = mail({ subject: `Written during the drain ${Math.random()}` });
    await enqueueMail(db.kysely, late);
    const [a, b] = await Promise.all([first, s.sendDue()]);
    s.close();
    expect(a.sent).toBe(41);
    expect(b).toEqual(a);
    for (const m of [...batch, late]) expect(received(m.subject)).toHaveLength(1);
    expect((await outboxRow(late.subject)).status).toBe('sent');
  });

  it('sends a message to one person before a mailing queued ahead of it', async () => {
    const run = Math.random();
    const mailing = Array.from({ length: 12 }, (_, i) => ({ ...mail({ subject: `Mailing ${run} ${i}` }), bulk: true }));
    for (const m of mailing) await enqueueMail(db.kysely, m);
    const reset = mail({ subject: `Password reset ${run}` });
    await enqueueMail(db.kysely, reset);
    // One message at a time, five claimed at once: the reset is claimed, and sent, first.
    const s = new MailSender(
      db.kysely,
      clock,
      {
        smtpUrl: sink.url,
        from: 'Liaison <no-reply@liaison.test>',
        domain: 'liaison.test',
        batchSize: 5,
        concurrency: 1,
      },
      logger,
    );
    await s.sendDue();
    s.close();
    const order = sink.messages
      .map((m) => m.parsed.subject ?? '')
      .filter((subject) => subject.endsWith(`${run}`) || subject.startsWith(`Mailing ${run} `));
    expect(order[0]).toBe(reset.subject);
    expect(order.slice(1).sort()).toEqual(mailing.map((m) => m.subject).sort());
  });

  it('after a sender dies, re-sends only what it never handed to the relay, and never twice', async () => {
    const handedOver = mail({ subject: `Handed over ${Math.random()}` });
    const neverSent = mail({ subject: `Never sent ${Math.random()}` });
    await enqueueMail(db.kysely, handedOver);
    await enqueueMail(db.kysely, neverSent);
    // A sender claimed both and died after handing the first to the relay, before recording its answer.
    await db.kysely
      .updateTable('outbox_messages')
      .set({ status: 'sending', attempts: 1, next_attempt_at: new Date(clock.now().getTime() + 60_000) })
      .where('subject', 'in', [handedOver.subject, neverSent.subject])
      .execute();
    await db.kysely
      .updateTable('outbox_messages')
      .set({ transmit_started_at: clock.now() })
      .where('subject', '=', handedOver.subject)
      .execute();
    const s = sender();
    // Within the lease nothing is touched: the sender may still be alive.
    expect(await s.sendDue()).toMatchObject({ sent: 0 });
    clock.advance(61_000);
    expect(await s.sendDue()).toMatchObject({ sent: 1 });
    expect(await s.sendDue()).toMatchObject({ sent: 0 });
    s.close();
    expect(received(neverSent.subject)).toHaveLength(1);
    expect(received(handedOver.subject)).toHaveLength(0);
    expect((await outboxRow(handedOver.subject)).status).toBe('unknown');
    expect((await outboxRow(neverSent.subject)).status).toBe('sent');
  });

  it('sends attachments, and names each message in its envelope sender so a bounce can find it', async () => {
    const m = {
      ...mail(),
      attachments: [{ filename: 'letter.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 test') }],
    };
    await enqueueMail(db.kysely, m);
    const s = sender();
    await s.sendDue();
    s.close();
    const [got] = received(m.subject);
    const row = await outboxRow(m.subject);
    expect(got?.envelopeFrom).toBe(`bounce+${row.id}@liaison.test`);
    expect(got?.parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ['letter.pdf', 'application/pdf', '%PDF-1.4 test'],
    ]);
  });

  it('holds messages in the outbox when no mail server is configured', async () => {
    const m = mail();
    await enqueueMail(db.kysely, m);
    expect(await sender({ smtp: false }).sendDue()).toMatchObject({ held: 1 });
    const row = await outboxRow(m.subject);
    expect(row.status).toBe('held');
    expect(row.attempts).toBe(0);
    expect(received(m.subject)).toHaveLength(0);
  });
});

describe('the worker', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SMTP_URL: sink.url, JOB_POLL_SECONDS: '1' } });
    await t.services.jobs.start({ work: true });
  });
  afterAll(async () => {
    await t.services.jobs.stop();
    t.services.mailSender.close();
    await t.close();
  });

  it('sends mail written to the outbox without anything else being called', async () => {
    const m = mail();
    await t.db.kysely.transaction().execute(async (trx) => t.services.mail.enqueue(trx, m));
    const before = sink.messages.length;
    await sink.waitFor(before + 1);
    expect(received(m.subject)).toHaveLength(1);
    // The relay answers before the outbox row is updated: wait for the update too.
    const status = async () =>
      (
        await t.db.kysely
          .selectFrom('outbox_messages')
          .select('status')
          .where('subject', '=', m.subject)
          .executeTakeFirstOrThrow()
      ).status;
    const deadline = Date.now() + 15_000;
    while ((await status()) !== 'sent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await status()).toBe('sent');
  });

  it('writes a message and the job that sends it together, and neither when the change is rolled back', async () => {
    const jobsOf = async () =>
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail.send'`.execute(t.db.kysely))
          .rows[0]?.n,
      );
    const rows = (subject: string) =>
      t.db.kysely.selectFrom('outbox_messages').select('id').where('subject', '=', subject).execute();
    const before = await jobsOf();
    const kept = mail();
    await t.db.kysely.transaction().execute(async (trx) => t.services.mail.enqueue(trx, kept));
    expect(await rows(kept.subject)).toHaveLength(1);
    expect(await jobsOf()).toBe(before + 1);

    const dropped = mail();
    await expect(
      t.db.kysely.transaction().execute(async (trx) => {
        await t.services.mail.enqueue(trx, dropped);
        throw new Error('the change fails after its message was written');
      }),
    ).rejects.toThrow('the change fails');
    expect(await rows(dropped.subject)).toHaveLength(0);
    expect(await jobsOf()).toBe(before + 1);
  });
});
