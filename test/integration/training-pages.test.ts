import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';

const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let t: TestApp;
let lead: TestClient;
let portal: TestClient;
let visitor: TestClient;
let authorityId: string;

const location = (r: { headers: Record<string, unknown> }) =>
  typeof r.headers.location === 'string' ? r.headers.location : '';

beforeAll(async () => {
  t = await createTestApp({ clock });
  authorityId = await createAuthority(t.db, { name: 'Borough of Testham' });
  const leadUser = await createUser(t.services, { role: 'relationship-lead' });
  lead = new TestClient(t.app).withSession(await createSession(t.db, leadUser.id, clock.now()));
  const officer = await createUser(t.services, { role: 'link-officer', authorityId });
  portal = new TestClient(t.app).withSession(await createSession(t.db, officer.id, clock.now()));
  visitor = new TestClient(t.app);
});

afterAll(async () => {
  await t.close();
});

describe('training pages', () => {
  let courseId = '';
  let sessionId = '';

  it('lets the relationship lead create a course, refusing a course with no audience', async () => {
    const refused = await lead.post('/staff/training/courses', {
      title: 'Complaint handling',
      format: 'online',
      description: 'Words',
      price: '0',
      published: 'yes',
    });
    expect(location(refused)).toBe('/staff/training/courses/new');
    const form = await lead.get('/staff/training/courses/new');
    expect(form.body).toContain('Select who the course is for');

    const created = await lead.post('/staff/training/courses', {
      title: 'Complaint handling',
      audiences: ['councils', 'care-providers'],
      format: 'online',
      description: 'A course about **complaints**.',
      price: '45.50',
      published: 'yes',
    });
    courseId = location(created).split('/').pop() ?? '';
    const page = await lead.get(`/staff/training/courses/${courseId}`);
    expect(page.body).toContain('<strong>complaints</strong>');
    expect(page.body).toContain('£45.50');
  });

  it('adds a session in London time and refuses one that ends before it starts', async () => {
    const base = { 'date-day': '29', 'date-month': '3', 'date-year': '2027', capacity: '2', trainerId: '' };
    const bad = await lead.post(`/staff/training/courses/${courseId}/sessions`, {
      ...base,
      startTime: '10:00',
      endTime: '09:00',
    });
    expect(location(bad)).toBe(`/staff/training/courses/${courseId}/sessions/new`);
    expect((await lead.get(location(bad))).body).toContain('The end must be after the start');
    const made = await lead.post(`/staff/training/courses/${courseId}/sessions`, {
      ...base,
      startTime: '10:00',
      endTime: '13:00',
    });
    sessionId = location(made).split('/').pop() ?? '';
    const page = await lead.get(`/staff/training/sessions/${sessionId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('29 March 2027, 10am to 1pm');
  });

  it('lists the course publicly, filtered by audience', async () => {
    const all = await visitor.get('/training?audience=care-providers');
    expect(all.body).toContain('Complaint handling');
    expect(all.body).toContain('2 places left');
    const none = await visitor.get('/training?audience=councillors');
    expect(none.body).not.toContain('Complaint handling');
    expect((await visitor.get('/training?audience=nonsense')).statusCode).toBe(200);
  });

  it('books from the portal, and refuses the same email twice with a message', async () => {
    const booked = await portal.post(`/portal/training/sessions/${sessionId}/book`, {
      name: 'Ann Other',
      email: 'ann@testham.example',
    });
    expect(location(booked)).toBe('/portal/training');
    expect((await portal.get('/portal/training')).body).toContain('Ann Other is booked');
    const again = await portal.post(`/portal/training/sessions/${sessionId}/book`, {
      name: 'Ann Other',
      email: 'ann@testham.example',
    });
    expect(location(again)).toBe(`/portal/training/sessions/${sessionId}/book`);
    expect((await portal.get(location(again))).body).toContain('ann@testham.example is already booked on this session');
  });

  it('takes a public booking only with a name, an email and an organisation', async () => {
    const refused = await visitor.post(`/training/sessions/${sessionId}/book`, {
      name: '',
      email: 'not-an-email',
      organisation: '',
    });
    const page = await visitor.get(location(refused));
    expect(page.body).toContain('Enter the full name of the person attending');
    expect(page.body).toContain('Enter an email address in the correct format');
    const ok = await visitor.post(`/training/sessions/${sessionId}/book`, {
      name: 'Carol Care',
      email: 'carol@sunrise.example',
      organisation: 'Sunrise Care',
    });
    expect(location(ok)).toBe(`/training/sessions/${sessionId}/check-email`);
    expect((await visitor.get(location(ok))).body).toContain('Check your email');
  });

  it('changes a session from its form, shown as it is', async () => {
    const form = await lead.get(`/staff/training/sessions/${sessionId}/edit`);
    expect(form.body).toContain('value="10:00"');
    const saved = await lead.post(`/staff/training/sessions/${sessionId}`, {
      'date-day': '29',
      'date-month': '3',
      'date-year': '2027',
      startTime: '10:00',
      endTime: '13:00',
      capacity: '3',
      trainerId: '',
    });
    expect(location(saved)).toBe(`/staff/training/sessions/${sessionId}`);
    expect((await lead.get(location(saved))).body).toContain('1 booked, 0 offered, of 3');
  });

  it('keeps the register once the session has started', async () => {
    const early = await lead.post(`/staff/training/sessions/${sessionId}/register`, {});
    expect((await lead.get(location(early))).body).toContain('Attendance can be marked once the session has started');
    clock.set(new Date('2027-03-29T12:00:00Z'));
    try {
      const leadUser = await createUser(t.services, { role: 'relationship-lead' });
      const later = new TestClient(t.app).withSession(await createSession(t.db, leadUser.id, clock.now()));
      const page = await later.get(`/staff/training/sessions/${sessionId}/register`);
      const field = /name="(attendance-[0-9a-f-]{36})"/.exec(page.body)?.[1] ?? '';
      const saved = await later.post(`/staff/training/sessions/${sessionId}/register`, { [field]: 'attended' });
      expect((await later.get(location(saved))).body).toContain('The register is saved (1 change)');
      const wrong = await later.post(`/staff/training/sessions/${sessionId}/register`, { [field]: 'maybe' });
      expect((await later.get(location(wrong))).body).toContain('Select attended or did not attend');
    } finally {
      clock.set(new Date('2027-03-01T09:00:00Z'));
    }
  });

  it('says clearly when a confirmation link is not valid', async () => {
    const page = await visitor.get(`/training/confirm/${'x'.repeat(43)}`);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link is not valid');
  });

  it('shows the authority its history and keeps the staff pages from the portal', async () => {
    expect((await portal.get('/staff/training')).statusCode).toBe(403);
    expect((await lead.get('/staff/training/invite')).statusCode).toBe(200);
    const csv = await lead.get('/staff/training/finance.csv?month=2027-03');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('Ann Other');
    const staffPage = await lead.get(`/staff/authorities/${authorityId}`);
    expect(staffPage.body).toContain('Complaint handling');
    expect(staffPage.body).toContain('1 booked: Ann Other');
    const portalPage = await portal.get('/portal/authority');
    expect(portalPage.body).toContain('1 booked: Ann Other');
  });
});
