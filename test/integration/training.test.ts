import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { TrainingService, type SessionInput } from '../../src/modules/training/training.service.ts';
import { workingCalendar } from '../../src/platform/calendar/calendar.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority, createUser } from '../support/factories.ts';
import { createComplaint } from './correspondence.fixtures.ts';

const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let t: TestApp;
let training: TrainingService;
let lead: Actor;
let trainer: Actor;
let investigator: Actor;
let camden: string;
let hackney: string;
let linkOfficer: Actor;
let otherLinkOfficer: Actor;

const staffActor = (id: string, role: Actor['roles'][number]): Actor => ({
  type: 'user',
  id,
  roles: [role],
  authorityId: null,
});

beforeAll(async () => {
  t = await createTestApp({ clock });
  training = new TrainingService(t.db.kysely, clock, workingCalendar(), t.services.mail, {
    baseUrl: 'http://liaison.test',
    offerHours: 48,
    organiser: { name: 'Ombudsman training', email: 'training@ombudsman.example' },
  });
  const leadUser = await createUser(t.services, { role: 'relationship-lead' });
  const trainerUser = await createUser(t.services, { role: 'investigator', displayName: 'Tess Trainer' });
  lead = staffActor(leadUser.id, 'relationship-lead');
  trainer = staffActor(trainerUser.id, 'investigator');
  investigator = staffActor((await createUser(t.services, { role: 'investigator' })).id, 'investigator');
  camden = await createAuthority(t.db, { name: 'London Borough of Camden' });
  hackney = await createAuthority(t.db, { name: 'London Borough of Hackney' });
  const lo = await createUser(t.services, { role: 'link-officer', authorityId: camden });
  linkOfficer = { type: 'user', id: lo.id, roles: ['link-officer'], authorityId: camden };
  const other = await createUser(t.services, { role: 'link-officer', authorityId: hackney });
  otherLinkOfficer = { type: 'user', id: other.id, roles: ['link-officer'], authorityId: hackney };
});

afterAll(async () => {
  await t.close();
});

const course = (overrides: Partial<Parameters<TrainingService['createCourse']>[1]> = {}) =>
  training.createCourse(lead, {
    title: 'Effective complaint handling',
    audiences: ['councils', 'care-providers'],
    format: 'online',
    description: 'How to investigate a complaint well.',
    learningOutcomes: 'Plan an investigation',
    durationMinutes: 180,
    pricePence: 0,
    externalUrl: null,
    published: true,
    ...overrides,
  });

const sessionInput = (overrides: Partial<SessionInput> = {}): SessionInput => ({
  startsAt: new Date('2027-03-29T09:00:00Z'),
  endsAt: new Date('2027-03-29T12:00:00Z'),
  capacity: 2,
  bookingClosesAt: null,
  joiningInstructions: 'Join on the video link sent the day before.',
  venue: null,
  trainerId: trainer.id,
  authorityId: null,
  network: null,
  ...overrides,
});

const person = (name: string, extra: Partial<Parameters<TrainingService['book']>[2]> = {}) => ({
  name,
  email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.test`,
  organisation: null,
  jobRole: null,
  accessibilityNeeds: null,
  authorityId: null,
  purchaseOrder: null,
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const outbox = (kind: string) =>
  t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', kind).orderBy('created_at').execute();

const linkIn = (text: string, path: string) => {
  const match = new RegExp(`http://liaison\\.test${path}/([A-Za-z0-9_-]{43})`).exec(text);
  if (!match?.[1]) throw new Error(`no ${path} link in ${text}`);
  return match[1];
};

describe('courses and sessions', () => {
  it('lists published courses by audience and format, with their sessions and places', async () => {
    const id = await course({ title: 'Complaint handling for care providers', audiences: ['care-providers'] });
    await course({
      title: 'Councillors’ eLearning',
      audiences: ['councillors'],
      format: 'elearning',
      externalUrl: 'https://learn.example/councillors',
    });
    await course({ title: 'Draft course', published: false });
    await training.createSession(lead, id, sessionInput());
    const forCare = await training.publishedCourses({ audience: 'care-providers' });
    expect(forCare.map((c) => c.course.title)).toContain('Complaint handling for care providers');
    expect(forCare.map((c) => c.course.title)).not.toContain('Councillors’ eLearning');
    const elearning = await training.publishedCourses({ format: 'elearning' });
    expect(elearning.map((c) => c.course.title)).toEqual(['Councillors’ eLearning']);
    const listed = forCare.find((c) => c.course.id === id);
    expect(listed?.sessions[0]?.placesLeft).toBe(2);
    expect((await training.publishedCourses({})).map((c) => c.course.title)).not.toContain('Draft course');
  });

  it('refuses a session ending before it starts, an eLearning session, and staff without the permission', async () => {
    const id = await course();
    const bad = await refusal(
      training.createSession(lead, id, sessionInput({ endsAt: new Date('2027-03-29T08:00:00Z') })),
    );
    expect(bad.fields).toContainEqual({ field: 'endsAt', message: 'The end must be after the start' });
    const el = await course({ format: 'elearning', externalUrl: 'https://learn.example/x' });
    expect((await refusal(training.createSession(lead, el, sessionInput()))).fields[0]?.message).toMatch(/no sessions/);
    expect((await refusal(training.createSession(investigator, id, sessionInput()))).code).toBe('forbidden');
    const noLink = await refusal(course({ format: 'elearning' }));
    expect(noLink.fields[0]?.field).toBe('externalUrl');
  });
});

describe('booking places', () => {
  it('never books more than the capacity when places are booked at once, and queues the rest in order', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput({ capacity: 5 }));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => training.book(lead, sessionId, person(`Attendee ${i}`))),
    );
    expect(results.filter((r) => r.status === 'confirmed')).toHaveLength(5);
    const waiting = results.filter((r) => r.status === 'waitlisted').sort((a, b) => a.position - b.position);
    expect(waiting).toHaveLength(25);
    expect(waiting.map((r) => r.position)).toEqual(Array.from({ length: 25 }, (_, i) => i + 6));
    expect(await training.sessionCounts(lead, sessionId)).toEqual({
      capacity: 5,
      confirmed: 5,
      offered: 0,
      waitlisted: 25,
    });
  });

  it('places bookings arriving together, each with its own message and audit row, and refuses an address twice among them', async () => {
    const id = await course({ title: 'Together course' });
    const sessionId = await training.createSession(lead, id, sessionInput({ capacity: 2 }));
    const settled = await Promise.allSettled(
      ['Gil One', 'Gil Two', 'Gil Three', 'Gil One'].map((name) => training.book(linkOfficer, sessionId, person(name))),
    );
    const placed = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(placed.map((p) => [p.status, p.position])).toEqual([
      ['confirmed', 1],
      ['confirmed', 2],
      ['waitlisted', 3],
    ]);
    const refused = settled[3];
    expect(refused?.status === 'rejected' && refused.reason instanceof DomainError && refused.reason.message).toBe(
      'gil.one@example.test is already booked on this session',
    );
    const booked = (await outbox('training-booked')).filter((m) => m.subject.includes('Together course'));
    expect(booked.map((m) => m.to_address).sort()).toEqual(['gil.one@example.test', 'gil.two@example.test']);
    const files = await t.db.kysely
      .selectFrom('outbox_attachments')
      .select(['outbox_message_id', 'filename'])
      .where(
        'outbox_message_id',
        'in',
        booked.map((m) => m.id),
      )
      .execute();
    expect(files.map((f) => f.filename)).toEqual(['session.ics', 'session.ics']);
    const waiting = (await outbox('training-waitlisted')).filter((m) => m.to_address === 'gil.three@example.test');
    expect(waiting[0]?.text_body).toContain('number 3 in order of booking');
    const audited = await t.db.kysely
      .selectFrom('audit_events')
      .select(['record_id', 'actor_role', 'authority_id'])
      .where('action', '=', 'training-booking.placed')
      .where(
        'record_id',
        'in',
        placed.map((p) => p.id),
      )
      .execute();
    expect(audited).toHaveLength(3);
    expect(audited.every((a) => a.actor_role === 'link-officer' && a.authority_id === camden)).toBe(true);
  });

  it('keeps the capacity and one booking an address when two web processes place bookings at once', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput({ capacity: 4 }));
    const other = new TrainingService(t.db.kysely, clock, workingCalendar(), t.services.mail, {
      baseUrl: 'http://liaison.test',
      offerHours: 48,
      organiser: { name: 'Ombudsman training', email: 'training@ombudsman.example' },
    });
    const settled = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => training.book(lead, sessionId, person(`First ${i}`))),
      ...Array.from({ length: 8 }, (_, i) => other.book(lead, sessionId, person(`Second ${i}`))),
      training.book(lead, sessionId, person('Both Ways')),
      other.book(lead, sessionId, person('Both Ways')),
    ]);
    const placed = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(placed).toHaveLength(17);
    expect(settled.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(placed.filter((p) => p.status === 'confirmed')).toHaveLength(4);
    expect(placed.map((p) => p.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(placed.filter((p) => p.status === 'confirmed').every((p) => p.position <= 4)).toBe(true);
    expect(await training.sessionCounts(lead, sessionId)).toEqual({
      capacity: 4,
      confirmed: 4,
      offered: 0,
      waitlisted: 13,
    });
  });

  it('refuses the same email twice, another authority, a closed session and a capacity below the places booked', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput());
    await training.book(linkOfficer, sessionId, person('Ada Camden'));
    const twice = await refusal(training.book(linkOfficer, sessionId, person('Ada Camden')));
    expect(twice.fields).toContainEqual({
      field: 'email',
      message: 'ada.camden@example.test is already booked on this session',
    });
    const other = await refusal(training.book(otherLinkOfficer, sessionId, person('Bob', { authorityId: camden })));
    expect(other.message).toBe('An authority books places only for its own people');
    await training.book(linkOfficer, sessionId, person('Cy Camden'));
    const shrink = await refusal(training.updateSession(lead, sessionId, sessionInput({ capacity: 1 })));
    expect(shrink.fields[0]?.message).toBe('The capacity cannot be below the 2 places already booked or offered');
    const closing = await training.createSession(
      lead,
      id,
      sessionInput({ bookingClosesAt: new Date('2027-03-02T17:00:00Z') }),
    );
    clock.set(new Date('2027-03-03T09:00:00Z'));
    try {
      expect((await refusal(training.book(linkOfficer, closing, person('Late')))).message).toBe(
        'Booking for this session has closed',
      );
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
    const counts = await training.sessionCounts(lead, sessionId);
    expect(counts.confirmed).toBe(2);
  });

  it('keeps an in-house session to its own authority', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput({ authorityId: camden }));
    await training.book(linkOfficer, sessionId, person('In House'));
    const refused = await refusal(training.book(otherLinkOfficer, sessionId, person('Outsider')));
    expect(refused.message).toBe('This session is only for the staff of the authority it is run for');
    expect((await training.publishedCourses({})).flatMap((c) => c.sessions).map((s) => s.id)).not.toContain(sessionId);
  });

  it('sends a confirmation with a calendar file to each person booked', async () => {
    const id = await course({ title: 'Calendar course' });
    const sessionId = await training.createSession(lead, id, sessionInput());
    const { id: bookingId } = await training.book(linkOfficer, sessionId, person('Dee Calendar'));
    const [mail] = (await outbox('training-booked')).filter((m) => m.to_address === 'dee.calendar@example.test');
    expect(mail?.subject).toBe('Booking confirmed: Calendar course, 29 March 2027');
    expect(mail?.text_body).toContain('29 March 2027, 10am to 1pm');
    const attachments = await t.db.kysely
      .selectFrom('outbox_attachments')
      .selectAll()
      .where('outbox_message_id', '=', mail?.id ?? '')
      .execute();
    expect(attachments[0]?.filename).toBe('session.ics');
    expect(Buffer.from(attachments[0]?.content ?? []).toString('utf8')).toContain('DTSTART:20270329T090000Z');
    expect(bookingId).toBeTruthy();
  });
});

describe('the public site, the waiting list and offers', () => {
  it('holds a public booking only once its link is opened, and the link works once', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput({ capacity: 1 }));
    await training.book(linkOfficer, sessionId, person('First Camden'));
    await training.requestPublicBooking(sessionId, person('Carol Care', { organisation: 'Sunrise Care Homes' }));
    expect((await training.sessionCounts(lead, sessionId)).waitlisted).toBe(0);
    const [mail] = (await outbox('training-confirm-booking')).filter((m) => m.to_address === 'carol.care@example.test');
    const token = linkIn(mail?.text_body ?? '', '/training/confirm');
    const placed = await training.confirmPublicBooking(token);
    expect(placed.status).toBe('waitlisted');
    expect((await refusal(training.confirmPublicBooking(token))).message).toMatch(/already been used/);
    expect((await training.sessionCounts(lead, sessionId)).waitlisted).toBe(1);
  });

  it('refuses an expired confirmation link and lets the person book again', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput());
    await training.requestPublicBooking(sessionId, person('Slow Reader'));
    const [mail] = (await outbox('training-confirm-booking')).filter(
      (m) => m.to_address === 'slow.reader@example.test',
    );
    const token = linkIn(mail?.text_body ?? '', '/training/confirm');
    clock.set(new Date('2027-03-02T10:00:00Z'));
    try {
      expect((await refusal(training.confirmPublicBooking(token))).message).toMatch(/expired/);
      await training.requestPublicBooking(sessionId, person('Slow Reader'));
      expect((await refusal(training.confirmPublicBooking(token))).message).toMatch(/expired/);
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
  });

  it('offers a cancelled place to the first waiting, who may accept; an offer not taken moves on', async () => {
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput({ capacity: 1 }));
    const booked = await training.book(linkOfficer, sessionId, person('Holder Camden'));
    await training.book(lead, sessionId, person('Wait One'));
    await training.book(lead, sessionId, person('Wait Two'));
    await training.cancelBooking(linkOfficer, booked.id);
    const offers = (await outbox('training-offer')).filter((m) => m.to_address === 'wait.one@example.test');
    expect(offers).toHaveLength(1);
    expect(offers[0]?.text_body).toContain('held for you until 3 March 2027, 9am');
    expect(await training.sessionCounts(lead, sessionId)).toMatchObject({ confirmed: 0, offered: 1, waitlisted: 1 });

    // Wait One lets the offer lapse: the sweep offers it to Wait Two, who accepts.
    clock.set(new Date('2027-03-03T09:05:00Z'));
    try {
      expect(await training.sweepOffers()).toEqual({ lapsed: 1, offered: 1 });
      const token = linkIn(offers[0]?.text_body ?? '', '/training/offers');
      expect((await refusal(training.answerOffer(token, true))).message).toMatch(/expired or been declined/);
      const [second] = (await outbox('training-offer')).filter((m) => m.to_address === 'wait.two@example.test');
      const secondToken = linkIn(second?.text_body ?? '', '/training/offers');
      expect(await training.answerOffer(secondToken, true)).toBe('confirmed');
      expect((await refusal(training.answerOffer(secondToken, true))).message).toBe(
        'You have already accepted this place',
      );
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
    expect(await training.sessionCounts(lead, sessionId)).toMatchObject({ confirmed: 1, offered: 0, waitlisted: 0 });
  });
});

describe('on the day and after', () => {
  it('lets the trainer mark attendance; only those who attended get a certificate and give feedback', async () => {
    const id = await course({ title: 'Register course' });
    const sessionId = await training.createSession(lead, id, sessionInput());
    const came = await training.book(linkOfficer, sessionId, person('Came Camden'));
    const stayed = await training.book(linkOfficer, sessionId, person('Stayed Away'));
    const early = await refusal(training.markAttendance(trainer, sessionId, new Map([[came.id, 'attended']])));
    expect(early.fields[0]?.message).toBe('Attendance can be marked once the session has started');
    clock.set(new Date('2027-03-29T12:30:00Z'));
    try {
      expect((await refusal(training.register(investigator, sessionId))).code).toBe('not-found');
      await training.markAttendance(
        trainer,
        sessionId,
        new Map([
          [came.id, 'attended'],
          [stayed.id, 'no-show'],
        ]),
      );
      const [mail] = (await outbox('training-attended')).filter((m) => m.to_address === 'came.camden@example.test');
      const token = linkIn(mail?.text_body ?? '', '/training/attendance');
      const { pdf } = await training.certificate({ token });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const none = await refusal(training.certificate({ actor: linkOfficer, bookingId: stayed.id }));
      expect(none.message).toBe('A certificate is given only to those the register shows attended the session');
      await training.giveFeedback(token, { rating: 4, comments: 'Useful' });
      expect((await refusal(training.giveFeedback(token, { rating: 5, comments: '' }))).fields[0]?.message).toBe(
        'You have already given your feedback on this session',
      );
      expect((await training.courseFeedback(lead, id)).average).toBe(4);
      const history = await training.authorityHistory(lead, camden);
      expect(history.rows.find((r) => r.session_id === sessionId)).toMatchObject({ booked: 2, attended: 1 });
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
  });

  it('reminds people two working days before, once', async () => {
    const id = await course();
    // Monday 15 March 2027: reminded from Thursday 11 March.
    const sessionId = await training.createSession(
      lead,
      id,
      sessionInput({ startsAt: new Date('2027-03-15T10:00:00Z'), endsAt: new Date('2027-03-15T12:00:00Z') }),
    );
    await training.book(linkOfficer, sessionId, person('Remind Me'));
    const mine = async () =>
      (await outbox('training-reminder')).filter((m) => m.to_address === 'remind.me@example.test');
    clock.set(new Date('2027-03-10T08:00:00Z'));
    try {
      await training.sweepReminders();
      expect(await mine()).toHaveLength(0);
      clock.set(new Date('2027-03-11T08:00:00Z'));
      await training.sweepReminders();
      await training.sweepReminders();
      expect(await mine()).toHaveLength(1);
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
  });

  it('exports the places to invoice on paid courses as CSV', async () => {
    const id = await course({ title: 'Paid course', pricePence: 12500 });
    const sessionId = await training.createSession(lead, id, sessionInput());
    await training.book(linkOfficer, sessionId, person('Paying Camden', { purchaseOrder: 'PO-7781' }));
    const csv = await training.financeCsv(lead, new Date('2027-03-01T00:00:00Z'), new Date('2027-04-01T00:00:00Z'));
    expect(csv).toContain(
      '29 March 2027,Paid course,London Borough of Camden,Paying Camden,paying.camden@example.test,PO-7781,£125.00,125.00',
    );
    expect((await refusal(training.financeCsv(investigator, new Date(), new Date()))).code).toBe('forbidden');
  });
});

describe('cancelling a session', () => {
  it('tells everyone booked or waiting, with a cancelled calendar entry, and takes no more bookings', async () => {
    const id = await course({ title: 'Cancelled course' });
    const sessionId = await training.createSession(lead, id, sessionInput({ capacity: 1 }));
    await training.book(linkOfficer, sessionId, person('Booked Before'));
    await training.book(linkOfficer, sessionId, person('Waiting Before'));
    expect(await training.cancelSession(lead, sessionId)).toBe(2);
    const notices = (await outbox('training-session-cancelled')).filter((m) =>
      ['booked.before@example.test', 'waiting.before@example.test'].includes(m.to_address),
    );
    expect(notices).toHaveLength(2);
    const [attachment] = await t.db.kysely
      .selectFrom('outbox_attachments')
      .selectAll()
      .where('outbox_message_id', '=', notices[0]?.id ?? '')
      .execute();
    expect(Buffer.from(attachment?.content ?? []).toString('utf8')).toContain('METHOD:CANCEL');
    expect((await refusal(training.book(linkOfficer, sessionId, person('After')))).message).toBe(
      'This session has been cancelled',
    );
    expect(await training.sessionCounts(lead, sessionId)).toMatchObject({ confirmed: 0, waitlisted: 0 });
  });
});

describe('authorities to invite', () => {
  async function faultFound(authorityId: string) {
    const complaint = await createComplaint(t.db, authorityId);
    await t.db.kysely
      .insertInto('final_decisions')
      .values({
        complaint_id: complaint.id,
        authority_id: authorityId,
        form: 'decision',
        outcome: 'upheld-injustice',
        statement: 'We found fault causing injustice.',
        decided_at: new Date('2027-01-10T10:00:00Z'),
        decided_on: '2027-01-10',
        review_due_on: '2027-02-07',
        complainant_token_hash: `hash-${complaint.id}`,
      })
      .execute();
  }

  it('lists authorities with fault found and nobody trained in two years, and no others', async () => {
    const untrained = await createAuthority(t.db, { name: 'Untrained Borough Council' });
    const trained = await createAuthority(t.db, { name: 'Trained Borough Council' });
    const clean = await createAuthority(t.db, { name: 'Blameless Borough Council' });
    await faultFound(untrained);
    await faultFound(trained);
    const id = await course();
    const sessionId = await training.createSession(lead, id, sessionInput());
    const booked = await training.book(lead, sessionId, person('Trained Person', { authorityId: trained }));
    clock.set(new Date('2027-03-29T12:30:00Z'));
    try {
      await training.markAttendance(trainer, sessionId, new Map([[booked.id, 'attended']]));
      const names = (await training.authoritiesToInvite(lead)).map((r) => r.authority_name);
      expect(names).toContain('Untrained Borough Council');
      expect(names).not.toContain('Trained Borough Council');
      expect(names).not.toContain('Blameless Borough Council');
      expect((await refusal(training.authoritiesToInvite(investigator))).code).toBe('forbidden');
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
    expect(clean).toBeTruthy();
  });
});
