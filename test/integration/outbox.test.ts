import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../../src/platform/mail/outbox.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';

let t: TestApp;
let admin: TestClient;
const subjects: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  for (let i = 1; i <= 5; i++) {
    const subject = `Outbox message ${i}`;
    subjects.push(subject);
    await enqueueMail(t.db.kysely, {
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
    const id = await enqueueMail(t.db.kysely, {
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
