import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/platform/errors.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

let t: TestApp;
let admin: TestClient;
const subjects: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  for (let i = 1; i <= 5; i++) {
    const subject = `Outbox message ${i}`;
    subjects.push(subject);
    await t.services.mail.enqueue(t.db.kysely, {
      kind: i % 2 ? 'invitation' : 'password-reset',
      to: `recipient${i}@example.test`,
      subject,
      text: `Line one of ${i}\nLine two of ${i}`,
      html: `<p>Hello ${i}</p><script>alert("x")</script>`,
      headers: { 'Reply-To': 'casework@liaison.test' },
      idempotencyKey: `outbox-page-${i}`,
    });
    // A second apart, so "newest first" has one answer (the embedded database's clock can repeat).
    await t.db.kysely
      .updateTable('outbox_messages')
      .set({ created_at: new Date(Date.UTC(2026, 10, 1, 9, 0, i)) })
      .where('subject', '=', subject)
      .execute();
  }
  const { token } = await signedInAs(t.db, t.services, 'administrator');
  admin = new TestClient(t.app).withSession(token);
});
afterAll(async () => {
  await t.close();
});

const subjectsOn = (body: string) => [...body.matchAll(/>(Outbox message \d)</g)].map((m) => m[1]);

describe('the outbox pages', () => {
  it('list messages newest first with their status and kind, a page at a time', async () => {
    const first = await admin.get('/staff/outbox?limit=2');
    expect(first.statusCode).toBe(200);
    expect(subjectsOn(first.body)).toEqual(['Outbox message 5', 'Outbox message 4']);
    expect(first.body).toContain('Queued');
    expect(first.body).toContain('password-reset');
    expect(first.body).toContain('No mail server is configured');

    const seen = [...subjectsOn(first.body)];
    let body = first.body;
    for (let guard = 0; guard < 5; guard++) {
      const next = /href="(\/staff\/outbox\?cursor=[^"]+)"/.exec(body)?.[1];
      if (!next) break;
      const res = await admin.get(next.replaceAll('&amp;', '&') + '&limit=2');
      expect(res.statusCode).toBe(200);
      seen.push(...subjectsOn(res.body));
      body = res.body;
    }
    expect(seen).toEqual([...subjects].reverse());
  });

  it('say plainly of a message handed to the mail server without an answer that it is not known if it was sent', async () => {
    await t.db.kysely
      .updateTable('outbox_messages')
      .set({ status: 'unknown' })
      .where('subject', '=', 'Outbox message 1')
      .execute();
    const page = await admin.get('/staff/outbox?limit=10');
    const row = page.body.slice(page.body.indexOf('>Outbox message 1<'));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Not known if sent');
    await t.db.kysely
      .updateTable('outbox_messages')
      .set({ status: 'queued' })
      .where('subject', '=', 'Outbox message 1')
      .execute();
  });

  it('show one message: headers, the plain text, and the HTML rendered only in a sandbox where nothing runs', async () => {
    const row = await t.db.kysely
      .selectFrom('outbox_messages')
      .select('id')
      .where('subject', '=', 'Outbox message 3')
      .executeTakeFirstOrThrow();
    const res = await admin.get(`/staff/outbox/${row.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('recipient3@example.test');
    expect(res.body).toContain('Reply-To');
    expect(res.body).toContain('casework@liaison.test');
    expect(res.body).toContain('Line one of 3<br />');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(res.body).not.toContain('<script>alert');
    const html = await admin.get(`/staff/outbox/${row.id}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toBe('<p>Hello 3</p><script>alert("x")</script>');
    // Rendered as sent, but under a policy that runs nothing and loads nothing.
    expect(html.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none';/);
    expect(html.headers['content-security-policy']).not.toContain('allow-scripts');
  });

  it('list a message’s attachments by name, type and size', async () => {
    const id = await t.services.mail.enqueue(t.db.kysely, {
      kind: 'letter',
      to: 'chief.executive@council.example',
      subject: 'With a letter',
      text: 'Please find our letter attached.',
      attachments: [{ filename: 'letter.pdf', contentType: 'application/pdf', content: Buffer.alloc(2048, 1) }],
      idempotencyKey: 'outbox-attachment',
    });
    const res = await admin.get(`/staff/outbox/${id ?? ''}`);
    expect(res.body).toContain('letter.pdf (application/pdf, 2 KB)');
  });

  it('answer 404 for a message that does not exist', async () => {
    expect((await admin.get('/staff/outbox/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await admin.get('/staff/outbox/not-an-id')).statusCode).toBe(404);
  });

  it('refuse a cursor the service did not make', async () => {
    expect((await admin.get('/staff/outbox?cursor=rubbish')).statusCode).toBe(400);
  });

  it('are for administrators only', async () => {
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    const investigator = new TestClient(t.app).withSession(token);
    expect((await investigator.get('/staff/outbox')).statusCode).toBe(403);
    const visitor = await new TestClient(t.app).get('/staff/outbox');
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe('/sign-in?next=%2Fstaff%2Foutbox');
  });
});

describe('sending again a message not known to have been sent', () => {
  const DOMAIN = 'liaison.test';
  let app: TestApp;
  let sink: SmtpSink;
  let administrator: TestClient;
  let administratorId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await createTestApp({ env: { SMTP_URL: sink.url, MAIL_DOMAIN: DOMAIN } });
    const { user, token } = await signedInAs(app.db, app.services, 'administrator');
    administratorId = user.id;
    administrator = new TestClient(app.app).withSession(token);
  });
  afterAll(async () => {
    app.services.mailSender.close();
    await app.close();
    await sink.close();
  });

  /** A message handed to the mail server by a sender that then stopped before recording the answer. */
  async function unknownMessage(subject: string): Promise<string> {
    const id = await app.services.mail.enqueue(app.db.kysely, {
      kind: 'invitation',
      to: 'new.user@council.example',
      subject,
      text: 'You have been invited.',
      idempotencyKey: `unknown-${subject}`,
    });
    await app.db.kysely
      .updateTable('outbox_messages')
      .set({
        status: 'sending',
        attempts: 1,
        transmit_started_at: new Date(Date.now() - 20 * 60_000),
        next_attempt_at: new Date(Date.now() - 60_000),
      })
      .where('id', '=', id ?? '')
      .execute();
    expect(await app.services.mailSender.recoverExpired()).toMatchObject({ unknown: 1 });
    return id ?? '';
  }

  const statusOf = async (id: string) =>
    (
      await app.db.kysely
        .selectFrom('outbox_messages')
        .select(['status', 'resent_at', 'resent_by'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  const resendAudits = (id: string) =>
    app.db.kysely
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id', 'actor_role'])
      .where('action', '=', 'outbox.resent')
      .where('record_id', '=', id)
      .execute();

  it('queues it again once an administrator confirms, and a real mail server receives it under the same Message-ID', async () => {
    const id = await unknownMessage('Your invitation to Liaison');
    const page = await administrator.get(`/staff/outbox/${id}`);
    expect(page.body).toContain('Not known if sent');
    expect(page.body).toContain('Send it again');
    expect(page.body).toContain('the recipient may receive it twice');
    expect(page.body).toContain(`action="/staff/outbox/${id}/resend"`);

    // Without the box ticked: the error summary, and nothing changes.
    const unconfirmed = await administrator.post(`/staff/outbox/${id}/resend`, {});
    expect(unconfirmed.statusCode).toBe(303);
    expect(unconfirmed.headers.location).toBe(`/staff/outbox/${id}`);
    const again = await administrator.get(`/staff/outbox/${id}`);
    expect(again.body).toContain('govuk-error-summary');
    expect(again.body).toContain('href="#confirm"');
    expect(again.body).toContain('Confirm that you understand the recipient may receive this message twice');
    expect(await statusOf(id)).toBe('unknown');
    expect(await resendAudits(id)).toEqual([]);

    const confirmed = await administrator.post(`/staff/outbox/${id}/resend`, { confirm: 'yes' });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(`/staff/outbox/${id}`);
    const queued = await administrator.get(`/staff/outbox/${id}`);
    expect(queued.body).toContain('queued to be sent again');
    expect(queued.body).toContain('Sent again');
    expect(queued.body).toContain('Test administrator');
    expect(queued.body).not.toContain(`action="/staff/outbox/${id}/resend"`);
    const list = await administrator.get('/staff/outbox');
    const row = list.body.slice(list.body.indexOf('>Your invitation to Liaison<'));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Sent again by an administrator');
    expect(await resendAudits(id)).toEqual([
      { actor_type: 'user', actor_id: administratorId, actor_role: 'administrator' },
    ]);

    expect(await app.services.mailSender.sendDue()).toMatchObject({ sent: 1 });
    const [received] = await sink.waitFor(1);
    expect(received?.parsed.subject).toBe('Your invitation to Liaison');
    expect(received?.parsed.messageId).toBe(`<${id}@${DOMAIN}>`);
    expect(received?.envelopeTo).toEqual(['new.user@council.example']);
    // The relay's acceptance is committed as the message is handed over; on a server another
    // connection may read the row a moment before that commit lands.
    const stored = () =>
      app.db.kysely
        .selectFrom('outbox_messages')
        .select(['status', 'resent_by', 'attempts'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    await expect.poll(stored, { timeout: 10_000 }).toEqual({ status: 'sent', resent_by: administratorId, attempts: 2 });
  });

  it('refuses a message that was sent, with the reason, sending nothing', async () => {
    const sent = await app.db.kysely
      .selectFrom('outbox_messages')
      .select('id')
      .where('status', '=', 'sent')
      .executeTakeFirstOrThrow();
    const before = sink.messages.length;
    const refused = await administrator.post(`/staff/outbox/${sent.id}/resend`, { confirm: 'yes' });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`/staff/outbox/${sent.id}`);
    const page = await administrator.get(`/staff/outbox/${sent.id}`);
    expect(page.body).toContain('govuk-error-summary');
    expect(page.body).toContain('This message was sent: the mail server accepted it, so it cannot be sent again');
    expect(await statusOf(sent.id)).toBe('sent');
    expect(await app.services.mailSender.sendDue()).toMatchObject({ sent: 0 });
    expect(sink.messages).toHaveLength(before);
  });

  it('refuses a message in any other state but unknown', async () => {
    const id = await app.services.mail.enqueue(app.db.kysely, {
      kind: 'invitation',
      to: 'other@council.example',
      subject: 'Not yet sent',
      text: 'x',
      idempotencyKey: 'resend-states',
    });
    const { user } = await signedInAs(app.db, app.services, 'administrator');
    const actor = { type: 'user' as const, id: user.id, roles: ['administrator' as const], authorityId: null };
    for (const status of ['queued', 'sending', 'held', 'failed'] as const) {
      await app.db.kysely
        .updateTable('outbox_messages')
        .set({ status })
        .where('id', '=', id ?? '')
        .execute();
      const failure: unknown = await app.services.outbox
        .resend(actor, id ?? '', { confirmed: true })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DomainError);
      expect((failure as DomainError).code).toBe('conflict');
      expect(await statusOf(id ?? '')).toBe(status);
    }
    expect(await resendAudits(id ?? '')).toEqual([]);
  });

  it('is for administrators only', async () => {
    const id = await unknownMessage('For administrators only');
    const { token } = await signedInAs(app.db, app.services, 'investigator');
    const investigator = new TestClient(app.app).withSession(token);
    expect((await investigator.post(`/staff/outbox/${id}/resend`, { confirm: 'yes' })).statusCode).toBe(403);
    expect(
      (await administrator.post(`/staff/outbox/${id}/resend`, { confirm: 'yes' }, { csrf: false })).statusCode,
    ).toBe(403);
    expect(await statusOf(id)).toBe('unknown');
  });
});
