import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';

let t: TestApp;
let reader: TestClient;
const ACTOR = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';

async function insertEvent(at: string, action: string, recordType: string, recordId: string, actorId: string | null) {
  await t.db.kysely
    .insertInto('audit_events')
    .values({
      occurred_at: at,
      actor_type: actorId ? 'user' : 'system',
      actor_id: actorId,
      actor_role: actorId ? 'investigator' : null,
      action,
      record_type: recordType,
      record_id: recordId,
    })
    .execute();
}

beforeAll(async () => {
  t = await createTestApp();
  const { token } = await signedInAs(t.db, t.services, 'casework-manager');
  reader = new TestClient(t.app).withSession(token);
  // Summer time: 23:30 UTC on 14 June is 00:30 on 15 June in London.
  await insertEvent('2026-06-14T22:30:00Z', 'case.opened', 'case', 'c-1', ACTOR);
  await insertEvent('2026-06-14T23:30:00Z', 'case.closed', 'case', 'c-1', ACTOR);
  await insertEvent('2026-06-16T09:00:00Z', 'case.opened', 'case', 'c-2', null);
  for (let i = 0; i < 55; i++) {
    await insertEvent(`2026-01-05T10:${String(i).padStart(2, '0')}:00Z`, 'bulk.item', 'bulk', `b-${i}`, null);
  }
});
afterAll(async () => {
  await t.close();
});

const rowsOf = (html: string) => [...html.matchAll(/<code>([\w.-]+)<\/code>/g)].map((m) => m[1]);

describe('the audit log page', () => {
  it('lists events newest first with the actor’s role and London times', async () => {
    const res = await reader.get('/staff/audit?recordType=case');
    expect(res.statusCode).toBe(200);
    expect(rowsOf(res.body)).toEqual(['case.opened', 'case.closed', 'case.opened']);
    expect(res.body).toContain('User, Investigator');
    expect(res.body).toMatch(/<time datetime="2026-06-14T23:30:00.000Z">15 June 2026, 12:30am</);
  });

  it('filters by actor, record, action and London dates', async () => {
    expect(rowsOf((await reader.get(`/staff/audit?actor=${ACTOR}`)).body)).toEqual(['case.closed', 'case.opened']);
    expect(rowsOf((await reader.get('/staff/audit?recordType=case&recordId=c-2')).body)).toEqual(['case.opened']);
    expect(rowsOf((await reader.get('/staff/audit?action=case.closed')).body)).toEqual(['case.closed']);
    const day = await reader.get(
      '/staff/audit?recordType=case&from-day=15&from-month=6&from-year=2026&to-day=15&to-month=6&to-year=2026',
    );
    expect(rowsOf(day.body)).toEqual(['case.closed']);
    expect(day.body).toContain('value="15"');
    const none = await reader.get('/staff/audit?action=nothing.happened');
    expect(none.body).toContain('No events match these filters.');
  });

  it('pages by cursor, keeping the filters', async () => {
    const first = await reader.get('/staff/audit?action=bulk.item');
    expect(rowsOf(first.body)).toHaveLength(50);
    const next = /href="(\/staff\/audit\?[^"]*cursor=[^"]+)"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toContain('action=bulk.item');
    const second = await reader.get(next ?? '');
    expect(rowsOf(second.body)).toHaveLength(5);
    expect(second.body).toContain('b-4<');
    expect(second.body).not.toContain('b-5<');
    expect(first.body).toContain('b-54<');
  });

  it('shows the error summary for dates that are not real and an actor ID that is not one', async () => {
    const res = await reader.get(
      '/staff/audit?actor=bob&from-day=30&from-month=2&from-year=2026&to-day=1&to-month=&to-year=2026',
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain('Date from must be a real date');
    expect(res.body).toContain('href="#from-day"');
    expect(res.body).toContain('Date to must include a month');
    expect(res.body).toContain('href="#to-month"');
    expect(res.body).toContain('Enter the actor ID as it appears in the log');
    expect(res.body).toContain('value="30"');
    expect(res.body).not.toContain('<table');

    const backwards = await reader.get(
      '/staff/audit?from-day=2&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026',
    );
    expect(backwards.body).toContain('Date to must be the same as or after date from');
  });

  it('is refused to roles without audit:read, and a forged cursor is an error not a crash', async () => {
    const { token } = await signedInAs(t.db, t.services, 'investigator');
    expect((await new TestClient(t.app).withSession(token).get('/staff/audit')).statusCode).toBe(403);
    const forged = await reader.get('/staff/audit?cursor=abc');
    expect(forged.statusCode).toBe(400);
  });
});
