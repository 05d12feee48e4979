import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority } from '../support/factories.ts';

const clock = new FixedClock(new Date('2027-03-01T09:00:00Z'));
let t: TestApp;
let camden: string;
let hackney: string;
const headers: Record<string, Record<string, string>> = {};

async function tokenFor(role: Role, authorityId: string | null = null) {
  const created = await t.services.apiTokens.createFromCommandLine({
    name: `t-${role}-${authorityId}`,
    role,
    authorityId,
  });
  return { authorization: `Bearer ${created.token}` };
}

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, who: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: headers[who] ?? {},
    ...(payload ? { payload: payload } : {}),
  });

beforeAll(async () => {
  t = await createTestApp({ clock });
  camden = await createAuthority(t.db, { name: 'Camden' });
  hackney = await createAuthority(t.db, { name: 'Hackney' });
  headers.lead = await tokenFor('relationship-lead');
  headers.investigator = await tokenFor('investigator');
  headers.camden = await tokenFor('link-officer', camden);
  headers.hackney = await tokenFor('link-officer', hackney);
});

afterAll(async () => {
  await t.close();
});

describe('the training API', () => {
  let sessionId = '';

  it('creates a course and a session, with problems for an end before the start', async () => {
    const refused = await call('POST', '/training/courses', 'investigator', {
      title: 'x',
      audience: ['councils'],
      format: 'online',
      description: 'd',
    });
    expect(refused.statusCode).toBe(403);
    const course = await call('POST', '/training/courses', 'lead', {
      title: 'Complaint handling',
      audience: ['councils', 'care-providers'],
      format: 'online',
      description: 'A course',
      pricePence: 4500,
    });
    expect(course.statusCode).toBe(201);
    const courseId = course.json<{ id: string }>().id;
    const backwards = await call('POST', `/training/courses/${courseId}/sessions`, 'lead', {
      startsAt: '2027-03-29T10:00:00+01:00',
      endsAt: '2027-03-29T09:00:00+01:00',
      capacity: 2,
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.headers['content-type']).toContain('application/problem+json');
    expect(backwards.body).toContain('The end must be after the start');
    const session = await call('POST', `/training/courses/${courseId}/sessions`, 'lead', {
      startsAt: '2027-03-29T10:00:00+01:00',
      endsAt: '2027-03-29T13:00:00+01:00',
      capacity: 2,
    });
    expect(session.statusCode).toBe(201);
    sessionId = session.json<{ id: string }>().id;
  });

  it('books places until the session is full, then waitlists, and refuses other authorities and repeats', async () => {
    const first = await call('POST', `/training/sessions/${sessionId}/bookings`, 'camden', {
      name: 'A',
      email: 'a@camden.example',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ status: 'confirmed' });
    const again = await call('POST', `/training/sessions/${sessionId}/bookings`, 'camden', {
      name: 'A',
      email: 'A@camden.example',
    });
    expect(again.statusCode).toBe(409);
    const other = await call('POST', `/training/sessions/${sessionId}/bookings`, 'hackney', {
      name: 'B',
      email: 'b@hackney.example',
      authorityId: camden,
    });
    expect(other.statusCode).toBe(403);
    expect(other.body).toContain('An authority books places only for its own people');
    await call('POST', `/training/sessions/${sessionId}/bookings`, 'lead', {
      name: 'C',
      email: 'c@care.example',
      organisation: 'Care',
    });
    const waiting = await call('POST', `/training/sessions/${sessionId}/bookings`, 'lead', {
      name: 'D',
      email: 'd@care.example',
    });
    expect(waiting.json()).toMatchObject({ status: 'waitlisted' });
    const counts = await call('GET', `/training/sessions/${sessionId}`, 'camden');
    expect(counts.json()).toEqual({ capacity: 2, confirmed: 2, offered: 0, waitlisted: 1 });

    const cancel = await call('DELETE', `/training/bookings/${first.json<{ id: string }>().id}`, 'camden');
    expect(cancel.statusCode).toBe(200);
    const after = await call('GET', `/training/sessions/${sessionId}`, 'lead');
    expect(after.json()).toEqual({ capacity: 2, confirmed: 1, offered: 1, waitlisted: 0 });
    const cancelledTwice = await call('DELETE', `/training/bookings/${first.json<{ id: string }>().id}`, 'camden');
    expect(cancelledTwice.statusCode).toBe(409);
    const notTheirs = await call('DELETE', `/training/bookings/${waiting.json<{ id: string }>().id}`, 'hackney');
    expect(notTheirs.statusCode).toBe(404);
  });
});
