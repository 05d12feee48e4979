import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { emailKey } from '../../src/modules/newsletter/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';
import { authorityWithOfficers, sendToGateway } from './correspondence.fixtures.ts';
import { startMailGateway } from '../../src/platform/mail/inbound.ts';
import { inboundMailFiler } from '../../src/modules/inbound-mail.ts';
import { createLogger } from '../../src/platform/logger.ts';

const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let t: TestApp;
let lead: Actor;
let leadEmail: string;
let base: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  base = t.config.BASE_URL;
  const user = await createUser(t.services, { role: 'relationship-lead' });
  leadEmail = user.email;
  lead = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };
});

afterAll(async () => {
  await t.close();
});

const mails = (kind: string, to?: string) =>
  t.db.kysely
    .selectFrom('outbox_messages')
    .selectAll()
    .where('kind', '=', kind)
    .$if(to !== undefined, (q) => q.where('to_address', '=', to ?? ''))
    .orderBy('created_at')
    .execute();

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const confirmToken = (text: string) => {
  const match = /\/newsletter\/confirm\/([A-Za-z0-9_-]{43})/.exec(text);
  if (!match?.[1]) throw new Error(`no confirmation link in ${text}`);
  return match[1];
};

async function subscribe(email: string) {
  await t.services.newsletter.requestSubscription({ email, name: 'Sam Subscriber', organisation: 'Care Co' });
  const [mail] = (await mails('newsletter-confirm', email)).slice(-1);
  await t.services.newsletter.confirm(confirmToken(mail?.text_body ?? ''));
}

async function sendIssue(subject: string, body = 'Hello **readers**.') {
  const id = await t.services.newsletter.createIssue(lead, { subject, preheader: '', body, topics: [] });
  await t.services.newsletter.send(lead, id);
  await t.services.newsletter.fanOut(id);
  // The outbox is not sent in these tests (no relay): mark the issue's messages sent as the relay would.
  await t.db.kysely
    .updateTable('outbox_messages')
    .set({ status: 'sent', sent_at: clock.now() })
    .where('kind', '=', 'newsletter')
    .where('status', 'in', ['queued', 'held'])
    .execute();
  await t.services.newsletter.sweep();
  return id;
}

const recipientsOf = async (subject: string) =>
  (
    await t.db.kysely
      .selectFrom('outbox_messages')
      .select('to_address')
      .where('kind', '=', 'newsletter')
      .where('subject', '=', subject)
      .execute()
  )
    .map((r) => r.to_address)
    .sort();

describe('subscribing', () => {
  it('subscribes only once the emailed link is opened, and the link works once', async () => {
    await t.services.newsletter.requestSubscription({ email: 'ann@care.example', name: null, organisation: null });
    const [mail] = await mails('newsletter-confirm', 'ann@care.example');
    const token = confirmToken(mail?.text_body ?? '');
    const pending = await t.db.kysely
      .selectFrom('newsletter_subscribers')
      .selectAll()
      .where('email_key', '=', emailKey('ann@care.example'))
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
    await expect(t.services.newsletter.confirmation(token)).resolves.toEqual({ email: 'ann@care.example' });
    await t.services.newsletter.confirm(token);
    const again = await refusal(t.services.newsletter.confirm(token));
    expect(again.message).toContain('may have been used already');
    const altered = await refusal(t.services.newsletter.confirm(`${token.slice(0, -1)}x`));
    expect(altered.code).toBe('gone');
    const row = await t.db.kysely
      .selectFrom('newsletter_subscribers')
      .selectAll()
      .where('id', '=', pending.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('confirmed');
  });

  it('answers the same whether or not the address subscribes, and tells only the address', async () => {
    await t.services.newsletter.requestSubscription({ email: 'ANN@care.example', name: null, organisation: null });
    const sent = await mails('newsletter-confirm', 'ANN@care.example');
    expect(sent.at(-1)?.subject).toBe('You already receive Ombudsman Link');
    const row = await t.db.kysely
      .selectFrom('newsletter_subscribers')
      .selectAll()
      .where('email_key', '=', emailKey('ann@care.example'))
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('confirmed');
  });

  it('refuses an expired link and deletes requests left unconfirmed for 7 days', async () => {
    await t.services.newsletter.requestSubscription({ email: 'late@care.example', name: null, organisation: null });
    const [mail] = await mails('newsletter-confirm', 'late@care.example');
    clock.advance(8 * 86_400_000);
    try {
      expect((await refusal(t.services.newsletter.confirm(confirmToken(mail?.text_body ?? '')))).message).toContain(
        'expired',
      );
      expect(await t.services.newsletter.sweepExpiredRequests()).toBe(1);
      const left = await t.db.kysely
        .selectFrom('newsletter_subscribers')
        .select('id')
        .where('email_key', '=', emailKey('late@care.example'))
        .execute();
      expect(left).toEqual([]);
    } finally {
      clock.advance(-8 * 86_400_000);
    }
  });

  it('refuses a malformed address on the public form and limits a flood from one address', async () => {
    const client = new TestClient(t.app);
    const bad = await client.post('/newsletter/subscribe', { email: 'not-an-address' });
    expect(bad.statusCode).toBe(303);
    const page = await client.get(bad.headers.location as string);
    expect(page.body).toContain('Enter an email address in the correct format');
    let last = bad;
    for (let i = 0; i < 12; i++) last = await client.post('/newsletter/subscribe', { email: `flood${i}@example.com` });
    const limited = await client.get(last.headers.location as string);
    expect(limited.body).toContain('Too many subscription requests');
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/newsletter/subscriptions',
      payload: { email: 'x@example.com' },
    });
    expect(api.statusCode).toBe(429);
  });
});

describe('sending an issue', () => {
  it('reaches each current link officer and confirmed subscriber once, through the outbox, with unsubscribe headers', async () => {
    const council = await authorityWithOfficers(t.db, { name: 'Testham Council' });
    const [first, second] = council.officers;
    await subscribe(first?.email ?? '');
    await subscribe('reader@advice.example');
    const id = await sendIssue('March news');
    const recipients = await recipientsOf('March news');
    expect(recipients.filter((r) => r === first?.email)).toHaveLength(1);
    expect(recipients).toContain(second?.email);
    expect(recipients).toContain('reader@advice.example');
    expect(recipients).toContain('ann@care.example');
    expect(new Set(recipients).size).toBe(recipients.length);

    const [message] = await mails('newsletter', 'reader@advice.example');
    // A mailing's messages wait behind any message to one person.
    expect(message?.bulk).toBe(true);
    const headers = message?.headers as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['List-Unsubscribe']).toMatch(
      /^<https?:\/\/[^>]+\/api\/v1\/newsletter\/unsubscribe\/\w{40}>, <mailto:newsletter-unsubscribe\+\w{40}@/,
    );
    expect(message?.html_body).toContain('<strong>readers</strong>');
    expect(message?.html_body).not.toMatch(/<img/);

    const issue = await t.services.newsletter.issue(lead, id);
    expect(issue.status).toBe('sent');
    expect(issue.progress).toMatchObject({ recipients: recipients.length, sent: recipients.length, percent: 100 });

    // The web version carries nobody's token.
    const web = await t.app.inject({ method: 'GET', url: `/newsletter/${issue.slug}` });
    expect(web.statusCode).toBe(200);
    expect(web.body).toContain('March news');
    expect(web.body).not.toMatch(/unsubscribe\/\w{40}/);
    const archive = await t.app.inject({ method: 'GET', url: '/newsletter?q=march' });
    expect(archive.body).toContain(`/newsletter/${issue.slug}`);

    // Sending it again changes nothing.
    expect((await refusal(t.services.newsletter.send(lead, id))).code).toBe('conflict');
    await t.services.newsletter.fanOut(id);
    expect(await recipientsOf('March news')).toEqual(recipients);
  });

  it('unsubscribes with one POST, and the next issue does not reach that address', async () => {
    const [message] = await mails('newsletter', 'reader@advice.example');
    const url = /<([^>]+)>/.exec((message?.headers as Record<string, string>)['List-Unsubscribe'] ?? '')?.[1] ?? '';
    const path = url.replace(base, '');
    const altered = await t.app.inject({
      method: 'POST',
      url: `${path.slice(0, -2)}zz`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(altered.statusCode).toBe(404);
    const done = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    const again = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(again.statusCode).toBe(200);
    await sendIssue('April news');
    const april = await recipientsOf('April news');
    expect(april).not.toContain('reader@advice.example');
    expect(april).toContain('ann@care.example');
  });

  it('follows the link officers of the day: a replaced officer is left out and the new one included', async () => {
    const council = await authorityWithOfficers(t.db, { name: 'Replaceham Council' });
    const [old] = council.officers;
    await sendIssue('May news');
    expect(await recipientsOf('May news')).toContain(old?.email);
    const admin = await createUser(t.services, { role: 'administrator' });
    await t.services.linkOfficers.replaceOfficer(
      { type: 'user', id: admin.id, roles: ['administrator'], authorityId: null },
      council.authorityId,
      old?.id ?? '',
      {
        title: 'Mr',
        forename: 'Nigel',
        surname: 'New',
        jobTitle: 'Complaints lead',
        email: `new.officer@${council.domain}`,
        correspondenceEmail: null,
        phone: '+442079460958',
      },
    );
    await sendIssue('June news');
    const june = await recipientsOf('June news');
    expect(june).not.toContain(old?.email);
    expect(june).toContain(`new.officer@${council.domain}`);
  });

  it('pauses and resumes, and a fan-out run again after a crash adds nobody twice', async () => {
    for (let i = 0; i < 30; i++) {
      await t.db.kysely
        .insertInto('newsletter_subscribers')
        .values({
          email: `bulk${i}@many.example`,
          email_key: emailKey(`bulk${i}@many.example`),
          status: 'confirmed',
          created_at: clock.now(),
        })
        .execute();
    }
    const id = await t.services.newsletter.createIssue(lead, {
      subject: 'Bulk news',
      preheader: '',
      body: 'Text',
      topics: [],
    });
    await t.services.newsletter.send(lead, id);
    await t.services.newsletter.pause(lead, id);
    await t.services.newsletter.fanOut(id);
    expect(await recipientsOf('Bulk news')).toEqual([]);
    expect((await t.services.newsletter.issue(lead, id)).status).toBe('paused');
    expect((await refusal(t.services.newsletter.pause(lead, id))).code).toBe('conflict');
    await t.services.newsletter.resume(lead, id);
    await Promise.all([t.services.newsletter.fanOut(id), t.services.newsletter.fanOut(id)]);
    await t.services.newsletter.fanOut(id);
    const all = await recipientsOf('Bulk news');
    expect(all.filter((a) => a.endsWith('@many.example'))).toHaveLength(30);
    expect(new Set(all).size).toBe(all.length);
    const deliveries = await t.db.kysely
      .selectFrom('newsletter_deliveries')
      .select(['address', 'outbox_message_id'])
      .where('issue_id', '=', id)
      .execute();
    expect(deliveries.every((d) => d.address === null && d.outbox_message_id !== null)).toBe(true);

    // Mid-send, the progress page and its figures for the page's script count what the outbox has
    // settled: 10 sent, one the sender lost track of (failed), the rest still waiting.
    const ids = deliveries.map((d) => d.outbox_message_id ?? '');
    await t.db.kysely
      .updateTable('outbox_messages')
      .set({ status: 'sent', sent_at: clock.now() })
      .where('id', 'in', ids.slice(0, 10))
      .execute();
    await t.db.kysely
      .updateTable('outbox_messages')
      .set({ status: 'unknown' })
      .where('id', '=', ids[10] ?? '')
      .execute();
    await t.services.newsletter.fanOut(id);
    const mid = await t.services.newsletter.issue(lead, id);
    expect(mid.status).toBe('sending');
    expect(mid.progress).toMatchObject({ recipients: ids.length, sent: 10, failed: 1 });
    const client = new TestClient(t.app).withSession(await createSession(t.db, lead.id, clock.now()));
    const page = await client.request({ method: 'GET', url: `/staff/newsletter/issues/${id}/progress` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`data-progress-url="/staff/newsletter/issues/${id}/progress.json"`);
    expect(page.body).toContain('<script type="module" src="/assets/newsletter-progress.js">');
    const json = await client.request({ method: 'GET', url: `/staff/newsletter/issues/${id}/progress.json` });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ status: 'sending', recipients: ids.length, sent: 10, failed: 1 });
    const anonymous = await new TestClient(t.app).request({
      method: 'GET',
      url: `/staff/newsletter/issues/${id}/progress.json`,
    });
    expect(anonymous.statusCode).not.toBe(200);
    expect(anonymous.body).not.toContain('"recipients"');
    const script = await t.app.inject({ method: 'GET', url: '/assets/newsletter-progress.js' });
    expect(script.statusCode).toBe(200);
  });

  it('refuses an empty subject, a time in the past, and sanitises script', async () => {
    const empty = await refusal(
      t.services.newsletter.createIssue(lead, { subject: '  ', preheader: '', body: 'x', topics: [] }),
    );
    expect(empty.fields).toContainEqual({ field: 'subject', message: 'Enter a subject' });
    const id = await t.services.newsletter.createIssue(lead, {
      subject: 'Scripted',
      preheader: '',
      body: 'Hi <script>alert(1)</script> there',
      topics: [],
    });
    const past = await refusal(t.services.newsletter.send(lead, id, new Date('2027-02-01T09:00:00Z')));
    expect(past.fields[0]?.message).toBe('The time to send must be in the future');
    expect((await t.services.newsletter.issue(lead, id)).status).toBe('draft');
    const preview = await t.services.newsletter.preview(lead, id);
    expect(preview.html).not.toContain('<script');
    await t.services.newsletter.send(lead, id, new Date('2027-03-02T09:00:00Z'));
    expect((await t.services.newsletter.issue(lead, id)).status).toBe('scheduled');
  });

  it('sends a test to the person asking', async () => {
    const id = await t.services.newsletter.createIssue(lead, {
      subject: 'Test me',
      preheader: '',
      body: 'x',
      topics: [],
    });
    await t.services.newsletter.testSend(lead, id);
    const [test] = await mails('newsletter-test', leadEmail);
    expect(test?.subject).toBe('[Test] Test me');
    expect(test?.bulk).toBe(false);
  });

  it('unsubscribes by email to the mailto: address, through the inbound gateway', async () => {
    const [message] = await mails('newsletter', 'ann@care.example');
    const mailto =
      /<mailto:([^?>]+)/.exec((message?.headers as Record<string, string>)['List-Unsubscribe'] ?? '')?.[1] ?? '';
    const gateway = await startMailGateway({
      host: '127.0.0.1',
      port: 0,
      domain: t.config.MAIL_DOMAIN,
      db: t.db.kysely,
      rawMail: t.services.rawMail,
      clock,
      logger: createLogger('silent'),
      // As the mail-in role wires it (src/main.ts).
      onStored: inboundMailFiler(t.services),
    });
    try {
      await sendToGateway(gateway, {
        from: 'ann@care.example',
        to: mailto,
        subject: 'unsubscribe',
        text: 'unsubscribe',
      });
    } finally {
      await gateway.close();
    }
    const row = await t.db.kysely
      .selectFrom('newsletter_subscribers')
      .select('id')
      .where('email_key', '=', emailKey('ann@care.example'))
      .executeTakeFirst();
    expect(row).toBeUndefined();
    const inbound = await t.db.kysely
      .selectFrom('inbound_messages')
      .select('status')
      .where('subject', '=', 'unsubscribe')
      .execute();
    expect(inbound.map((i) => i.status)).toEqual(['discarded']);
  });
});

describe('the API', () => {
  it('creates, sends and reports an issue with a staff token', async () => {
    const created = await t.services.apiTokens.createFromCommandLine({
      name: 'nl',
      role: 'relationship-lead',
      authorityId: null,
    });
    const headers = { authorization: `Bearer ${created.token}` };
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/newsletter/issues',
      headers,
      payload: { subject: '', body: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/newsletter/issues',
      headers,
      payload: { subject: 'API news', body: 'Hi' },
    });
    expect(made.statusCode).toBe(201);
    const { id, status } = made.json<{ id: string; status: string }>();
    expect(status).toBe('draft');
    const sent = await t.app.inject({ method: 'POST', url: `/api/v1/newsletter/issues/${id}/send`, headers });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ id, status: 'sending' });
    const twice = await t.app.inject({ method: 'POST', url: `/api/v1/newsletter/issues/${id}/send`, headers });
    expect(twice.statusCode).toBe(409);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/newsletter/issues/${id}`, headers });
    expect(got.json()).toMatchObject({ id, status: 'sending' });
    expect(got.json<{ recipients: number }>().recipients).toBeGreaterThan(0);
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/newsletter/issues/${id}` });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('composing', () => {
  const textarea = (html: string) =>
    (/<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? '')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .trim();
  const insertKey = (html: string, kind: 'publication' | 'session') =>
    new RegExp(
      `<button[^>]*name="insert"[^>]*value="(${kind}:[^"]+)"|<button[^>]*value="(${kind}:[^"]+)"[^>]*name="insert"`,
    )
      .exec(html)
      ?.slice(1)
      .find((v) => v !== undefined) ?? '';

  it('adds a recent publication and an upcoming training session with one button each, keeping what was typed', async () => {
    const { id: publicationId } = await t.services.publications.createDraft(lead, {
      kind: 'guidance-note',
      title: 'Good administration in adult social care',
      summary: 'What we expect of care providers.',
      body: 'Some text.',
      topics: [],
      councillorQuestions: [],
      partners: [],
    });
    await t.services.publications.publish(lead, publicationId, null);
    const courseId = await t.services.training.createCourse(lead, {
      title: 'Remedies that put things right',
      audiences: ['councils'],
      format: 'online',
      description: 'Choosing a fair remedy.',
      learningOutcomes: '',
      durationMinutes: 120,
      pricePence: 0,
      externalUrl: null,
      published: true,
    });
    await t.services.training.createSession(lead, courseId, {
      startsAt: new Date('2027-03-22T10:00:00Z'),
      endsAt: new Date('2027-03-22T12:00:00Z'),
      capacity: 20,
      bookingClosesAt: null,
      joiningInstructions: null,
      venue: null,
      trainerId: null,
      authorityId: null,
      network: null,
    });
    const client = new TestClient(t.app).withSession(await createSession(t.db, lead.id, clock.now()));
    const issuesBefore = (await t.services.newsletter.issues(lead)).length;

    const page = await client.get('/staff/newsletter/new');
    expect(page.body).toContain('Good administration in adult social care');
    expect(page.body).toContain('Remedies that put things right, 22 March 2027');
    const typed = { subject: 'March issue', preheader: 'Guidance and training', topics: 'councils' };
    const first = await client.post('/staff/newsletter/new', {
      ...typed,
      body: '## Read this month\n\nOur new guidance.',
      insert: insertKey(page.body, 'publication'),
    });
    expect(first.headers.location).toBe('/staff/newsletter/new');
    const afterFirst = await client.get('/staff/newsletter/new');
    expect(afterFirst.body).toContain('“Good administration in adult social care” is added at the end of the content');
    expect(afterFirst.body).toContain('value="March issue"');
    expect(afterFirst.body).toMatch(/value="councils" checked/);
    const withPublication = textarea(afterFirst.body);
    expect(withPublication).toMatch(
      /^## Read this month\n\nOur new guidance\.\n\n- \[Good administration in adult social care\]\(http[^)]*\/publications\/[^)]+\)$/,
    );
    // Nothing is saved until the draft is.
    expect((await t.services.newsletter.issues(lead)).length).toBe(issuesBefore);

    await client.post('/staff/newsletter/new', {
      ...typed,
      body: withPublication,
      insert: insertKey(afterFirst.body, 'session'),
    });
    const afterSecond = await client.get('/staff/newsletter/new');
    const withBoth = textarea(afterSecond.body);
    // The training session continues the list on the next line.
    expect(withBoth).toBe(
      `${withPublication}\n- [Remedies that put things right, 22 March 2027](${base}/training/courses/${courseId})`,
    );

    // An item no longer in the list is refused, and what was typed is kept.
    await client.post('/staff/newsletter/new', { ...typed, body: withBoth, insert: 'publication:withdrawn' });
    const refused = await client.get('/staff/newsletter/new');
    expect(refused.body).toContain('That item is no longer among the latest publications and training');
    expect(textarea(refused.body)).toBe(withBoth);

    const saved = await client.post('/staff/newsletter/new', { ...typed, body: withBoth });
    const id = /\/staff\/newsletter\/issues\/([0-9a-f-]{36})$/.exec(saved.headers.location as string)?.[1] ?? '';
    expect((await t.services.newsletter.issue(lead, id)).body).toBe(withBoth);

    // The same on a saved draft's page.
    const edit = await client.get(`/staff/newsletter/issues/${id}/edit`);
    await client.post(`/staff/newsletter/issues/${id}/edit`, {
      ...typed,
      body: 'Short.',
      insert: insertKey(edit.body, 'session'),
    });
    const edited = await client.get(`/staff/newsletter/issues/${id}/edit`);
    expect(textarea(edited.body)).toMatch(/^Short\.\n\n- \[Remedies that put things right/);
    expect((await t.services.newsletter.issue(lead, id)).body).toBe(withBoth);
  });
});
