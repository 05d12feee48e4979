import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import type { MailGateway } from '../../src/platform/mail/inbound.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { authorityWithOfficers, createComplaint, sendToGateway, startTestGateway } from './correspondence.fixtures.ts';

const DOMAIN = 'liaison.test';
const clock = new FixedClock(new Date('2027-03-01T10:00:00Z'));
const EMAIL = 'dana.vale@home.example';
let t: TestApp;
let sink: SmtpSink;
let gateway: MailGateway;
let manager: TestClient;
const tokens: Record<string, Record<string, string>> = {};
let caseA: { id: string; reference: string };
let caseB: { id: string; reference: string };
let officerId = '';
let officerEmail = '';
let managerId = '';

/** A browser signed in now (sessions last an hour of the test's clock). */
const signIn = async (userId: string) =>
  new TestClient(t.app).withSession(await createSession(t.db, userId, clock.now()));

async function tokenFor(role: Role) {
  const created = await t.services.apiTokens.createFromCommandLine({
    name: `conduct-${role}`,
    role,
    authorityId: null,
  });
  return { authorization: `Bearer ${created.token}` };
}

const api = (method: 'GET' | 'POST', url: string, who: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: tokens[who] ?? {}, ...(payload ? { payload } : {}) });

const count = async (table: 'conduct_records' | 'conduct_letters' | 'audit_events') =>
  (
    await t.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

async function personOf(complaintId: string): Promise<string> {
  const body = (await api('GET', `/complaints/${complaintId}`, 'manager')).json<{
    complainant: { personId: string };
  }>();
  return body.complainant.personId;
}

/** Sends what the outbox holds now, as the worker would. */
async function sendMail() {
  await t.services.correspondence.dispatchPending();
  await t.services.mailSender.sendDue();
}

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ clock, env: { SMTP_URL: sink.url, MAIL_DOMAIN: DOMAIN } });
  gateway = await startTestGateway(t, DOMAIN);
  const a = await authorityWithOfficers(t.db, { officers: 1 });
  caseA = await createComplaint(t.db, a.authorityId, EMAIL);
  caseB = await createComplaint(t.db, a.authorityId, EMAIL.toUpperCase());
  managerId = (await createUser(t.services, { role: 'casework-manager' })).id;
  manager = await signIn(managerId);
  tokens.manager = await tokenFor('casework-manager');
  tokens.investigator = await tokenFor('investigator');
  const officer = await createUser(t.services, { role: 'investigator', displayName: 'Olu Officer' });
  officerId = officer.id;
  officerEmail = officer.email;
});

afterAll(async () => {
  await gateway.close();
  t.services.mailSender.close();
  await t.close();
  await sink.close();
});

describe('a person across cases', () => {
  it('suggests the same email address, links after a side-by-side check, and audits linking and unlinking', async () => {
    const personA = await personOf(caseA.id);
    const personB = await personOf(caseB.id);
    expect(personA).not.toBe(personB);

    const page = await manager.get(`/staff/people/${personA}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Who may be the same person');
    expect(page.body).toContain(caseB.reference);

    const partyB = await t.db.kysely
      .selectFrom('complaint_parties')
      .select('id')
      .where('complaint_id', '=', caseB.id)
      .executeTakeFirstOrThrow();
    const compare = await manager.get(`/staff/people/${personA}/compare/${partyB.id}`);
    expect(compare.body).toContain('They share an email address');

    // Not confirmed: nothing is linked.
    const unchecked = await manager.post(`/staff/people/${personA}/link/${partyB.id}`, {});
    expect(unchecked.statusCode).toBe(303);
    expect(await personOf(caseB.id)).toBe(personB);
    const shown = await manager.get(unchecked.headers.location as string);
    expect(shown.body).toContain('Confirm that you have checked that these are the same person');

    const linked = await manager.post(`/staff/people/${personA}/link/${partyB.id}`, { checked: 'yes' });
    expect(linked.headers.location).toBe(`/staff/people/${personA}`);
    expect(await personOf(caseB.id)).toBe(personA);

    await manager.post(`/staff/people/${personA}/unlink/${partyB.id}`, {});
    const alone = await personOf(caseB.id);
    expect(alone).not.toBe(personA);
    await manager.post(`/staff/people/${personA}/link/${partyB.id}`, { checked: 'yes' });
    expect(await personOf(caseB.id)).toBe(personA);

    const audited = await t.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'actor_role'])
      .where('record_id', '=', personA)
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['person.linked', 'person.unlinked', 'person.linked']);
    expect(audited[0]?.actor_role).toBe('casework-manager');
  });
});

describe('warnings and restrictions', () => {
  let restrictionId = '';

  it('refuses bad input with a clear message and changes nothing', async () => {
    const person = await personOf(caseA.id);
    const before = [await count('conduct_records'), await count('conduct_letters')];
    const body = {
      kind: 'restriction',
      reason: 'Sixty calls in a week',
      channels: ['email'],
      reviewDate: '2027-08-01',
    };

    const investigator = await api('POST', `/people/${person}/restrictions`, 'investigator', body);
    expect(investigator.statusCode).toBe(403);
    const unknown = await api('POST', '/people/00000000-0000-4000-8000-000000000000/restrictions', 'manager', body);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('The person could not be found');
    const noWarning = await api('POST', `/people/${person}/restrictions`, 'manager', body);
    expect(noWarning.statusCode).toBe(400);
    expect(noWarning.body).toContain('Give a warning first');
    const past = await api('POST', `/people/${person}/restrictions`, 'manager', {
      ...body,
      kind: 'warning',
      reviewDate: '2027-02-01',
    });
    expect(past.body).toContain('The review date must be in the future');
    const far = await api('POST', `/people/${person}/restrictions`, 'manager', {
      ...body,
      kind: 'warning',
      reviewDate: '2028-03-02',
    });
    expect(far.body).toContain('no more than 12 months');
    const deactivated = await createUser(t.services, { role: 'investigator' });
    await t.db.kysely.updateTable('users').set({ status: 'deactivated' }).where('id', '=', deactivated.id).execute();
    const officer = await api('POST', `/people/${person}/restrictions`, 'manager', {
      ...body,
      staffSafetyRisk: true,
      noWarningReason: 'Threats',
      namedOfficerId: deactivated.id,
    });
    expect(officer.statusCode).toBe(400);
    expect(officer.body).toContain('Choose an active member of staff as the named officer');

    // The page form too: the error summary, nothing recorded.
    const sent = await manager.post(`/staff/people/${person}/conduct/new`, {
      kind: 'restriction',
      reason: 'Calls',
      channels: 'email',
    });
    const back = await manager.get(sent.headers.location as string);
    expect(back.body).toContain('There is a problem');
    expect(back.body).toContain('Give a warning first');
    expect([await count('conduct_records'), await count('conduct_letters')]).toEqual(before);
  });

  it('records a warning then a restriction to email only with a named officer; the letter reaches the person', async () => {
    const person = await personOf(caseA.id);
    const warning = await api('POST', `/people/${person}/restrictions`, 'manager', {
      kind: 'warning',
      reason: 'On 3, 5 and 9 February you called 20 times a day and shouted at staff.',
      reviewDate: '2027-09-01',
    });
    expect(warning.statusCode).toBe(201);
    await sendMail();
    await sink.waitFor(1);

    const restriction = await api('POST', `/people/${person}/restrictions`, 'manager', {
      kind: 'restriction',
      reason: 'The calls continued after our warning.',
      channels: ['email'],
      namedOfficerId: officerId,
      reviewDate: '2027-06-01',
    });
    expect(restriction.statusCode).toBe(201);
    const made = restriction.json<{ id: string; reviewDate: string; letterId: string }>();
    expect(made.reviewDate).toBe('2027-06-01');
    restrictionId = made.id;
    await sendMail();
    const mail = (await sink.waitFor(2)).find((m) => m.parsed.subject?.startsWith('Our decision to restrict'));
    expect(mail?.envelopeTo.map((a) => a.toLowerCase())).toEqual([EMAIL]);
    expect(mail?.parsed.text).toContain('Contact by email only');
    expect(mail?.parsed.text).toContain('One point of contact: Olu Officer');
    expect(mail?.parsed.text).toContain('1 June 2027');
    expect(mail?.parsed.text).toContain('right to complain');
    expect(mail?.parsed.attachments[0]?.contentType).toBe('application/pdf');

    // Recorded on both open cases of the person.
    const cases = await t.db.kysely
      .selectFrom('conduct_letter_cases')
      .select('complaint_id')
      .where('letter_id', '=', made.letterId)
      .execute();
    expect(cases.map((c) => c.complaint_id).sort()).toEqual([caseA.id, caseB.id].sort());
    const history = await manager.get(`/staff/complaints/${caseB.id}/history`);
    expect(history.body).toContain('Contact restriction: letter to the person');
  });

  it('shows the marker on both cases, in the case list and in the API', async () => {
    for (const c of [caseA, caseB]) {
      const page = await manager.get(`/staff/complaints/${c.id}`);
      expect(page.body).toContain('Contact with this person is restricted');
      expect(page.body).toContain('Contact by email only');
      const detail = (await api('GET', `/complaints/${c.id}`, 'manager')).json<{
        restriction: { id: string; terms: string[] };
      }>();
      expect(detail.restriction.id).toBe(restrictionId);
      expect(detail.restriction.terms).toContain('One point of contact: Olu Officer');
    }
    const list = await manager.get(`/staff/complaints?reference=${encodeURIComponent(caseA.reference)}`);
    expect(list.body).toContain('Contact restricted');
  });

  it('files an email from the person to the case, flags it, and sends nothing back', async () => {
    // The case the letter went out on has the person's thread and its reply address.
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .select(['reply_token', 'complaint_id'])
      .where('complaint_id', 'in', [caseA.id, caseB.id])
      .where('audience', '=', 'complainant')
      .executeTakeFirstOrThrow();
    const onCase = thread.complaint_id;
    const outboxBefore = await t.db.kysely
      .selectFrom('outbox_messages')
      .select('id')
      .where('to_address', '=', EMAIL)
      .execute();
    await sendToGateway(gateway, {
      from: EMAIL,
      to: `case+${thread.reply_token}@${DOMAIN}`,
      subject: 'I want to speak to someone',
      text: 'Call me today.',
    });
    const contact = await t.db.kysely
      .selectFrom('conduct_contacts')
      .select(['flags', 'item_id'])
      .where('complaint_id', '=', onCase)
      .executeTakeFirstOrThrow();
    expect(contact.flags).toEqual(['not-to-named-officer']);
    const item = await t.db.kysely
      .selectFrom('correspondence_items')
      .select('subject')
      .where('id', '=', contact.item_id as string)
      .executeTakeFirstOrThrow();
    expect(item.subject).toBe('I want to speak to someone');
    await sendMail();
    const outboxAfter = await t.db.kysely
      .selectFrom('outbox_messages')
      .select('id')
      .where('to_address', '=', EMAIL)
      .execute();
    expect(outboxAfter.length).toBe(outboxBefore.length);
    const tab = await manager.get(`/staff/complaints/${onCase}/contact`);
    expect(tab.body).toContain('Received outside the restriction: not sent to their named officer');

    // Written to the named officer: within the restriction.
    await sendToGateway(gateway, {
      from: EMAIL,
      to: [officerEmail, `case+${thread.reply_token}@${DOMAIN}`],
      subject: 'To my officer',
      text: 'Hello.',
    });
    const officerClient = await signIn(officerId);
    const queue = await officerClient.get('/staff/contacts');
    expect(queue.body).toContain('To my officer');
    expect(queue.body).toContain('Within the restriction');
  });

  it('reminds the manager before the review, shows it overdue, and lifting takes the marker away', async () => {
    const sentBefore = sink.messages.length;
    expect(await t.services.conduct.remindReviewsDue()).toBe(0);
    clock.set(new Date('2027-05-20T08:00:00Z'));
    expect(await t.services.conduct.remindReviewsDue()).toBe(1);
    expect(await t.services.conduct.remindReviewsDue()).toBe(0);
    await sendMail();
    const reminder = (await sink.waitFor(sentBefore + 1)).find((m) => m.parsed.subject?.startsWith('Review due'));
    expect(reminder?.parsed.text).toContain(`/staff/restrictions/${restrictionId}`);

    clock.set(new Date('2027-06-03T08:00:00Z'));
    manager = await signIn(managerId);
    const list = await manager.get('/staff/restrictions');
    expect(list.body).toContain('Reviews overdue');
    const marker = await manager.get(`/staff/complaints/${caseA.id}`);
    expect(marker.body).toContain('Review overdue');

    const noDate = await api('POST', `/restrictions/${restrictionId}/review`, 'manager', {
      outcome: 'extend',
      reason: 'Still needed',
    });
    expect(noDate.statusCode).toBe(400);
    const lifted = await manager.post(`/staff/restrictions/${restrictionId}/review`, {
      outcome: 'lift',
      reason: 'Contact has been reasonable for three months.',
    });
    expect(lifted.headers.location).toBe(`/staff/restrictions/${restrictionId}`);
    for (const c of [caseA, caseB]) {
      const page = await manager.get(`/staff/complaints/${c.id}`);
      expect(page.body).not.toContain('Contact with this person is restricted');
      const detail = (await api('GET', `/complaints/${c.id}`, 'manager')).json<{ restriction: unknown }>();
      expect(detail.restriction).toBeNull();
    }
    const again = await api('POST', `/restrictions/${restrictionId}/review`, 'manager', {
      outcome: 'lift',
      reason: 'Again',
    });
    expect(again.statusCode).toBe(409);
  });
  it('counts contacts a week: beyond the cap they are filed and flagged, and a variation changes the terms', async () => {
    const a = await authorityWithOfficers(t.db, { officers: 1 });
    const email = 'kit.moss@home.example';
    const c = await createComplaint(t.db, a.authorityId, email);
    const person = await personOf(c.id);
    const made = await api('POST', `/people/${person}/restrictions`, 'manager', {
      kind: 'restriction',
      reason: 'Threats in a letter of 2 May.',
      channels: ['email'],
      weeklyContactCap: 1,
      staffSafetyRisk: true,
      noWarningReason: 'An officer was threatened',
      reviewDate: '2027-09-01',
    });
    expect(made.statusCode).toBe(201);
    const thread = await t.db.kysely
      .selectFrom('correspondence_threads')
      .select('reply_token')
      .where('complaint_id', '=', c.id)
      .executeTakeFirstOrThrow();
    for (const subject of ['First this week', 'Second this week']) {
      await sendToGateway(gateway, {
        from: email,
        to: `case+${thread.reply_token}@${DOMAIN}`,
        subject,
        text: 'Hello.',
      });
    }
    const contacts = await t.db.kysely
      .selectFrom('conduct_contacts')
      .select('flags')
      .where('complaint_id', '=', c.id)
      .orderBy('received_at')
      .execute();
    expect(contacts.map((k) => k.flags)).toEqual([[], ['over-weekly-cap']]);

    const varied = await api('POST', `/restrictions/${made.json<{ id: string }>().id}/review`, 'manager', {
      outcome: 'vary',
      reason: 'Letters are now abusive too: email only, no weekly limit, calls on Tuesdays.',
      channels: ['email'],
      callTimes: 'Tuesdays 10:00 to 12:00',
    });
    expect(varied.statusCode).toBe(200);
    const detail = (await api('GET', `/complaints/${c.id}`, 'manager')).json<{ restriction: { terms: string[] } }>();
    expect(detail.restriction.terms).toEqual([
      'Contact by email only',
      'Calls only at these times: Tuesdays 10:00 to 12:00',
    ]);
  });
});
