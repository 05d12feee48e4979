import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/factories.ts';
import {
  actorFor,
  caseCorrespondence,
  createComplaint,
  createEnquiryAuthority,
  sentTo,
  sessionAt,
  type EnquiryAuthority,
} from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
});
afterAll(async () => {
  await t.close();
});

const at = (iso: string) => clock.set(new Date(iso));

async function sendOne(
  authority: EnquiryAuthority,
  questions = ['Why was the damp not repaired?', 'Send the repair log.'],
) {
  const complaint = await createComplaint(t.db, authority.id);
  const sent = await t.services.enquiries.send(investigator, complaint.id, { kind: 'enquiry', questions });
  return { complaint, sent };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message };
    throw error;
  }
  return null;
};

async function token(role: 'link-officer' | 'investigator', authorityId: string | null) {
  const created = await t.services.apiTokens.createFromCommandLine({ name: `t-${role}`, role, authorityId });
  return { authorization: `Bearer ${created.token}` };
}

describe('sending an enquiry', () => {
  it('is addressed to the chief executive, delivered to both link officers and the generic inbox, due 13 January 2027', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { complaint, sent } = await sendOne(authority);
    expect(sent.dueDate).toBe('2027-01-13');
    expect(sent.addressedTo).toEqual({ name: 'Dr Morwenna Trelawney', jobTitle: 'Chief Executive' });
    expect(sent.recipients.map((r) => r.email).sort()).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort(),
    );

    // On the case's correspondence: a letter to the chief executive, delivered to the link officers
    // and the inbox (not the chief executive), each with its own delivery, each with an outbox message.
    const [letter, ...others] = await caseCorrespondence(t.services, complaint.id);
    expect(others).toHaveLength(0);
    expect(letter).toMatchObject({ kind: 'enquiry', kindName: 'Enquiry', isLetter: true });
    expect(letter?.text).toContain('Dear Dr Morwenna Trelawney');
    expect(letter?.text).toContain('Statement of complaint');
    expect(letter?.subject).toContain('Wednesday 13 January 2027');
    expect(letter?.deliveries.map((d) => [d.address, d.status]).sort()).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort().map((a) => [a, 'queued']),
    );
    const outbox = await t.db.kysely
      .selectFrom('outbox_messages')
      .select(['to_address', 'kind'])
      .where('to_address', 'in', [...authority.officerEmails, authority.genericInbox, authority.chiefExecutiveEmail])
      .execute();
    expect(outbox.map((o) => [o.to_address, o.kind]).sort()).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort().map((a) => [a, 'correspondence.enquiry']),
    );

    const stored = await t.db.kysely
      .selectFrom('enquiries')
      .selectAll()
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(stored.due_rule).toMatchObject({
      workingDays: 20,
      startDate: '2026-12-11',
      holidaySet: 'england-and-wales',
    });
    expect(stored.statement_of_complaint).toContain('damp');

    // The second enquiry on the case does not repeat the statement.
    const second = await t.services.enquiries.send(investigator, complaint.id, {
      kind: 'document-request',
      questions: ['Send the tenancy file.'],
    });
    const detail = await t.services.enquiries.get(investigator, second.id);
    expect(detail.number).toBe(2);
    expect(detail.statementOfComplaint).toBeNull();
    expect(detail.dueDate).toBe('2026-12-29');
    expect(detail.working.filter((d) => d.reason === 'bank-holiday').map((d) => d.name)).toEqual([
      'Christmas Day',
      'Boxing Day (substitute day)',
    ]);
  });

  it('is refused unless the complaint is under investigation, and with no questions', async () => {
    const authority = await createEnquiryAuthority(t.db);
    const assessing = await createComplaint(t.db, authority.id, 'assessment');
    await expect(
      codeOf(t.services.enquiries.send(investigator, assessing.id, { kind: 'enquiry', questions: ['Q?'] })),
    ).resolves.toMatchObject({
      code: 'conflict',
      message: 'Enquiries can only be sent while the complaint is under investigation',
    });
    const investigating = await createComplaint(t.db, authority.id);
    await expect(
      codeOf(t.services.enquiries.send(investigator, investigating.id, { kind: 'enquiry', questions: ['  '] })),
    ).resolves.toMatchObject({
      code: 'validation',
    });
    const count = await t.db.kysely
      .selectFrom('enquiries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('complaint_id', 'in', [assessing.id, investigating.id])
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(0);
  });

  it('over the API returns 201 with the due date, addressee and every recipient; a bad body is a 400', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    const headers = await token('investigator', null);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/enquiries`,
      headers,
      payload: {
        questions: ['What happened on 3 March?', 'Who decided?'],
        documentsRequested: 'Case notes',
        dueInWorkingDays: 20,
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{
      id: string;
      dueDate: string;
      sentAt: string;
      addressedTo: { name: string };
      recipients: { email: string }[];
    }>();
    expect(body.dueDate).toBe('2027-01-13');
    expect(body.sentAt).toBe('2026-12-11T10:00:00.000Z');
    expect(body.addressedTo.name).toBe('Dr Morwenna Trelawney');
    expect(body.recipients).toHaveLength(3);

    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/enquiries`,
      headers,
      payload: { questions: [], dueInWorkingDays: 0 },
    });
    expect(bad.statusCode).toBe(400);

    const lo = await token('link-officer', authority.id);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/enquiries/${body.id}`, headers: lo });
    expect(got.statusCode).toBe(200);
    expect(got.json<{ questions: unknown[]; dueRule: { workingDays: number } }>().questions).toHaveLength(2);
    const other = await createEnquiryAuthority(t.db);
    const stranger = await token('link-officer', other.id);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/enquiries/${body.id}`, headers: stranger })).statusCode,
    ).toBe(404);
  });
});

describe('extensions', () => {
  it('another authority cannot ask (404, nothing changes); a grant moves the date and keeps the history', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const other = await createEnquiryAuthority(t.db);
    const { complaint, sent } = await sendOne(authority);

    const stranger = await token('link-officer', other.id);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/enquiries/${sent.id}/extension-requests`,
      headers: stranger,
      payload: { reason: 'Staff shortage' },
    });
    expect(res.statusCode).toBe(404);
    const strangerUser = await actorFor(t.services, 'link-officer', other.id);
    await expect(codeOf(t.services.enquiries.requestExtension(strangerUser, sent.id, 'Please'))).resolves.toMatchObject(
      { code: 'not-found' },
    );
    expect(
      await t.db.kysely
        .selectFrom('enquiry_extension_requests')
        .selectAll()
        .where('enquiry_id', '=', sent.id)
        .execute(),
    ).toHaveLength(0);

    const own = await token('link-officer', authority.id);
    const asked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/enquiries/${sent.id}/extension-requests`,
      headers: own,
      payload: { reason: 'The housing officer is on leave until 11 January.' },
    });
    expect(asked.statusCode).toBe(201);
    const requestId = asked.json<{ id: string }>().id;
    // A second while the first waits is refused.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/enquiries/${sent.id}/extension-requests`,
      headers: own,
      payload: { reason: 'More' },
    });
    expect(again.statusCode).toBe(409);

    // A date that is a bank holiday is refused with the reason.
    await expect(
      codeOf(
        t.services.enquiries.decideExtension(investigator, sent.id, requestId, {
          grant: true,
          choice: { kind: 'date', date: '2027-01-16' },
          reason: 'Fine',
        }),
      ),
    ).resolves.toMatchObject({ code: 'validation' });
    await t.services.enquiries.decideExtension(investigator, sent.id, requestId, {
      grant: true,
      choice: { kind: 'working-days', workingDays: 10 },
      reason: 'Leave is a good reason.',
    });
    const detail = await t.services.enquiries.get(investigator, sent.id);
    expect(detail.dueDate).toBe('2027-01-27');
    expect(detail.dueDates.map((d) => [d.dueDate, d.reason])).toEqual([
      ['2027-01-13', 'sent'],
      ['2027-01-27', 'extension'],
    ]);
    expect(detail.extensions[0]).toMatchObject({
      status: 'granted',
      previousDueDate: '2027-01-13',
      newDueDate: '2027-01-27',
    });
    expect(await sentTo(t.services, complaint.id, 'Extension granted')).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort(),
    );

    // Refusing a second request leaves the date alone.
    at('2026-12-14T10:00:00Z');
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const second = await t.services.enquiries.requestExtension(lo, sent.id, 'Still short-staffed');
    await t.services.enquiries.decideExtension(investigator, sent.id, second, {
      grant: false,
      reason: 'Enough time was given.',
    });
    const after = await t.services.enquiries.get(investigator, sent.id);
    expect(after.dueDate).toBe('2027-01-27');
    expect(after.extensions.map((e) => e.status)).toEqual(['granted', 'refused']);
  });
});

describe('answers, delegation and the response', () => {
  it('a delegate reaches only what they were given; review mode needs the link officer; the response is on time', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { sent } = await sendOne(authority, ['First question', 'Second question']);
    const { sent: notGiven } = await sendOne(authority, ['Another']);
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const delegateUser = await createUser(t.services, {
      role: 'delegate',
      authorityId: authority.id,
      displayName: 'Dai Delegate',
    });
    const delegate: Actor = { type: 'user', id: delegateUser.id, roles: ['delegate'], authorityId: authority.id };

    // Before anything is given to them, nothing is visible.
    await expect(codeOf(t.services.enquiries.get(delegate, sent.id))).resolves.toMatchObject({ code: 'not-found' });
    const detail = await t.services.enquiries.get(lo, sent.id);
    const [q1 = '', q2 = ''] = detail.questions.map((q) => q.id);
    await t.services.enquiries.delegate(lo, sent.id, {
      questionId: q1,
      delegateUserId: delegateUser.id,
      internalDueDate: '2026-12-18',
    });

    const seen = await t.services.enquiries.get(delegate, sent.id);
    expect(seen.questions.map((q) => q.text)).toEqual(['First question']);
    expect(seen.recipients).toEqual([]);
    await expect(codeOf(t.services.enquiries.get(delegate, notGiven.id))).resolves.toMatchObject({ code: 'not-found' });
    await expect(codeOf(t.services.enquiries.answer(delegate, sent.id, q2, 'Sneaky'))).resolves.toMatchObject({
      code: 'not-found',
    });
    expect((await t.services.enquiries.inbox(delegate)).items.map((i) => i.id)).toEqual([sent.id]);
    expect((await t.services.enquiries.inbox(delegate)).total).toBe(1);

    // The link officer's inbox counts both open enquiries and each one's questions and ready answers.
    await t.services.enquiries.answer(lo, sent.id, q2, 'Our answer', true);
    const all = await t.services.enquiries.inbox(lo);
    expect(all.total).toBe(2);
    expect(all.items.map((i) => i.id).sort()).toEqual([sent.id, notGiven.id].sort());
    const row = all.items.find((i) => i.id === sent.id);
    expect(row).toMatchObject({ questions: detail.questions.length, ready: 1 });
    expect(row?.sentAt).toBeInstanceOf(Date);

    // Over HTTP, the enquiry not given is a 404 page.
    const client = new TestClient(t.app).withSession(await sessionAt(t.db, delegateUser.id, clock.now()));
    expect((await client.get(`/portal/enquiries/${notGiven.id}`)).statusCode).toBe(404);
    expect((await client.get(`/portal/enquiries/${sent.id}`)).statusCode).toBe(200);

    at('2026-12-16T10:00:00Z');
    await t.services.enquiries.answer(delegate, sent.id, q1, 'The contractor missed two visits.');
    let lookedAt = await t.services.enquiries.get(lo, sent.id);
    expect(lookedAt.questions[0]).toMatchObject({ answerState: 'awaiting-review', answeredBy: 'Dai Delegate' });
    await t.services.enquiries.answer(lo, sent.id, q2, 'Here is the log.');
    // Not every answer is ready: the response is refused.
    await expect(codeOf(t.services.enquiries.submitResponse(lo, sent.id))).resolves.toMatchObject({ code: 'conflict' });
    // A delegate cannot send the response.
    await expect(codeOf(t.services.enquiries.submitResponse(delegate, sent.id))).resolves.toMatchObject({
      code: 'forbidden',
    });
    await t.services.enquiries.acceptAnswer(lo, sent.id, q1);
    const result = await t.services.enquiries.submitResponse(lo, sent.id);
    expect(result.onTime).toBe(true);
    lookedAt = await t.services.enquiries.get(investigator, sent.id);
    expect(lookedAt.status).toBe('responded');

    const dashboard = await t.services.enquiries.delegationDashboard(lo);
    expect(dashboard.colleagues.find((c) => c.id === delegateUser.id)).toMatchObject({
      open: 0,
      done: 1,
      onTimeRate: 100,
    });

    // Answering after the response is refused.
    await expect(codeOf(t.services.enquiries.answer(lo, sent.id, q1, 'More'))).resolves.toMatchObject({
      message: 'The response to this enquiry has already been sent to the ombudsman',
    });
  });

  it('in direct mode a delegate given the whole enquiry sends the response; a late response is recorded late', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { sent } = await sendOne(authority, ['Only question']);
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const delegate = await actorFor(t.services, 'delegate', authority.id);
    await t.services.enquiries.setDelegateSubmission(lo, 'direct');
    await t.services.enquiries.delegate(lo, sent.id, {
      questionId: null,
      delegateUserId: delegate.id,
      internalDueDate: '2027-01-05',
    });
    at('2027-01-14T10:00:00Z');
    const [q = ''] = (await t.services.enquiries.get(delegate, sent.id)).questions.map((x) => x.id);
    await t.services.enquiries.answer(delegate, sent.id, q, 'Answered late.');
    const result = await t.services.enquiries.submitResponse(delegate, sent.id);
    expect(result.onTime).toBe(false);
    const dashboard = await t.services.enquiries.delegationDashboard(lo);
    expect(dashboard.colleagues.find((c) => c.id === delegate.id)).toMatchObject({ done: 1, onTimeRate: 0 });
  });

  it('tasks left when the link officer answers or staff close the enquiry stop counting as open or overdue', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const delegate = await actorFor(t.services, 'delegate', authority.id);
    const answered = (await sendOne(authority, ['Answered by the link officer'])).sent;
    const closed = (await sendOne(authority, ['Closed by staff'])).sent;
    for (const enquiry of [answered, closed]) {
      const [q = ''] = (await t.services.enquiries.get(lo, enquiry.id)).questions.map((x) => x.id);
      await t.services.enquiries.delegate(lo, enquiry.id, {
        questionId: q,
        delegateUserId: delegate.id,
        internalDueDate: '2026-12-15',
      });
    }
    at('2026-12-17T10:00:00Z');
    const figures = async () =>
      (await t.services.enquiries.delegationDashboard(lo)).colleagues.find((c) => c.id === delegate.id);
    expect(await figures()).toMatchObject({ open: 2, overdue: 2, done: 0 });

    const [q = ''] = (await t.services.enquiries.get(lo, answered.id)).questions.map((x) => x.id);
    await t.services.enquiries.answer(lo, answered.id, q, 'Answered by the link officer.');
    await t.services.enquiries.submitResponse(lo, answered.id);
    await t.services.enquiries.close(investigator, closed.id, 'Settled by telephone');
    // Neither task was done by the delegate: no longer open or overdue, and not counted as done.
    expect(await figures()).toMatchObject({ open: 0, overdue: 0, done: 0 });
  });

  it('a response to a closed enquiry is refused with a clear message, over the API too', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { sent } = await sendOne(authority, ['Q']);
    await t.services.enquiries.close(investigator, sent.id, 'The complaint was withdrawn.');
    const headers = await token('link-officer', authority.id);
    const detail = await t.services.enquiries.get(investigator, sent.id);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/enquiries/${sent.id}/responses`,
      headers,
      payload: { answers: [{ questionId: detail.questions[0]?.id, answer: 'Late answer' }] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ detail: string }>().detail).toBe(
      'This enquiry is closed: it no longer takes responses or requests',
    );
    const row = await t.db.kysely
      .selectFrom('enquiry_questions')
      .select('answer')
      .where('enquiry_id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(row.answer).toBeNull();
  });

  it('the API response saves the answers and marks the enquiry responded', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { sent } = await sendOne(authority, ['A?', 'B?']);
    const headers = await token('link-officer', authority.id);
    const detail = await t.services.enquiries.get(investigator, sent.id);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/enquiries/${sent.id}/responses`,
      headers,
      payload: { answers: detail.questions.map((q) => ({ questionId: q.id, answer: `Answer to ${q.text}` })) },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'responded', onTime: true });
  });
});

describe('documents with answers', () => {
  /** An upload as the form sends it: the CSRF field, then the file. */
  const multipart = (filename: string, content: Buffer, csrf: string) => {
    const boundary = 'enquiryboundary42';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload };
  };

  it('a link officer adds a document checked by content; a delegate not given the question cannot fetch it', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { sent } = await sendOne(authority, ['First', 'Second']);
    const loUser = await createUser(t.services, { role: 'link-officer', authorityId: authority.id });
    const client = new TestClient(t.app).withSession(await sessionAt(t.db, loUser.id, clock.now()));
    const [q1 = '', q2 = ''] = (await t.services.enquiries.get(investigator, sent.id)).questions.map((q) => q.id);
    const url = `/portal/enquiries/${sent.id}/questions/${q1}/documents`;

    const fake = await client.request({
      method: 'POST',
      url,
      ...multipart('log.pdf', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]), client.csrfToken),
    });
    expect(fake.statusCode).toBe(303);
    expect(await t.db.kysely.selectFrom('enquiry_answer_documents').selectAll().execute()).toHaveLength(0);

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const ok = await client.request({ method: 'POST', url, ...multipart('repairs log.pdf', pdf, client.csrfToken) });
    expect(ok.statusCode).toBe(303);
    const detail = await t.services.enquiries.get(investigator, sent.id);
    const doc = detail.questions[0]?.documents[0];
    expect(doc?.filename).toContain('repairs');
    const download = await client.get(`/portal/enquiries/${sent.id}/documents/${doc?.id ?? ''}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // Files larger than a plain form are taken whole up to the documents' limit, and refused past it.
    const large = Buffer.concat([pdf, Buffer.alloc(3 * 1024 * 1024, 0x25)]);
    expect(
      (await client.request({ method: 'POST', url, ...multipart('large.pdf', large, client.csrfToken) })).statusCode,
    ).toBe(303);
    const stored = await t.db.kysely
      .selectFrom('documents')
      .select('size')
      .where('filename', '=', 'large.pdf')
      .executeTakeFirstOrThrow();
    expect(stored.size).toBe(large.length);
    const tooLarge = Buffer.concat([pdf, Buffer.alloc(t.services.files.settings.maxBytes, 0x25)]);
    const refused = await client.request({
      method: 'POST',
      url,
      ...multipart('too-large.pdf', tooLarge, client.csrfToken),
    });
    expect(refused.statusCode).toBe(303);
    expect(
      await t.db.kysely.selectFrom('documents').select('id').where('filename', '=', 'too-large.pdf').execute(),
    ).toHaveLength(0);

    const delegateUser = await createUser(t.services, { role: 'delegate', authorityId: authority.id });
    const lo: Actor = { type: 'user', id: loUser.id, roles: ['link-officer'], authorityId: authority.id };
    await t.services.enquiries.delegate(lo, sent.id, {
      questionId: q2,
      delegateUserId: delegateUser.id,
      internalDueDate: '2026-12-18',
    });
    const delegateClient = new TestClient(t.app).withSession(await sessionAt(t.db, delegateUser.id, clock.now()));
    expect((await delegateClient.get(`/portal/enquiries/${sent.id}/documents/${doc?.id ?? ''}`)).statusCode).toBe(404);
  });
});

describe('reminders and escalation', () => {
  it('two sweeps at once send each reminder exactly once; overdue escalates to the chief executive after five working days', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const { complaint, sent } = await sendOne(authority, ['Q']);
    const usual = [...authority.officerEmails, authority.genericInbox].sort();
    // Each reminder is one item on the case's correspondence, delivered once to each recipient.
    const sentOf = (subjectStart: string) => sentTo(t.services, complaint.id, subjectStart);

    at('2027-01-06T07:00:00Z'); // five working days before 13 January
    const [a, b] = await Promise.all([t.services.enquiries.sweep(), t.services.enquiries.sweep()]);
    expect(a.reminders + b.reminders).toBeGreaterThanOrEqual(1);
    expect(await sentOf('Reminder: enquiry 1 on complaint')).toEqual(usual);
    await t.services.enquiries.sweep();
    expect(await sentOf('Reminder: enquiry 1 on complaint')).toEqual(usual);

    at('2027-01-13T07:00:00Z');
    await Promise.all([t.services.enquiries.sweep(), t.services.enquiries.sweep(), t.services.enquiries.sweep()]);
    expect(await sentOf(`Reminder: enquiry 1 on complaint ${complaint.reference} is due today`)).toEqual(usual);

    at('2027-01-14T07:00:00Z');
    await t.services.enquiries.sweep();
    expect(await sentOf('Overdue: enquiry 1')).toEqual(usual);
    expect(await sentOf('Escalation:')).toEqual([]);
    const overdue = await t.services.enquiries.overdue(investigator);
    expect(overdue.items.map((i) => i.id)).toContain(sent.id);

    at('2027-01-20T07:00:00Z'); // five working days after the due date
    await Promise.all([t.services.enquiries.sweep(), t.services.enquiries.sweep()]);
    expect(await sentOf('Escalation:')).toEqual([authority.chiefExecutiveEmail]);
    const items = await caseCorrespondence(t.services, complaint.id);
    const escalation = items.find((i) => i.subject.startsWith('Escalation:'));
    expect(escalation).toMatchObject({ kind: 'reminder', addressees: ['chief-executive'], isLetter: true });
    expect(items.filter((i) => i.kind === 'reminder')).toHaveLength(4);
    // Reminders go out marked as automatic; the escalation with the letter as a PDF.
    const mail = await t.db.kysely
      .selectFrom('outbox_messages as o')
      .innerJoin('correspondence_deliveries as d', 'd.outbox_message_id', 'o.id')
      .leftJoin('outbox_attachments as at', 'at.outbox_message_id', 'o.id')
      .select(['o.headers', 'o.to_address', 'at.content_type'])
      .where('d.item_id', '=', escalation?.id ?? '')
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.content_type).toBe('application/pdf');
    expect(mail[0]?.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' });
    const reminders = await t.db.kysely
      .selectFrom('enquiry_reminders')
      .select('kind')
      .where('enquiry_id', '=', sent.id)
      .execute();
    expect(reminders.map((r) => r.kind).sort()).toEqual([
      'before-due',
      'due-today',
      'escalated-chief-executive',
      'overdue',
    ]);

    // The portal shows the reminders as notices.
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const inbox = await t.services.enquiries.inbox(lo);
    expect(inbox.items[0]?.tag.text).toBe('Overdue');
    expect(inbox.notices.map((n) => n.name)).toContain('Overdue: escalated to the chief executive');
  });
});

describe('the portal inbox', () => {
  it('pages 50 enquiries at a time, soonest due first, and the next page carries on where the first stopped', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaints = [];
    for (let i = 0; i < 52; i++) complaints.push(await createComplaint(t.db, authority.id));
    // Open enquiries due on 52 days from 4 January, inserted whole: the page is what is tested here.
    await t.db.kysely
      .insertInto('enquiries')
      .values(
        complaints.map((c, i) => ({
          complaint_id: c.id,
          authority_id: authority.id,
          kind: 'enquiry' as const,
          number: 1,
          addressed_to_name: 'Chief Executive',
          status: 'open' as const,
          sent_at: new Date('2026-12-01T10:00:00Z'),
          sent_on: '2026-12-01',
          due_on: new Date(Date.UTC(2027, 0, 4 + ((i * 7) % 52))).toISOString().slice(0, 10),
          due_working_days: 20,
          due_rule: {},
        })),
      )
      .execute();
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const first = await t.services.enquiries.inbox(lo);
    expect(first.total).toBe(52);
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const second = await t.services.enquiries.inbox(lo, first.nextCursor ?? undefined);
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const dues = [...first.items, ...second.items].map((i) => i.dueDate);
    expect(dues).toEqual([...dues].sort());
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(52);
    // Later pages show no reminders; the first page of a delegate with nothing given is empty.
    expect(second.notices).toEqual([]);
    const delegate = await actorFor(t.services, 'delegate', authority.id);
    expect(await t.services.enquiries.inbox(delegate)).toMatchObject({ total: 0, items: [] });
  });
});

describe('demo data', () => {
  it('puts an open, an overdue and an answered enquiry on complaints under investigation', async () => {
    at('2027-02-15T10:00:00Z');
    await t.db.kysely
      .updateTable('complaints')
      .set({ status: 'decision' })
      .where('status', '=', 'investigation')
      .execute();
    const authority = await createEnquiryAuthority(t.db);
    for (let i = 0; i < 3; i++) await createComplaint(t.db, authority.id);
    const { enquiriesDemoLoader } = await import('../../src/modules/enquiries/enquiries.demo.ts');
    await enquiriesDemoLoader.load({
      db: t.db,
      services: t.services,
      clock,
      authorityIds: new Map(),
      userIds: new Map([['investigator', investigator.id]]),
    });
    const rows = await t.db.kysely
      .selectFrom('enquiries')
      .select(['status', 'due_on'])
      .where('authority_id', '=', authority.id)
      .execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['open', 'open', 'responded']);
    expect(rows.some((r) => r.status === 'open' && r.due_on < '2027-02-15')).toBe(true);
  });
});

describe('allocation notice and erasure', () => {
  it('the allocation notice goes once to the recipients and is recorded on the case', async () => {
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    await expect(t.services.enquiries.notifyAllocation(complaint.id)).resolves.toBe(true);
    await expect(t.services.enquiries.notifyAllocation(complaint.id)).resolves.toBe(false);
    const items = await caseCorrespondence(t.services, complaint.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      subject: expect.stringContaining('the ombudsman is investigating') as string,
      isLetter: true,
    });
    expect(items[0]?.text).toContain('Dear Dr Morwenna Trelawney');
    expect(items[0]?.deliveries.map((d) => d.address).sort()).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort(),
    );
    const record = await t.services.enquiries.forComplaint(investigator, complaint.id);
    expect(record.allocationNotice?.addressed_to_name).toBe('Dr Morwenna Trelawney');
  });

  it('erasing a replaced link officer scrubs their address from where enquiries went', async () => {
    const authority = await createEnquiryAuthority(t.db);
    const { sent } = await sendOne(authority, ['Q']);
    const officer = await t.db.kysely
      .selectFrom('link_officers')
      .select('id')
      .where('email', '=', authority.officerEmails[0] ?? '')
      .executeTakeFirstOrThrow();
    const lead = await actorFor(t.services, 'relationship-lead');
    await t.services.linkOfficers.removeOfficer(lead, authority.id, officer.id);
    const recipients = await t.db.kysely
      .selectFrom('enquiry_recipients')
      .select('email')
      .where('enquiry_id', '=', sent.id)
      .execute();
    expect(recipients.map((r) => r.email)).not.toContain(authority.officerEmails[0]);
    expect(recipients.map((r) => r.email)).toContain('[erased]');
    expect(recipients.map((r) => r.email)).toContain(authority.genericInbox);
  });
});
