import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser, signedInAs } from '../support/factories.ts';
import { answerPublicForm, sendPublicForm, type FormStep } from './complaints.fixtures.ts';

/**
 * Intake: the representative's details on the staff form and the public form, who sees them, and
 * the life of a complaint from received through intake to assessment.
 */

let t: TestApp;
let clock: FixedClock;
let authorityId: string;
let intake: TestClient;
let intakeOfficerId: string;

// Wednesday 10 June 2026, 10:00 London.
const NOW = new Date('2026-06-10T09:00:00Z');

beforeAll(async () => {
  clock = new FixedClock(NOW);
  t = await createTestApp({ clock });
  authorityId = await createAuthority(t.db, { name: 'Fenwick Borough Council' });
  intakeOfficerId = (await createUser(t.services, { role: 'intake-officer', displayName: 'Iris Intake' })).id;
  intake = new TestClient(t.app).withSession(await createSession(t.db, intakeOfficerId));
}, 120_000);
afterAll(async () => {
  await t.close();
});

function staffForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    channel: 'letter',
    authorityId,
    serviceArea: 'adult-social-care',
    complainantName: 'Edna Marsh',
    complainantAddress: '4 Quay Street, Fenwick',
    communicationNeeds: 'Large print letters',
    summary: 'The council stopped my care visits without telling me.',
    authorityProcessFinished: 'yes',
    authorityFinalResponseOn: '2026-05-01',
    consentToShare: 'yes',
    representativeName: 'Carl Marsh',
    representativeRelationship: 'Son',
    representativeEmail: 'carl.marsh@example.test',
    representativePhone: '07911 123456',
    representativeAddress: '9 Mill Lane, Fenwick',
    representativeCommunicationNeeds: 'Calls after 5pm, please: he works shifts',
    ...overrides,
  };
}

const countComplaints = async () =>
  (
    await t.db.kysely
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

const caseIdFrom = (location: string | undefined) => /\/staff\/complaints\/([0-9a-f-]{36})$/.exec(location ?? '')?.[1];

/** The text of a summary list on a page (its HTML tags removed, spaces collapsed). */
function section(html: string, id: string): string {
  const match = new RegExp(`<dl[^>]*id="${id}"[^>]*>([\\s\\S]*?)</dl>`).exec(html);
  return (match?.[1] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The case timeline as a person reads it, oldest first: what happened, by whom and when. */
function timelineOf(html: string) {
  return [
    ...html.matchAll(
      /<div class="moj-timeline__item" data-kind="[^"]*">([\s\S]*?)<\/div>\s*(?=<div class="moj-timeline__item"|<\/div>)/g,
    ),
  ]
    .map((m) => {
      const item = m[1] ?? '';
      const text = (re: RegExp) =>
        (re.exec(item)?.[1] ?? '')
          .replace(/<[^>]+>/g, '')
          .replace(/\s+/g, ' ')
          .trim();
      return {
        label: text(/<h3 class="moj-timeline__title">([\s\S]*?)<\/h3>/),
        by: text(/<p class="moj-timeline__byline">([\s\S]*?)<\/p>/),
        at: /<time datetime="([^"]+)"/.exec(item)?.[1] ?? '',
        text: text(/<div class="moj-timeline__description">\s*<p class="govuk-body">([\s\S]*?)<\/p>/),
      };
    })
    .reverse();
}

describe('a representative on the staff form', () => {
  it('records their phone, address and needs with the complaint and shows them to staff on the case page', async () => {
    const res = await intake.post('/staff/complaints/new', staffForm());
    expect(res.statusCode).toBe(303);
    const id = caseIdFrom(res.headers.location);
    expect(id, `created: ${res.headers.location}`).toBeTruthy();

    const page = await intake.get(`/staff/complaints/${id}`);
    expect(page.statusCode).toBe(200);
    const representative = section(page.body, 'representative');
    expect(representative).toContain('Carl Marsh');
    expect(representative).toContain('Relationship to the complainant Son');
    expect(representative).toContain('carl.marsh@example.test');
    expect(representative).toContain('Phone 07911 123456');
    expect(representative).toContain('9 Mill Lane, Fenwick');
    expect(representative).toContain('Accessibility or communication needs Calls after 5pm, please: he works shifts');
    const complainant = section(page.body, 'complainant');
    expect(complainant).toContain('Edna Marsh');
    expect(complainant).toContain('Accessibility or communication needs Large print letters');

    // Stored where parties are stored, the phone number in E.164.
    const parties = await t.db.kysely
      .selectFrom('complaint_parties')
      .select(['role', 'phone', 'address', 'communication_needs'])
      .where('complaint_id', '=', id ?? '')
      .orderBy('role')
      .execute();
    expect(parties).toEqual([
      {
        role: 'complainant',
        phone: null,
        address: '4 Quay Street, Fenwick',
        communication_needs: 'Large print letters',
      },
      {
        role: 'representative',
        phone: '+447911123456',
        address: '9 Mill Lane, Fenwick',
        communication_needs: 'Calls after 5pm, please: he works shifts',
      },
    ]);

    // Staff who see the complainant see the representative too; the authority sees neither's contact details.
    const investigator = await signedInAs(t.db, t.services, 'investigator');
    const asInvestigator = await new TestClient(t.app).withSession(investigator.token).get(`/staff/complaints/${id}`);
    expect(section(asInvestigator.body, 'representative')).toContain('Phone 07911 123456');
    const linkOfficer = await signedInAs(t.db, t.services, 'link-officer', authorityId);
    // The authority sees the case once it is told of it: here, once it is under investigation.
    await t.db.kysely
      .updateTable('complaints')
      .set({ status: 'investigation' })
      .where('id', '=', id ?? '')
      .execute();
    const portal = await new TestClient(t.app).withSession(linkOfficer.token).get(`/portal/complaints/${id}`);
    expect(portal.statusCode).toBe(200);
    expect(portal.body).toContain('Edna Marsh');
    for (const detail of ['Carl Marsh', '07911 123456', '9 Mill Lane', 'works shifts', 'Large print letters'])
      expect(portal.body).not.toContain(detail);
  });

  it('refuses a representative phone number that is not a UK number, with the error summary, and records nothing', async () => {
    const before = await countComplaints();
    for (const phone of ['12345', '+353 1 234 5678', 'ring the office']) {
      const res = await intake.post('/staff/complaints/new', staffForm({ representativePhone: phone }));
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/staff/complaints/new');
      const form = await intake.get('/staff/complaints/new');
      expect(form.body).toContain('There is a problem');
      expect(form.body).toContain('href="#representativePhone"');
      expect(form.body).toContain(
        'Enter the representative’s phone number as a UK number, like 020 7946 0958 or 07911 123456',
      );
      // What was typed is kept.
      expect(form.body).toContain(`value="${phone}"`);
    }
    expect(await countComplaints()).toBe(before);
  });

  it('refuses a bad representative email, or details without the representative’s name, listing every problem', async () => {
    const before = await countComplaints();
    await intake.post(
      '/staff/complaints/new',
      staffForm({ representativeName: '', representativeEmail: 'carl.marsh@', complainantPhone: '0800' }),
    );
    const form = await intake.get('/staff/complaints/new');
    expect(form.body).toContain('There is a problem');
    expect(form.body).toContain('Enter the representative’s full name, or leave all their details blank');
    expect(form.body).toContain(
      'Enter the representative’s email address in the correct format, like name@example.com',
    );
    expect(form.body).toContain('Enter the complainant’s phone number as a UK number');
    expect(await countComplaints()).toBe(before);
  });

  it('leaves out the representative when none is given', async () => {
    const res = await intake.post(
      '/staff/complaints/new',
      staffForm({
        representativeName: '',
        representativeRelationship: '',
        representativeEmail: '',
        representativePhone: '',
        representativeAddress: '',
        representativeCommunicationNeeds: '',
        complainantPhone: '020 7946 0958',
      }),
    );
    const id = caseIdFrom(res.headers.location);
    expect(id).toBeTruthy();
    const page = await intake.get(`/staff/complaints/${id}`);
    expect(page.body).not.toContain('id="representative"');
    expect(section(page.body, 'complainant')).toContain('Phone 020 7946 0958');
  });
});

describe('the life of a complaint from the public form', () => {
  /** Answers every question of the public form, complaining for someone else, and sends it. */
  async function complainOnline(): Promise<string> {
    const visitor = new TestClient(t.app);
    const steps: FormStep[] = [
      ['authority', { authorityId }],
      ['service', { serviceArea: 'housing' }],
      ['process-finished', { processFinished: 'yes' }],
      [
        'final-response-date',
        { 'finalResponseOn-day': '1', 'finalResponseOn-month': '5', 'finalResponseOn-year': '2026' },
      ],
      ['aware-date', { 'awareOn-day': '1', 'awareOn-month': '3', 'awareOn-year': '2026' }],
      ['what-happened', { summary: 'The council has not rehoused my father after his flat flooded.' }],
      ['injustice', { injustice: 'He is sleeping on my sofa.' }],
      ['outcome', { outcomeWanted: 'Somewhere suitable to live.' }],
      ['urgent', {}],
      ['on-behalf', { onBehalf: 'yes' }],
      ['person', { complainantName: 'Walter Byrne', relationship: 'Daughter' }],
      ['their-needs', { complainantNeeds: 'He is deaf: please write, do not phone' }],
      ['your-details', { name: 'Nora Byrne', email: 'nora.byrne@example.test', phone: '020 7946 0958' }],
      ['needs', { communicationNeeds: 'Easy read, please' }],
      ['consent', { consent: 'yes' }],
      ['attachments', {}],
    ];
    await answerPublicForm(visitor, steps);
    const check = await visitor.get('/complain/check');
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Their communication needs');
    expect(check.body).toContain('He is deaf: please write, do not phone');
    expect(check.body).toContain('Your communication needs');
    expect(check.body).toContain('020 7946 0958');
    const reference = await sendPublicForm(visitor);
    const row = await t.db.kysely
      .selectFrom('complaints')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('keeps the representative’s own details and needs apart from the complainant’s', async () => {
    clock.set(NOW);
    const id = await complainOnline();
    const page = await intake.get(`/staff/complaints/${id}`);
    const representative = section(page.body, 'representative');
    expect(representative).toContain('Nora Byrne');
    expect(representative).toContain('Relationship to the complainant Daughter');
    expect(representative).toContain('Phone 020 7946 0958');
    expect(representative).toContain('Accessibility or communication needs Easy read, please');
    const complainant = section(page.body, 'complainant');
    expect(complainant).toContain('Walter Byrne');
    expect(complainant).toContain('Accessibility or communication needs He is deaf: please write, do not phone');
  });

  it('is received until an intake officer starts intake, then at intake until sent to assessment, each step on the timeline with who and when', async () => {
    clock.set(NOW);
    const id = await complainOnline();
    const statusOf = async () =>
      (await t.db.kysely.selectFrom('complaints').select('status').where('id', '=', id).executeTakeFirstOrThrow())
        .status;
    expect(await statusOf()).toBe('received');

    // Waiting for intake: found by the received filter and in the assessment queue; the case page offers to start intake.
    expect((await intake.get('/staff/complaints?status=received')).body).toContain(id);
    expect((await intake.get('/staff/complaints?status=intake')).body).not.toContain(id);
    expect((await intake.get('/staff/assessment')).body).toContain(id);
    const waiting = await intake.get(`/staff/complaints/${id}`);
    expect(waiting.body).toContain('Start intake checks');
    expect(waiting.body).not.toContain('Record intake decision');
    expect(waiting.body).not.toContain('Record assessment decision');

    clock.set(new Date('2026-06-11T08:30:00Z'));
    const started = await intake.post(`/staff/complaints/${id}/intake/start`, {});
    expect(started.headers.location).toBe(`/staff/complaints/${id}#intake`);
    const atIntake = await intake.get(`/staff/complaints/${id}`);
    expect(atIntake.body).toContain('Intake checks started: the complaint is now at intake');
    expect(atIntake.body).toContain('Record intake decision');
    expect(atIntake.body).not.toContain('Start intake checks');
    expect(await statusOf()).toBe('intake');
    expect((await intake.get('/staff/complaints?status=intake')).body).toContain(id);
    expect((await intake.get('/staff/complaints?status=received')).body).not.toContain(id);

    // Starting it again is refused, and says why.
    await intake.post(`/staff/complaints/${id}/intake/start`, {});
    expect((await intake.get(`/staff/complaints/${id}`)).body).toContain(
      'Intake has already started on this complaint',
    );

    clock.set(new Date('2026-06-12T13:15:00Z'));
    await intake.post(`/staff/complaints/${id}/intake`, { action: 'assessment' });
    expect(await statusOf()).toBe('assessment');

    const timeline = timelineOf(
      (await intake.get(`/staff/complaints/${id}/history?kind=complaint&kind=assessment`)).body,
    );
    expect(timeline).toEqual([
      {
        label: 'Complaint received',
        by: 'by Online form',
        at: NOW.toISOString(),
        text: 'Received through the online form',
      },
      {
        label: 'Moved to intake',
        by: 'by Intake and assessment officer (Iris Intake)',
        at: '2026-06-11T08:30:00.000Z',
        text: 'Intake checks started',
      },
      {
        label: 'Moved to assessment',
        by: 'by Intake and assessment officer (Iris Intake)',
        at: '2026-06-12T13:15:00.000Z',
        text: 'Intake complete',
      },
    ]);
    const history = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select(['from_status', 'to_status', 'changed_by', 'changed_at'])
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .orderBy('seq')
      .execute();
    expect(history.map((h) => [h.from_status, h.to_status, h.changed_by])).toEqual([
      [null, 'received', null],
      ['received', 'intake', intakeOfficerId],
      ['intake', 'assessment', intakeOfficerId],
    ]);
    clock.set(NOW);
  });

  it('records intake as started when an intake decision is taken on a complaint still received', async () => {
    clock.set(NOW);
    const id = await complainOnline();
    clock.set(new Date('2026-06-11T10:00:00Z'));
    await intake.post(`/staff/complaints/${id}/intake`, { action: 'premature', reason: 'Stage 2 still running' });
    const history = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select(['from_status', 'to_status', 'reason', 'changed_by', 'changed_at'])
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .orderBy('seq')
      .execute();
    expect(history.map((h) => [h.from_status, h.to_status, h.reason, h.changed_by])).toEqual([
      [null, 'received', 'Received through the online form', null],
      ['received', 'intake', 'Intake checks started', intakeOfficerId],
      ['intake', 'closed', 'Stage 2 still running', intakeOfficerId],
    ]);
    expect(history[1]?.changed_at).toEqual(new Date('2026-06-11T10:00:00Z'));
    // Newest first on the timeline: the closure above the start of intake made in the same instant.
    const statusChanges = await intake.get(
      `/staff/complaints/${id}/history?kind=complaint&kind=assessment&kind=closure`,
    );
    expect(timelineOf(statusChanges.body).map((e) => e.label)).toEqual([
      'Complaint received',
      'Moved to intake',
      'Closed: Premature: referred back to the authority',
    ]);
    clock.set(NOW);
  });

  it('starts a complaint an intake officer records at intake, in one recorded step', async () => {
    const res = await intake.post('/staff/complaints/new', staffForm());
    const id = caseIdFrom(res.headers.location) ?? '';
    const history = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select(['from_status', 'to_status', 'reason', 'changed_by'])
      .where('complaint_id', '=', id)
      .execute();
    expect(history).toEqual([
      { from_status: null, to_status: 'intake', reason: 'Received by letter', changed_by: intakeOfficerId },
    ]);
    const page = await intake.get(`/staff/complaints/${id}`);
    expect(page.body).toContain('Record intake decision');
    expect(page.body).not.toContain('Start intake checks');
  });

  it('passes a case still at intake through assessment when it is assessed, each step with who, when and why', async () => {
    clock.set(NOW);
    const investigatorId = (await createUser(t.services, { role: 'investigator', displayName: 'Ivo Investigator' })).id;
    const id = caseIdFrom((await intake.post('/staff/complaints/new', staffForm())).headers.location) ?? '';
    clock.set(new Date('2026-06-15T11:00:00Z'));
    const assessed = await intake.post(`/staff/complaints/${id}/assessment`, {
      outcome: 'investigate',
      investigatorId,
    });
    expect(assessed.headers.location).toBe(`/staff/complaints/${id}`);

    const history = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select(['from_status', 'to_status', 'reason', 'changed_by', 'changed_by_type', 'changed_at'])
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .orderBy('seq')
      .execute();
    expect(history.map((h) => [h.from_status, h.to_status, h.reason, h.changed_by, h.changed_by_type])).toEqual([
      [null, 'intake', 'Received by letter', intakeOfficerId, 'user'],
      ['intake', 'assessment', 'Assessment started', intakeOfficerId, 'user'],
      ['assessment', 'investigation', 'Investigate', intakeOfficerId, 'user'],
    ]);
    expect(history[1]?.changed_at).toEqual(new Date('2026-06-15T11:00:00Z'));
    const timeline = timelineOf(
      (await intake.get(`/staff/complaints/${id}/history?kind=complaint&kind=assessment`)).body,
    );
    expect(timeline).toEqual([
      {
        label: 'Complaint received',
        by: 'by Intake and assessment officer (Iris Intake)',
        at: NOW.toISOString(),
        text: 'Received by letter',
      },
      {
        label: 'Moved to assessment',
        by: 'by Intake and assessment officer (Iris Intake)',
        at: '2026-06-15T11:00:00.000Z',
        text: 'Assessment started',
      },
      {
        label: 'Moved to investigation',
        by: 'by Intake and assessment officer (Iris Intake)',
        at: '2026-06-15T11:00:00.000Z',
        text: 'Investigate',
      },
    ]);

    // It has left the assessment queue and is listed under investigation, not assessment.
    const row = await t.db.kysely
      .selectFrom('complaints')
      .select(['status', 'assessment_started_at', 'investigator_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      status: 'investigation',
      assessment_started_at: new Date('2026-06-15T11:00:00Z'),
      investigator_id: investigatorId,
    });
    expect((await intake.get('/staff/assessment?limit=100')).body).not.toContain(id);
    expect((await intake.get('/staff/complaints?status=investigation&limit=100')).body).toContain(id);
    expect((await intake.get('/staff/complaints?status=assessment&limit=100')).body).not.toContain(id);
    clock.set(NOW);
  });

  it('passes a complaint from the public form through intake and assessment when it is assessed still received, first shown as the online form', async () => {
    clock.set(NOW);
    const id = await complainOnline();
    clock.set(new Date('2026-06-16T09:30:00Z'));
    await intake.post(`/staff/complaints/${id}/assessment`, {
      outcome: 'not-investigate',
      reason: 'No significant injustice',
    });
    const timeline = timelineOf(
      (await intake.get(`/staff/complaints/${id}/history?kind=complaint&kind=assessment&kind=closure`)).body,
    );
    expect(timeline.map((e) => [e.label, e.by, e.text])).toEqual([
      ['Complaint received', 'by Online form', 'Received through the online form'],
      ['Moved to intake', 'by Intake and assessment officer (Iris Intake)', 'Intake checks started'],
      ['Moved to assessment', 'by Intake and assessment officer (Iris Intake)', 'Assessment started'],
      ['Closed: Not investigated', 'by Intake and assessment officer (Iris Intake)', 'No significant injustice'],
    ]);
    const types = await t.db.kysely
      .selectFrom('complaint_status_history')
      .select('changed_by_type')
      .where('complaint_id', '=', id)
      .orderBy('changed_at')
      .orderBy('seq')
      .execute();
    expect(types.map((h) => h.changed_by_type)).toEqual(['public-form', 'user', 'user', 'user']);
    clock.set(NOW);
  });
});
