import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createSession } from '../support/factories.ts';
import { createComplaint, createEnquiryAuthority } from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let readerId = '';
const at = (iso: string) => clock.set(new Date(iso));

let seq = 0;
/** A user with a name and roles, as an actor. */
async function person(name: string, roles: Role[], authorityId: string | null = null): Promise<Actor> {
  seq++;
  const id = await t.services.accounts.createUser({
    email: `audit-actor-${seq}-${Date.now()}@example.test`,
    displayName: name,
    roles,
    authorityId,
    password: 'correct horse battery staple',
  });
  return { type: 'user', id, roles, authorityId };
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  // An administrator who reads the log and the case (and acts in neither).
  readerId = (await person('Rhea Reader', ['administrator'])).id;
});

/** The reader, signed in at the test clock's time. */
const staffReader = async () => new TestClient(t.app).withSession(await createSession(t.db, readerId, clock.now()));
afterAll(async () => {
  await t.close();
});

const plain = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

/** The actor shown on the audit log page for each of a person's events of one action. */
async function auditShows(actor: Actor, action: string): Promise<string[]> {
  const page = await (await staffReader()).get(`/staff/audit?actor=${actor.id}&action=${encodeURIComponent(action)}`);
  expect(page.statusCode).toBe(200);
  const body = page.body.slice(page.body.indexOf('<tbody'));
  return [...body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...(row[1] ?? '').matchAll(/<td class="govuk-table__cell">([\s\S]*?)<\/td>/g)];
    // The actor cell: the text before the link to the actor's id.
    return plain((cells[1]?.[1] ?? '').split('<br>')[0] ?? '');
  });
}

/** The role recorded in the log's own row (what the API gives too). */
async function recordedRole(actor: Actor, action: string) {
  const rows = await t.db.kysely
    .selectFrom('audit_events')
    .select('actor_role')
    .where('actor_id', '=', actor.id)
    .where('action', '=', action)
    .execute();
  return rows.map((r) => r.actor_role);
}

/** Each staff timeline entry as "title | byline". */
async function timeline(complaintId: string): Promise<string[]> {
  const page = await (await staffReader()).get(`/staff/complaints/${complaintId}/history`);
  expect(page.statusCode).toBe(200);
  const html = page.body.slice(page.body.indexOf('id="timeline"'));
  return [...html.matchAll(/<div class="moj-timeline__header">([\s\S]*?)<\/div>/g)].map((m) => {
    const header = m[1] ?? '';
    const title = /<h3 class="moj-timeline__title">([\s\S]*?)<\/h3>/.exec(header)?.[1] ?? '';
    const byline = /<p class="moj-timeline__byline">([\s\S]*?)<\/p>/.exec(header)?.[1] ?? '';
    return `${plain(title)} | ${plain(byline)}`;
  });
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('the audit log records the person and the role they acted in', () => {
  it('a casework manager who is also an investigator accepts a case as casework manager', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id, 'assessment');
    const eleanor = await person('Eleanor Price', ['investigator', 'casework-manager']);
    await t.services.complaints.assess(eleanor, complaint.id, {
      outcome: 'investigate',
      reason: null,
      investigatorId: null,
      lateReason: null,
    });

    expect(await recordedRole(eleanor, 'complaint.moved.investigation')).toEqual(['casework-manager']);
    expect(await auditShows(eleanor, 'complaint.moved.investigation')).toEqual(['Eleanor Price (Casework manager)']);
    expect(await timeline(complaint.id)).toContain('Moved to investigation | by Casework manager (Eleanor Price)');
  });

  it('an investigator sends an enquiry, a link officer uploads and answers, and a delegate uploads: each by name and role', async () => {
    at('2026-12-11T11:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    const sam = await person('Sam Okafor', ['team-coordinator', 'investigator']);
    const grace = await person('Grace Mensah', ['link-officer'], authority.id);
    const dana = await person('Dana Whitfield', ['delegate'], authority.id);

    const sent = await t.services.enquiries.send(sam, complaint.id, {
      kind: 'enquiry',
      questions: ['Why was the damp not repaired?', 'Who inspected the property?'],
    });
    const [q1 = '', q2 = ''] = (await t.services.enquiries.get(sam, sent.id)).questions.map((q) => q.id);
    expect(await recordedRole(sam, 'enquiry.sent')).toEqual(['investigator']);
    expect(await auditShows(sam, 'enquiry.sent')).toEqual(['Sam Okafor (Investigator)']);

    at('2026-12-14T10:00:00Z');
    await t.services.enquiries.attachDocument(grace, sent.id, q1, { content: pdf, filename: 'repair log.pdf' });
    await t.services.enquiries.delegate(grace, sent.id, {
      questionId: q2,
      delegateUserId: dana.id,
      internalDueDate: '2026-12-18',
    });
    at('2026-12-15T10:00:00Z');
    await t.services.enquiries.attachDocument(dana, sent.id, q2, { content: pdf, filename: 'inspection.pdf' });
    at('2026-12-16T10:00:00Z');
    await t.services.enquiries.answer(grace, sent.id, q1, 'The contractor missed two visits.');
    await t.services.enquiries.answer(grace, sent.id, q2, 'Nobody did.');
    await t.services.enquiries.submitResponse(grace, sent.id);

    const graceShown = `Grace Mensah (Link officer, ${authority.name})`;
    expect(await recordedRole(grace, 'document.stored')).toEqual(['link-officer']);
    expect(await auditShows(grace, 'document.stored')).toEqual([graceShown]);
    expect(await auditShows(grace, 'enquiry.delegated')).toEqual([graceShown]);
    expect(await auditShows(grace, 'enquiry.responded')).toEqual([graceShown]);
    expect(await recordedRole(dana, 'document.stored')).toEqual(['delegate']);
    expect(await auditShows(dana, 'document.stored')).toEqual([`Dana Whitfield (Delegate, ${authority.name})`]);

    const entries = await timeline(complaint.id);
    // The enquiry's letter is the enquiry: on the timeline once, not again among the correspondence.
    expect(entries.filter((e) => /^Enquiry( 1)? sent/.test(e))).toEqual([
      'Enquiry 1 sent | by Investigator (Sam Okafor)',
    ]);
    expect(entries).toContain('Document added: repair log.pdf | by Link officer (Grace Mensah)');
    expect(entries).toContain('Document added: inspection.pdf | by Delegate (Dana Whitfield)');
  });

  it('a team coordinator writes to the authority from the Correspondence tab as team coordinator', async () => {
    at('2026-12-17T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    const tom = await person('Tom Ashdown', ['team-coordinator']);
    const client = new TestClient(t.app).withSession(await createSession(t.db, tom.id, clock.now()));
    const posted = await client.post(`/staff/complaints/${complaint.id}/correspondence`, {
      addressee: 'link-officers',
      subject: 'A question about the repairs',
      text: 'Please tell us when the repairs were booked.',
    });
    expect(posted.statusCode).toBe(303);

    expect(await recordedRole(tom, 'correspondence.written')).toEqual(['team-coordinator']);
    expect(await auditShows(tom, 'correspondence.written')).toEqual(['Tom Ashdown (Team coordinator)']);
    expect(await timeline(complaint.id)).toContain(
      `Message sent to the link officers of ${authority.name}: A question about the repairs (our reference ${complaint.reference}) | by Team coordinator (Tom Ashdown)`,
    );
  });
});
