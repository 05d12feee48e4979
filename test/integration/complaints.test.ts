import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, createUser, signedInAs } from '../support/factories.ts';
import { answerPublicForm, sendPublicForm, type FormStep } from './complaints.fixtures.ts';
import { caseCorrespondence } from './enquiries.fixtures.ts';

/** Complaints: the public form, staff intake, the rules shown, assessment, the portal and the API. */

let t: TestApp;
let clock: FixedClock;
let authorityId: string;
let otherAuthorityId: string;
let intake: TestClient;
let intakeActor: Actor;
let investigatorId: string;
const LINK_OFFICER_EMAIL = 'link.officer@borough.example';

// Wednesday 10 June 2026, 10:00 London.
const NOW = new Date('2026-06-10T09:00:00Z');

beforeAll(async () => {
  clock = new FixedClock(NOW);
  t = await createTestApp({ clock });
  authorityId = await createAuthority(t.db, { name: 'Harbourside Borough Council' });
  otherAuthorityId = await createAuthority(t.db, { name: 'Upland District Council' });
  const lead = await createUser(t.services, { role: 'relationship-lead' });
  await t.services.linkOfficers.addOfficer(
    { type: 'user', id: lead.id, roles: ['relationship-lead'], authorityId: null },
    authorityId,
    {
      title: 'Ms',
      forename: 'Lena',
      surname: 'Officer',
      jobTitle: 'Complaints manager',
      email: LINK_OFFICER_EMAIL,
      correspondenceEmail: null,
      phone: '+442079460001',
    },
  );
  const officer = await signedInAs(t.db, t.services, 'intake-officer');
  intake = new TestClient(t.app).withSession(officer.token);
  intakeActor = { type: 'user', id: officer.user.id, roles: ['intake-officer'], authorityId: null };
  investigatorId = (await createUser(t.services, { role: 'investigator', displayName: 'Ivy Investigator' })).id;
}, 120_000);
afterAll(async () => {
  await t.close();
});

const outboxTo = (to: string) =>
  t.db.kysely
    .selectFrom('outbox_messages')
    .select(['kind', 'subject', 'to_address', 'headers'])
    .where('to_address', '=', to)
    .execute();
/** The case's correspondence as staff see it (after dispatch): each item's subject, addressees and recipients. */
const correspondenceOf = async (complaintId: string) =>
  (await caseCorrespondence(t.services, complaintId)).map((i) => ({
    subject: i.subject,
    kind: i.kind,
    addressees: i.addressees,
    text: i.text,
    to: i.deliveries.map((d) => d.address).sort(),
  }));
/** The same, after the acknowledgement every complainant with an email address is sent first. */
const laterCorrespondenceOf = async (complaintId: string) =>
  (await correspondenceOf(complaintId)).filter((i) => i.kind !== 'acknowledgement');
const countComplaints = async () =>
  (
    await t.db.kysely
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

function staffForm(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    channel: 'phone',
    authorityId,
    serviceArea: 'housing',
    complainantName: 'Priya Shah',
    complainantEmail: 'priya@example.test',
    summary: 'The council did not repair the damp in my flat.',
    authorityProcessFinished: 'yes',
    authorityFinalResponseOn: '2026-05-01',
    consentToShare: 'yes',
    ...overrides,
  };
}

async function recordByPhone(overrides: Record<string, string | string[]> = {}): Promise<string> {
  const res = await intake.post('/staff/complaints/new', staffForm(overrides));
  expect(res.statusCode).toBe(303);
  const id = /\/staff\/complaints\/([0-9a-f-]{36})$/.exec(res.headers.location ?? '')?.[1];
  expect(id, `created: ${res.headers.location}`).toBeTruthy();
  return id ?? '';
}

describe('the public complaint form', () => {
  it('asks one question a page, shows the answers to check, then gives a reference and sends an acknowledgement', async () => {
    const visitor = new TestClient(t.app);
    expect((await visitor.get('/complain')).statusCode).toBe(200);
    const search = await visitor.get('/complain/authority?q=harbour');
    expect(search.body).toContain('Harbourside Borough Council');
    expect(search.body).not.toContain('Upland District Council');
    const steps: FormStep[] = [
      ['authority', { authorityId }],
      ['service', { serviceArea: 'housing' }],
      ['process-finished', { processFinished: 'no' }],
      ['complained-date', { 'complainedOn-day': '1', 'complainedOn-month': '5', 'complainedOn-year': '2026' }],
      ['aware-date', { 'awareOn-day': '1', 'awareOn-month': '3', 'awareOn-year': '2026' }],
      ['what-happened', { summary: 'They lost my housing application.' }],
      ['injustice', { injustice: 'I waited months in temporary housing.' }],
      ['outcome', { outcomeWanted: 'An apology and a decision.' }],
      ['urgent', { urgent: 'street-homelessness' }],
      ['on-behalf', { onBehalf: 'no' }],
      ['your-details', { name: 'Sam Carter', email: 'sam.carter@example.test', phone: '' }],
      ['needs', { communicationNeeds: 'Large print letters' }],
      ['consent', { consent: 'yes' }],
      ['attachments', {}],
    ];
    await answerPublicForm(visitor, steps);
    const check = await visitor.get('/complain/check');
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Harbourside Borough Council');
    expect(check.body).toContain('Street homelessness');
    expect(check.body).toContain('/complain/service?change=1');
    // Not finished and within 12 weeks of complaining to them: the complainant is warned it may be referred back.
    expect(check.body).toContain('may refer it back');
    // Changing an answer from the check page goes back to it; a change left blank goes back to the question.
    const blank = await visitor.post('/complain/service?change=1', {});
    expect(blank.headers.location).toBe('/complain/service?change=1');
    const changed = await visitor.post('/complain/service?change=1', { serviceArea: 'housing' });
    expect(changed.headers.location).toBe('/complain/check');
    const reference = await sendPublicForm(visitor);
    expect(reference).toMatch(/^26 \d{3} \d{3}$/);
    const row = await t.db.kysely
      .selectFrom('complaints')
      .selectAll()
      .where('reference', '=', reference ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'received',
      channel: 'online',
      urgent: true,
      premature: true,
      authority_complained_on: '2026-05-01',
    });
    // The acknowledgement is correspondence on the case, and goes out as an automatic message.
    expect(await correspondenceOf(row.id)).toEqual([
      expect.objectContaining({
        kind: 'acknowledgement',
        addressees: ['complainant'],
        to: ['sam.carter@example.test'],
      }),
    ]);
    expect(await outboxTo('sam.carter@example.test')).toEqual([
      expect.objectContaining({
        kind: 'correspondence.acknowledgement',
        subject: expect.stringContaining(reference ?? '') as string,
        // Sent by the system on its own: auto-responders must not answer it.
        headers: expect.objectContaining({ 'Auto-Submitted': 'auto-generated' }) as unknown,
      }),
    ]);
    // The draft and its personal data are gone; the form starts again.
    expect(await t.db.kysely.selectFrom('complaint_drafts').selectAll().execute()).toEqual([]);
    expect((await visitor.get('/complain/check')).headers.location).toBe('/complain');
  });

  it('refuses a date in the future, a missing answer and a made-up authority with clear messages', async () => {
    const visitor = new TestClient(t.app);
    const future = await visitor.post('/complain/aware-date', {
      'awareOn-day': '1',
      'awareOn-month': '1',
      'awareOn-year': '2027',
    });
    expect(future.headers.location).toBe('/complain/aware-date');
    expect((await visitor.get('/complain/aware-date')).body).toContain('The date must be today or in the past');
    await visitor.post('/complain/consent', {});
    expect((await visitor.get('/complain/consent')).body).toContain('Select whether we can share your details');
    await visitor.post('/complain/authority', { authorityId: 'not-an-id' });
    expect((await visitor.get('/complain/authority')).body).toContain('Select the council or care provider');
  });

  it('deletes drafts untouched for 24 hours', async () => {
    const visitor = new TestClient(t.app);
    await visitor.post('/complain/service', { serviceArea: 'education' });
    expect((await t.db.kysely.selectFrom('complaint_drafts').selectAll().execute()).length).toBe(1);
    clock.advance(25 * 3600 * 1000);
    try {
      expect(await t.services.complaints.sweepDrafts()).toBe(1);
    } finally {
      clock.set(NOW);
    }
    expect(await t.db.kysely.selectFrom('complaint_drafts').selectAll().execute()).toEqual([]);
  });
});

describe('references', () => {
  it('are unique and consecutive when many complaints arrive at once', async () => {
    const input = complaintInput(authorityId, {
      serviceArea: 'planning',
      summary: 'Planning',
      complainant: { name: 'A', phone: '01632 960001' },
    });
    const made = await Promise.all(Array.from({ length: 20 }, () => t.services.complaints.receive(intakeActor, input)));
    const refs = made.map((m) => m.reference);
    expect(new Set(refs).size).toBe(20);
    const numbers = refs.map((r) => Number(r.slice(3).replace(' ', ''))).sort((a, b) => a - b);
    expect((numbers[19] ?? 0) - (numbers[0] ?? 0)).toBe(19);
  });
});

describe('staff intake', () => {
  it('changes nothing for an unknown authority, missing consent or a future date, and says why', async () => {
    const before = await countComplaints();
    const cases: [Record<string, string>, string][] = [
      [{ authorityId: '00000000-0000-4000-8000-000000000000' }, 'Select an authority from the list'],
      [{ consentToShare: '' }, 'Select whether the complainant agrees'],
      [{ authorityFinalResponseOn: '2026-07-01' }, 'must be today or in the past'],
    ];
    for (const [override, message] of cases) {
      const res = await intake.post('/staff/complaints/new', staffForm(override));
      expect(res.headers.location).toBe('/staff/complaints/new');
      expect((await intake.get('/staff/complaints/new')).body).toContain(message);
    }
    expect(await countComplaints()).toBe(before);
  });

  it('shows the premature rule; closing as premature tells the authority’s link officers and records who, when and why', async () => {
    const id = await recordByPhone({
      authorityProcessFinished: 'no',
      authorityFinalResponseOn: '',
      authorityComplainedOn: '2026-05-20',
    });
    const page = await intake.get(`/staff/complaints/${id}`);
    expect(page.body).toContain('Premature:');
    expect(page.body).toContain('2026-08-12');
    const res = await intake.post(`/staff/complaints/${id}/intake`, {
      action: 'premature',
      reason: 'Stage 2 still running',
    });
    expect(res.headers.location).toBe(`/staff/complaints/${id}`);
    const row = await t.db.kysely.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'closed', outcome: 'premature' });
    expect(await correspondenceOf(id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          addressees: ['link-officers'],
          subject: `Complaint ${row.reference} referred back to you as premature`,
          to: [LINK_OFFICER_EMAIL],
        }),
      ]),
    );
    const history = await t.db.kysely
      .selectFrom('complaint_status_history')
      .selectAll()
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .execute();
    expect(history.map((h) => [h.from_status, h.to_status, h.reason])).toEqual([
      [null, 'intake', 'Received by phone'],
      ['intake', 'closed', 'Stage 2 still running'],
    ]);
    expect(history[1]?.changed_by).toBe(intakeActor.id);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'record_id'])
      .where('record_id', '=', id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['complaint.received', 'complaint.closed.premature']),
    );
    // The timeline shows it.
    expect((await intake.get(`/staff/complaints/${id}/history`)).body).toContain('Stage 2 still running');
  });

  it('lets a late complaint go ahead only with a recorded reason', async () => {
    const id = await recordByPhone({ awareOn: '2025-01-10' });
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain('Late:');
    await intake.post(`/staff/complaints/${id}/intake`, { action: 'assessment' });
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain('enter the reason it may go ahead');
    await intake.post(`/staff/complaints/${id}/intake`, {
      action: 'assessment',
      lateReason: 'In hospital for most of the year',
    });
    const row = await t.db.kysely.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'assessment', late: true, late_reason: 'In hospital for most of the year' });
  });
});

describe('assessment', () => {
  it('puts urgent complaints first, then the oldest, with a working-day clock', async () => {
    clock.set(new Date('2026-05-01T09:00:00Z'));
    const old = await recordByPhone({ summary: 'Old one' });
    clock.set(NOW);
    const urgent = await recordByPhone({ summary: 'Urgent one', urgent: 'domestic-abuse' });
    const queue = await intake.get('/staff/assessment');
    const order = [...queue.body.matchAll(/href="\/staff\/complaints\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    // Every urgent complaint (others come from earlier tests) comes before every other one, and the
    // oldest of the others, waiting a month longer than the urgent one, leads them.
    const urgentIds = new Set<string | undefined>(
      (await t.db.kysely.selectFrom('complaints').select('id').where('urgent', '=', true).execute()).map((r) => r.id),
    );
    const urgentCount = order.filter((id) => urgentIds.has(id)).length;
    expect(order.slice(0, urgentCount)).toContain(urgent);
    expect(order.slice(urgentCount).filter((id) => urgentIds.has(id))).toEqual([]);
    expect(order[urgentCount]).toBe(old);
    // 1 May to 10 June 2026: 26 working days (4 and 25 May are bank holidays).
    expect(queue.body).toContain('26 of 20 working days');
  });

  it('allocates an investigator when investigating, and needs reasons otherwise', async () => {
    const id = await recordByPhone();
    await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'not-investigate' });
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain('Enter the reason for the decision');
    await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'investigate', investigatorId: intakeActor.id });
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain('Select an investigator from the list');
    expect(
      (await t.db.kysely.selectFrom('complaints').select('status').where('id', '=', id).executeTakeFirstOrThrow())
        .status,
    ).not.toBe('investigation');
    await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'investigate', investigatorId });
    const row = await t.db.kysely.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'investigation', investigator_id: investigatorId });
    // Assessed once only.
    await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'invalid', reason: 'x' });
    expect(
      (await t.db.kysely.selectFrom('complaints').select('status').where('id', '=', id).executeTakeFirstOrThrow())
        .status,
    ).toBe('investigation');
  });

  it('sends the authority its allocation notice when a complaint goes to investigation', async () => {
    const id = await recordByPhone();
    await t.services.jobs.start({ work: true });
    try {
      await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'investigate', investigatorId });
      const deadline = Date.now() + 20_000;
      let notice;
      while (!notice && Date.now() < deadline) {
        notice = await t.db.kysely
          .selectFrom('allocation_notices')
          .select('id')
          .where('complaint_id', '=', id)
          .executeTakeFirst();
        if (!notice) await new Promise((r) => setTimeout(r, 200));
      }
      expect(notice).toBeDefined();
    } finally {
      await t.services.jobs.stop();
    }
    expect(await laterCorrespondenceOf(id)).toEqual([
      expect.objectContaining({
        subject: expect.stringContaining('the ombudsman is investigating') as string,
        addressees: ['link-officers'],
        to: [LINK_OFFICER_EMAIL],
      }),
    ]);
    const page = await intake.get(`/staff/complaints/${id}`);
    expect(page.body).toContain('Allocation notice sent to the authority');
    const history = await intake.get(`/staff/complaints/${id}/history`);
    expect(history.body).toContain('Allocation notice sent to the authority');
  });

  it('tells the complainant only of an invalid complaint, and hides it from the authority', async () => {
    const id = await recordByPhone({ complainantEmail: 'invalid.case@example.test' });
    await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'invalid', reason: 'Not about the council' });
    // One letter, to the complainant; nothing to the authority.
    const items = await laterCorrespondenceOf(id);
    expect(items).toEqual([
      expect.objectContaining({
        subject: expect.stringContaining('our decision') as string,
        addressees: ['complainant'],
        to: ['invalid.case@example.test'],
      }),
    ]);
    expect(items[0]?.text).toContain('Not about the council');
    const portal = await signedInAs(t.db, t.services, 'link-officer', authorityId);
    const client = new TestClient(t.app).withSession(portal.token);
    expect((await client.get(`/portal/complaints/${id}`)).statusCode).toBe(404);
  });

  it('asks the authority for documents due in 10 working days', async () => {
    const id = await recordByPhone();
    await intake.post(`/staff/complaints/${id}/document-requests`, { description: 'The stage 2 response letter' });
    const request = await t.db.kysely
      .selectFrom('complaint_document_requests')
      .selectAll()
      .where('complaint_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(request.due_on).toBe('2026-06-24');
    expect(await laterCorrespondenceOf(id)).toEqual([
      expect.objectContaining({
        subject: expect.stringContaining('documents requested by 24 June 2026') as string,
        addressees: ['link-officers'],
        to: [LINK_OFFICER_EMAIL],
      }),
    ]);
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain('The stage 2 response letter');
  });
});

describe('the authority portal', () => {
  it('lists its own complaints only, 404s others’, and shows the complainant only with consent', async () => {
    const shared = await recordByPhone({ complainantName: 'Shared Person' });
    const withheld = await recordByPhone({ complainantName: 'Withheld Person', consentToShare: 'no' });
    const elsewhere = await recordByPhone({ authorityId: otherAuthorityId });
    const notYetTold = await recordByPhone({ complainantName: 'Untold Person' });
    // The authority is told of a case when documents are asked of it.
    for (const id of [shared, withheld, elsewhere])
      await intake.post(`/staff/complaints/${id}/document-requests`, { description: 'The stage 2 response letter' });
    const portal = await signedInAs(t.db, t.services, 'link-officer', authorityId);
    const client = new TestClient(t.app).withSession(portal.token);
    const list = await client.get('/portal/complaints');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(shared);
    expect(list.body).not.toContain(notYetTold);
    expect((await client.get(`/portal/complaints/${notYetTold}`)).statusCode).toBe(404);
    expect(list.body).not.toContain(elsewhere);
    expect((await client.get(`/portal/complaints/${elsewhere}`)).statusCode).toBe(404);
    expect((await client.get(`/portal/complaints/${shared}`)).body).toContain('Shared Person');
    const hidden = await client.get(`/portal/complaints/${withheld}`);
    expect(hidden.body).not.toContain('Withheld Person');
    expect(hidden.body).toContain('Not shared');
  });
});

describe('the case list', () => {
  it('filters by status and authority and pages with a cursor', async () => {
    await recordByPhone({ authorityId: otherAuthorityId });
    await recordByPhone({ authorityId: otherAuthorityId });
    const page = await intake.get(`/staff/complaints?authorityId=${otherAuthorityId}&limit=1`);
    expect(page.body).toContain('Upland District Council');
    expect(page.body).not.toContain('>Harbourside Borough Council<');
    const next = /href="(\/staff\/complaints\?[^"]*cursor=[^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeTruthy();
    const second = await intake.get(next ?? '');
    expect(second.statusCode).toBe(200);
    // The next page carries on after the first: other cases of the same authority, none shown twice.
    const caseIds = (body: string) => [
      ...new Set([...body.matchAll(/href="\/staff\/complaints\/([0-9a-f-]{36})"/g)].map((m) => m[1])),
    ];
    const firstIds = caseIds(page.body);
    expect(firstIds.length).toBeGreaterThan(0);
    expect(caseIds(second.body).length).toBeGreaterThan(0);
    expect(caseIds(second.body).filter((id) => firstIds.includes(id))).toEqual([]);
    expect(second.body).toContain('Upland District Council');
    const closed = await intake.get('/staff/complaints?status=closed');
    expect(closed.body).toContain('Premature');
  });

  it('filters by an authority typed by name, listing the matches when there are several or saying when none', async () => {
    const one = await intake.get('/staff/complaints?authority=upland&status=received');
    expect(one.statusCode).toBe(303);
    expect(one.headers.location).toBe(`/staff/complaints?status=received&authorityId=${otherAuthorityId}`);
    const several = await intake.get('/staff/complaints?authority=council');
    expect(several.statusCode).toBe(200);
    expect(several.body).toContain('There is a problem');
    expect(several.body).toContain('More than one authority matches ‘council’');
    expect(several.body).toContain(`href="/staff/complaints?authorityId=${otherAuthorityId}"`);
    expect(several.body).toContain('Harbourside Borough Council</a>');
    const none = await intake.get('/staff/complaints?authority=nowhere');
    expect(none.body).toContain('No authority matches ‘nowhere’');
  });

  it('shows only cases whose enquiry is open past its due date when asked for overdue responses', async () => {
    const enquiry = async (complaintId: string, dueOn: string, status: 'open' | 'responded') => {
      const complaint = await t.db.kysely
        .selectFrom('complaints')
        .select(['authority_id', 'reference'])
        .where('id', '=', complaintId)
        .executeTakeFirstOrThrow();
      await t.db.kysely
        .insertInto('enquiries')
        .values({
          complaint_id: complaintId,
          authority_id: complaint.authority_id,
          kind: 'enquiry',
          number: 1,
          addressed_to_name: 'Chief Executive',
          status,
          sent_at: new Date('2026-05-01T09:00:00Z'),
          sent_on: '2026-05-01',
          due_on: dueOn,
          due_working_days: 20,
          due_rule: JSON.stringify({ rule: 'test' }),
          responded_at: status === 'responded' ? new Date('2026-05-20T09:00:00Z') : null,
        })
        .execute();
      return complaint.reference;
    };
    const today = t.services.calendar.londonDate(clock.now());
    const daysFrom = (days: number) => new Date(Date.parse(today) + days * 86_400_000).toISOString().slice(0, 10);
    const late = await enquiry(await recordByPhone(), daysFrom(-1), 'open');
    const dueToday = await enquiry(await recordByPhone(), today, 'open');
    const answered = await enquiry(await recordByPhone(), daysFrom(-9), 'responded');
    const list = await intake.get('/staff/complaints?overdue=yes');
    expect(list.statusCode).toBe(200);
    // The cases listed (the page may also carry the notice of the case just recorded).
    const listed = list.body.slice(list.body.indexOf('<table'));
    expect(listed).toContain(late);
    expect(listed).not.toContain(dueToday);
    expect(listed).not.toContain(answered);
    expect(list.body).toMatch(/name="overdue" type="checkbox" value="yes" checked/);
    const all = await intake.get('/staff/complaints');
    for (const reference of [late, dueToday, answered]) expect(all.body).toContain(reference);
  });
});

/** Calls the JSON API with a new token of `role` (staff unless `authorityId`), sending bodies as JSON. */
async function apiClient(name: string, role: Role, authorityId: string | null = null) {
  const { token } = await t.services.apiTokens.createFromCommandLine({ name, role, authorityId });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: headers.authorization } }),
    post: (url: string, body: unknown) => t.app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) }),
  };
}

describe('the API', () => {
  it('records, lists, reads and assesses complaints', async () => {
    const api = await apiClient('Intake API', 'intake-officer');
    const created = await api.post('/api/v1/complaints', {
      authorityId,
      serviceArea: 'education',
      complainant: { name: 'Api Person', email: 'api.person@example.test' },
      summary: 'School transport refused',
      authorityProcessFinished: true,
      authorityFinalResponseDate: '2026-06-01',
      consentToShare: true,
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ id: string; reference: string; status: string }>();
    expect(body.reference).toMatch(/^26 \d{3} \d{3}$/);
    const bad = await api.post('/api/v1/complaints', {
      authorityId,
      serviceArea: 'education',
      complainant: { name: 'X' },
      summary: 'S',
      authorityProcessFinished: true,
    });
    expect(bad.statusCode).toBe(400);
    const list = await api.get(`/api/v1/complaints?authorityId=${authorityId}&limit=2`);
    expect(list.json<{ items: unknown[]; nextCursor: string | null }>().nextCursor).not.toBeNull();
    const assessed = await api.post(`/api/v1/complaints/${body.id}/assessment`, {
      outcome: 'not-investigate',
      reason: 'No significant injustice',
    });
    expect(assessed.json()).toMatchObject({ status: 'closed', outcome: 'not-investigated' });
    const detail = await api.get(`/api/v1/complaints/${body.id}`);
    expect(detail.json<{ history: { toStatus: string }[] }>().history.map((h) => h.toStatus)).toEqual([
      'intake',
      'assessment',
      'closed',
    ]);
  });

  it('records status changes made with a token as the token, on the staff timeline, never as the online form or to the authority', async () => {
    const api = await apiClient('Case system', 'intake-officer');
    const created = await api.post('/api/v1/complaints', {
      authorityId,
      serviceArea: 'housing',
      complainant: { name: 'Token Person', email: 'token.person@example.test' },
      summary: 'The council did not answer my letters',
      authorityProcessFinished: true,
      authorityFinalResponseDate: '2026-06-01',
      consentToShare: true,
    });
    const id = created.json<{ id: string }>().id;
    const assessed = await api.post(`/api/v1/complaints/${id}/assessment`, {
      outcome: 'not-investigate',
      reason: 'No significant injustice',
    });
    expect(assessed.statusCode).toBe(200);

    const tokenId = (
      await t.db.kysely
        .selectFrom('api_tokens')
        .select('id')
        .where('name', '=', 'Case system')
        .executeTakeFirstOrThrow()
    ).id;
    const rows = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select(['to_status', 'changed_by', 'changed_by_type', 'changed_by_token'])
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .orderBy('seq')
      .execute();
    expect(rows).toEqual(
      ['intake', 'assessment', 'closed'].map((to_status) => ({
        to_status,
        changed_by: null,
        changed_by_type: 'token',
        changed_by_token: tokenId,
      })),
    );

    const history = await intake.get(`/staff/complaints/${id}/history?kind=complaint&kind=assessment&kind=closure`);
    const bylines = [...history.body.matchAll(/<p class="moj-timeline__byline">([\s\S]*?)<\/p>/g)].map((m) =>
      (m[1] ?? '').replace(/\s+/g, ' ').trim(),
    );
    expect(bylines).toEqual([
      'by Ombudsman (API token ‘Case system’)',
      'by Ombudsman (API token ‘Case system’)',
      'by Ombudsman (API token ‘Case system’)',
    ]);
    expect(history.body).not.toContain('Online form');

    // The authority sees that the ombudsman acted, not how.
    const portal = new TestClient(t.app).withSession(
      (await signedInAs(t.db, t.services, 'link-officer', authorityId)).token,
    );
    const portalTimeline = await portal.get(`/portal/complaints/${id}/timeline`);
    expect(portalTimeline.statusCode).toBe(200);
    expect(portalTimeline.body).toContain('by Ombudsman');
    for (const hidden of ['Case system', 'API token', 'Online form']) expect(portalTimeline.body).not.toContain(hidden);
  });

  it('records a change the system makes (a job) as the system', async () => {
    const id = await recordByPhone();
    await intake.post(`/staff/complaints/${id}/assessment`, { outcome: 'investigate', investigatorId });
    await t.db.kysely
      .transaction()
      .execute((trx) =>
        t.services.complaints.transition(trx, null, id, 'closed', { outcome: 'withdrawn', reason: 'Withdrawn' }),
      );
    const rows = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select(['to_status', 'changed_by', 'changed_by_type'])
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .orderBy('seq')
      .execute();
    expect(rows.at(-1)).toEqual({ to_status: 'closed', changed_by: null, changed_by_type: 'system' });
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id'])
      .where('record_id', '=', id)
      .where('action', '=', 'complaint.closed.withdrawn')
      .execute();
    expect(audit).toEqual([{ actor_type: 'system', actor_id: null }]);
    const history = await intake.get(`/staff/complaints/${id}/history?kind=closure`);
    expect(history.body).toContain('by Ombudsman (System)');
    expect(history.body).not.toContain('Online form');
  });

  it('says who made each status change: by name to staff tokens, by role only to the authority', async () => {
    // Recorded on the staff page by a person, then assessed with a token.
    const id = await recordByPhone({ summary: 'The council lost my housing application' });
    const api = await apiClient('Assessment system', 'intake-officer');
    const assessed = await api.post(`/api/v1/complaints/${id}/assessment`, {
      outcome: 'not-investigate',
      reason: 'No significant injustice',
    });
    expect(assessed.statusCode).toBe(200);
    const personName = (
      await t.db.kysely
        .selectFrom('users')
        .select('display_name')
        .where('id', '=', intakeActor.id)
        .executeTakeFirstOrThrow()
    ).display_name;

    type History = { history: { toStatus: string; by: { type: string; name: string | null } }[] };
    const staff = await api.get(`/api/v1/complaints/${id}`);
    expect(staff.statusCode).toBe(200);
    expect(staff.json<History>().history.map((h) => ({ toStatus: h.toStatus, by: h.by }))).toEqual([
      { toStatus: 'intake', by: { type: 'user', name: personName } },
      { toStatus: 'assessment', by: { type: 'token', name: 'Assessment system' } },
      { toStatus: 'closed', by: { type: 'token', name: 'Assessment system' } },
    ]);

    const portalApi = await apiClient('Harbourside case system', 'link-officer', authorityId);
    const own = await portalApi.get(`/api/v1/complaints/${id}`);
    expect(own.statusCode).toBe(200);
    expect(own.json<History>().history.map((h) => h.by)).toEqual([
      { type: 'ombudsman', name: null },
      { type: 'ombudsman', name: null },
      { type: 'ombudsman', name: null },
    ]);
    for (const hidden of [personName, 'Assessment system', '"user"', '"token"']) expect(own.body).not.toContain(hidden);
  });
});

describe('a case the authority is never told of', () => {
  it('is not found on any portal page or authority API route, even after documents were asked of the authority', async () => {
    const quaysideId = await createAuthority(t.db, { name: 'Quayside Borough Council' });
    const lead = await createUser(t.services, { role: 'relationship-lead' });
    await t.services.linkOfficers.addOfficer(
      { type: 'user', id: lead.id, roles: ['relationship-lead'], authorityId: null },
      quaysideId,
      {
        title: 'Mr',
        forename: 'Quinn',
        surname: 'Officer',
        jobTitle: 'Complaints lead',
        email: 'quinn.officer@quayside.example',
        correspondenceEmail: null,
        phone: '+442079460002',
      },
    );
    const told = await recordByPhone({ authorityId: quaysideId, summary: 'A case the authority hears of' });
    const untold = await recordByPhone({ authorityId: quaysideId, summary: 'A case found invalid' });
    // Documents were asked of the authority during assessment, before the case was found invalid.
    for (const id of [told, untold])
      await intake.post(`/staff/complaints/${id}/document-requests`, { description: 'The stage 2 response letter' });
    await intake.post(`/staff/complaints/${untold}/assessment`, { outcome: 'invalid', reason: 'Not a public body' });
    const referenceOf = async (id: string) =>
      (await t.db.kysely.selectFrom('complaints').select('reference').where('id', '=', id).executeTakeFirstOrThrow())
        .reference;
    const authorityItemOf = async (id: string) =>
      (
        await t.db.kysely
          .selectFrom('correspondence_items as i')
          .innerJoin('correspondence_threads as th', 'th.id', 'i.thread_id')
          .select('i.id')
          .where('i.complaint_id', '=', id)
          .where('th.audience', '=', 'authority')
          .executeTakeFirstOrThrow()
      ).id;
    const [toldRef, untoldRef, toldItem, untoldItem] = await Promise.all([
      referenceOf(told),
      referenceOf(untold),
      authorityItemOf(told),
      authorityItemOf(untold),
    ]);

    for (const role of ['link-officer', 'delegate'] as const) {
      const portal = new TestClient(t.app).withSession((await signedInAs(t.db, t.services, role, quaysideId)).token);
      const list = await portal.get('/portal/complaints');
      expect(list.body, role).toContain(toldRef);
      expect(list.body, role).not.toContain(untoldRef);
      expect((await portal.get(`/portal/complaints/${told}`)).statusCode, role).toBe(200);
      for (const path of ['', '/timeline', '/decision'])
        expect((await portal.get(`/portal/complaints/${untold}${path}`)).statusCode, `${role} ${path}`).toBe(404);
      const letters = await portal.get('/portal/correspondence?limit=100');
      expect(letters.body, role).toContain(toldItem);
      expect(letters.body, role).not.toContain(untoldItem);
      expect(letters.body, role).not.toContain(untoldRef);
      expect((await portal.get(`/portal/correspondence/${toldItem}`)).statusCode, role).toBe(200);
      expect((await portal.get(`/portal/correspondence/${untoldItem}`)).statusCode, role).toBe(404);
    }

    const api = (await apiClient('Quayside case system', 'link-officer', quaysideId)).get;
    const listed = (await api('/api/v1/complaints?limit=100')).json<{ items: { id: string }[] }>();
    expect(listed.items.map((c) => c.id)).toContain(told);
    expect(listed.items.map((c) => c.id)).not.toContain(untold);
    for (const path of ['', '/correspondence', '/timeline', '/remedies']) {
      expect((await api(`/api/v1/complaints/${told}${path}`)).statusCode, `told ${path}`).toBe(200);
      const res = await api(`/api/v1/complaints/${untold}${path}`);
      expect(res.statusCode, `untold ${path}`).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }

    // Staff still see the whole case.
    const staffPage = await intake.get(`/staff/complaints/${untold}`);
    expect(staffPage.statusCode).toBe(200);
    expect(staffPage.body).toContain('Not a public body');
  });
});

describe('the API: recording and assessing', () => {
  let api: Awaited<ReturnType<typeof apiClient>>;
  beforeAll(async () => {
    api = await apiClient('Assessment API', 'intake-officer');
  });
  const post = (url: string, body: unknown) => api.post(url, body);
  const complaint = (complainant: Record<string, unknown>) => ({
    authorityId,
    serviceArea: 'housing',
    complainant,
    summary: 'The council lost my housing application',
    authorityProcessFinished: true,
    authorityFinalResponseDate: '2026-05-20',
    consentToShare: true,
  });
  const recordByApi = async () => {
    const res = await post(
      '/api/v1/complaints',
      complaint({ name: 'Api Assessed', email: 'api.assessed@example.test' }),
    );
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const problemFields = (res: { json: <T>() => T }) =>
    (res.json<{ errors?: { field: string; pointer: string }[] }>().errors ?? []).map((e) => e.field);

  it('requires the complainant’s email: missing or malformed is a 400 naming complainant.email, and nothing is recorded', async () => {
    const before = await countComplaints();
    for (const complainant of [
      { name: 'No Email', phone: '020 7946 0111' },
      { name: 'Bad Email', email: 'not-an-email' },
      { name: 'Blank Email', email: '' },
    ]) {
      const res = await post('/api/v1/complaints', complaint(complainant));
      expect(res.statusCode, complainant.name).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json(), complainant.name).toMatchObject({
        status: 400,
        errors: [expect.objectContaining({ field: 'complainant.email', pointer: '/complainant/email' })],
      });
    }
    const missing = await post('/api/v1/complaints', complaint({ name: 'No Email' }));
    expect(missing.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toBe(
      'Enter the complainant’s email address',
    );
    expect(await countComplaints()).toBe(before);
    const ok = await post(
      '/api/v1/complaints',
      complaint({ name: 'With Email', email: 'with.email@example.test', phone: '020 7946 0112' }),
    );
    expect(ok.statusCode).toBe(201);
    expect(await countComplaints()).toBe(before + 1);
  });

  it('takes a UK phone number only, kept in E.164 as the forms keep it', async () => {
    const before = await countComplaints();
    for (const phone of ['12345', '+1 212 555 0100', '07700 900111']) {
      const res = await post(
        '/api/v1/complaints',
        complaint({ name: 'Bad Phone', email: 'bad.phone@example.test', phone }),
      );
      expect(res.statusCode, phone).toBe(400);
      expect(problemFields(res), phone).toEqual(['complainant.phone']);
    }
    expect(await countComplaints()).toBe(before);
    const ok = await post(
      '/api/v1/complaints',
      complaint({ name: 'Good Phone', email: 'good.phone@example.test', phone: '0113 496 0112' }),
    );
    expect(ok.statusCode).toBe(201);
    const stored = await t.db.kysely
      .selectFrom('complaint_parties')
      .select('phone')
      .where('complaint_id', '=', ok.json<{ id: string }>().id)
      .where('role', '=', 'complainant')
      .executeTakeFirstOrThrow();
    expect(stored.phone).toBe('+441134960112');
  });

  it('needs a reason for every outcome but investigate, as the staff page does, and assesses a case once', async () => {
    const id = await recordByApi();
    for (const outcome of ['not-investigate', 'premature', 'invalid', 'closed-after-initial-enquiries']) {
      const res = await post(`/api/v1/complaints/${id}/assessment`, { outcome, reason: '  ' });
      expect(res.statusCode, outcome).toBe(400);
      expect(problemFields(res), outcome).toEqual(['reason']);
    }
    const unknown = await post(`/api/v1/complaints/${id}/assessment`, { outcome: 'maybe' });
    expect(unknown.statusCode).toBe(400);
    expect(problemFields(unknown)).toEqual(['outcome']);
    const closed = await post(`/api/v1/complaints/${id}/assessment`, {
      outcome: 'closed-after-initial-enquiries',
      reason: 'The council has already apologised',
    });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toEqual({ id, status: 'closed', outcome: 'closed-after-initial-enquiries' });
    const again = await post(`/api/v1/complaints/${id}/assessment`, { outcome: 'investigate' });
    expect(again.statusCode).toBe(409);
  });

  it('allocates the investigator given, and refuses someone who is not an investigator', async () => {
    const id = await recordByApi();
    const wrong = await post(`/api/v1/complaints/${id}/assessment`, {
      outcome: 'investigate',
      investigatorId: intakeActor.id,
    });
    expect(wrong.statusCode).toBe(400);
    expect(problemFields(wrong)).toEqual(['investigatorId']);
    const res = await post(`/api/v1/complaints/${id}/assessment`, { outcome: 'investigate', investigatorId });
    expect(res.json()).toEqual({ id, status: 'investigation', outcome: null });
    const detail = await api.get(`/api/v1/complaints/${id}`);
    expect(detail.json()).toMatchObject({ status: 'investigation', investigatorId });
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain('Ivy Investigator');
  });

  it('sends a case to investigation unallocated without an investigator, until staff allocate one on the case page', async () => {
    const id = await recordByApi();
    const res = await post(`/api/v1/complaints/${id}/assessment`, { outcome: 'investigate' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, status: 'investigation', outcome: null });
    const detail = await api.get(`/api/v1/complaints/${id}`);
    expect(detail.json()).toMatchObject({ status: 'investigation', investigatorId: null });

    // Shown as not allocated, and listed among the cases waiting for an investigator.
    const page = await intake.get(`/staff/complaints/${id}`);
    expect(page.body).toContain('Not allocated');
    expect(page.body).toContain('Allocate an investigator');
    const waiting = await intake.get('/staff/complaints?investigatorId=none&limit=100');
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toContain(id);
    expect(waiting.body).toContain('Not allocated (under investigation)');
    // Cases still being assessed or closed are not waiting for an investigator.
    const queued = await recordByApi();
    expect(waiting.body).not.toContain(queued);
    expect((await intake.get('/staff/complaints?investigatorId=none&limit=100')).body).not.toContain(queued);

    // Bad input: the GOV.UK error summary on the case page, nothing changed.
    for (const [choice, message] of [
      ['', 'Select an investigator'],
      [intakeActor.id, 'Select an investigator from the list'],
      ['not-a-person', 'Select an investigator from the list'],
    ] as const) {
      const bad = await intake.post(`/staff/complaints/${id}/investigator`, { investigatorId: choice });
      expect(bad.statusCode, choice).toBe(303);
      expect(bad.headers.location).toBe(`/staff/complaints/${id}#allocation`);
      const shown = await intake.get(`/staff/complaints/${id}`);
      expect(shown.body).toContain('govuk-error-summary');
      expect(shown.body).toContain(`href="#investigatorId">${message}<`);
    }
    const row = () =>
      t.db.kysely
        .selectFrom('complaints')
        .select(['status', 'investigator_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    expect(await row()).toEqual({ status: 'investigation', investigator_id: null });

    const done = await intake.post(`/staff/complaints/${id}/investigator`, { investigatorId });
    expect(done.headers.location).toBe(`/staff/complaints/${id}`);
    expect(await row()).toEqual({ status: 'investigation', investigator_id: investigatorId });
    const after = await intake.get(`/staff/complaints/${id}`);
    expect(after.body).toContain('Investigator allocated');
    expect(after.body).toContain('Ivy Investigator');
    expect(after.body).toContain('Change the investigator');
    expect((await intake.get('/staff/complaints?investigatorId=none&limit=100')).body).not.toContain(id);
    expect((await intake.get(`/staff/complaints?investigatorId=${investigatorId}&limit=100`)).body).toContain(id);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'actor_id'])
      .where('record_id', '=', id)
      .where('action', '=', 'complaint.allocated')
      .execute();
    expect(audit).toEqual([{ action: 'complaint.allocated', actor_id: intakeActor.id }]);

    // A case still in assessment is allocated with the assessment decision, not here.
    const early = await intake.post(`/staff/complaints/${queued}/investigator`, { investigatorId });
    expect(early.headers.location).toBe(`/staff/complaints/${queued}#allocation`);
    expect((await intake.get(`/staff/complaints/${queued}`)).body).toContain(
      'allocate it with the assessment decision',
    );
  });
});
