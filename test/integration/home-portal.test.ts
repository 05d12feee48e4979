import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/factories.ts';
import {
  actorFor,
  createComplaint,
  createEnquiryAuthority,
  sessionAt,
  type EnquiryAuthority,
} from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;

const at = (iso: string) => clock.set(new Date(iso));

const sections = {
  complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
  findings: 'The council did not inspect the property.',
  proposedRemedy: 'Apologise.',
  decision: 'We find fault causing injustice.',
};

async function withComplainant(authorityId: string, complaintId: string) {
  await t.db.kysely
    .insertInto('complaint_parties')
    .values({
      complaint_id: complaintId,
      authority_id: authorityId,
      role: 'complainant',
      name: 'Bethan Morgan',
      email: `bethan-${complaintId.slice(0, 8)}@example.org`,
      phone: null,
      address: null,
      communication_needs: null,
      relationship: null,
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
  await t.db.kysely
    .updateTable('complaints')
    .set({ authority_complained_on: '2026-06-01', authority_final_response_on: '2026-08-15' })
    .where('id', '=', complaintId)
    .execute();
}

interface Scene {
  authority: EnquiryAuthority;
  officer: Actor;
  officerClient: TestClient;
  delegate: Actor;
  otherDelegate: Actor;
  overdue: { enquiryId: string; reference: string };
  delegated: { enquiryId: string; reference: string };
  draft: { complaintId: string; reference: string };
  otherAuthority: { enquiryId: string; reference: string };
  untold: { enquiryId: string; reference: string };
}

async function signedIn(actor: Actor) {
  return new TestClient(t.app).withSession(await sessionAt(t.db, actor.id, clock.now()));
}

let scene: Scene;

async function buildScene(): Promise<Scene> {
  const authority = await createEnquiryAuthority(t.db);
  const officer = await actorFor(t.services, 'link-officer', authority.id);
  const delegate = await actorFor(t.services, 'delegate', authority.id);
  const otherDelegate = await actorFor(t.services, 'delegate', authority.id);

  // An enquiry sent in October: overdue by December.
  at('2026-10-01T10:00:00Z');
  const late = await createComplaint(t.db, authority.id);
  const lateEnquiry = await t.services.enquiries.send(investigator, late.id, { kind: 'enquiry', questions: ['Why?'] });

  // Back to today: an enquiry with a task delegated to each delegate.
  at('2026-12-11T10:00:00Z');
  const tasked = await createComplaint(t.db, authority.id);
  const taskedEnquiry = await t.services.enquiries.send(investigator, tasked.id, {
    kind: 'enquiry',
    questions: ['Send the log.'],
  });
  await t.services.enquiries.delegate(officer, taskedEnquiry.id, {
    questionId: null,
    delegateUserId: delegate.id,
    internalDueDate: '2026-12-18',
  });
  const otherTasked = await createComplaint(t.db, authority.id);
  const otherEnquiry = await t.services.enquiries.send(investigator, otherTasked.id, {
    kind: 'enquiry',
    questions: ['Send the file.'],
  });
  await t.services.enquiries.delegate(officer, otherEnquiry.id, {
    questionId: null,
    delegateUserId: otherDelegate.id,
    internalDueDate: '2026-12-21',
  });

  // A draft decision waiting for the authority's comments.
  const drafted = await createComplaint(t.db, authority.id);
  await withComplainant(authority.id, drafted.id);
  await t.services.decisions.issueDraft(investigator, drafted.id, { sections });

  // Another authority's overdue enquiry.
  at('2026-10-01T10:00:00Z');
  const other = await createEnquiryAuthority(t.db);
  const otherCase = await createComplaint(t.db, other.id);
  const otherSent = await t.services.enquiries.send(investigator, otherCase.id, { kind: 'enquiry', questions: ['Q?'] });

  // A case of this authority's that it has not been told of (back at assessment, nothing asked).
  const untoldCase = await createComplaint(t.db, authority.id);
  const untoldSent = await t.services.enquiries.send(investigator, untoldCase.id, {
    kind: 'enquiry',
    questions: ['Hidden?'],
  });
  await t.db.kysely.updateTable('complaints').set({ status: 'assessment' }).where('id', '=', untoldCase.id).execute();
  await t.db.kysely.deleteFrom('allocation_notices').where('complaint_id', '=', untoldCase.id).execute();

  at('2026-12-11T10:00:00Z');
  return {
    authority,
    officer,
    officerClient: await signedIn(officer),
    delegate,
    otherDelegate,
    overdue: { enquiryId: lateEnquiry.id, reference: late.reference },
    delegated: { enquiryId: taskedEnquiry.id, reference: tasked.reference },
    draft: { complaintId: drafted.id, reference: drafted.reference },
    otherAuthority: { enquiryId: otherSent.id, reference: otherCase.reference },
    untold: { enquiryId: untoldSent.id, reference: untoldCase.reference },
  };
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
  scene = await buildScene();
});
afterAll(async () => {
  await t.close();
});

/** The section of the page with this panel id. */
const panel = (html: string, id: string): string => {
  const start = html.indexOf(`id="panel-${id}"`);
  if (start < 0) return '';
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
};

const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? '');

describe("the link officer's home", () => {
  it('lists the overdue enquiry, the delegated task and the draft waiting for comments, each linking to a page the officer can open', async () => {
    const page = await scene.officerClient.get('/portal');
    expect(page.statusCode).toBe(200);
    const html = page.body;

    const enquiries = panel(html, 'enquiries');
    expect(enquiries).toContain(scene.overdue.reference);
    expect(enquiries).toContain('Overdue');
    expect(enquiries).toContain('1 overdue');
    expect(hrefs(enquiries)).toContain(`/portal/enquiries/${scene.overdue.enquiryId}`);
    expect(hrefs(enquiries)).toContain('/portal/enquiries');
    // Most urgent first: the overdue enquiry comes before the one sent today.
    expect(enquiries.indexOf(scene.overdue.reference)).toBeLessThan(enquiries.indexOf(scene.delegated.reference));

    const tasks = panel(html, 'tasks');
    expect(tasks).toContain('Tasks delegated to colleagues');
    expect(tasks).toContain(scene.delegated.reference);
    expect(tasks).toContain('18 December 2026');
    expect(hrefs(tasks)).toContain(`/portal/enquiries/${scene.delegated.enquiryId}`);

    const drafts = panel(html, 'drafts');
    expect(drafts).toContain(scene.draft.reference);
    expect(hrefs(drafts)).toContain(`/portal/complaints/${scene.draft.complaintId}/decision`);

    expect(panel(html, 'remedies')).toContain('No remedies due.');
    expect(panel(html, 'steps')).toContain('No public report steps due.');

    for (const href of [
      `/portal/enquiries/${scene.overdue.enquiryId}`,
      `/portal/enquiries/${scene.delegated.enquiryId}`,
      `/portal/complaints/${scene.draft.complaintId}/decision`,
    ]) {
      expect((await scene.officerClient.get(href)).statusCode, href).toBe(200);
    }
    // No ISO dates on the page.
    expect(html).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
  });

  it("never shows another authority's items, nor a case the authority has not been told of", async () => {
    const html = (await scene.officerClient.get('/portal')).body;
    expect(html).not.toContain(scene.otherAuthority.reference);
    expect(html).not.toContain(scene.otherAuthority.enquiryId);
    expect(html).not.toContain(scene.untold.reference);
    expect(html).not.toContain(scene.untold.enquiryId);
  });

  it("shows the authority's on-time rate this year and what counts", async () => {
    const html = (await scene.officerClient.get('/portal')).body;
    const onTime = html.slice(html.indexOf('id="on-time"'), html.indexOf('</section>', html.indexOf('id="on-time"')));
    // One response fell due this year (the October enquiry, not answered): 0 of 1.
    expect(onTime).toContain('0%');
    expect(onTime).toContain('0 of the 1 response due from 1 April 2026 to today');
    expect(onTime).toContain('What counts');
  });

  it('says so in one line when a section is empty', async () => {
    const quiet = await createEnquiryAuthority(t.db);
    const officer = await actorFor(t.services, 'link-officer', quiet.id);
    const html = (await (await signedIn(officer)).get('/portal')).body;
    expect(panel(html, 'enquiries')).toContain('No enquiries due.');
    expect(panel(html, 'tasks')).toContain('No delegated tasks are out.');
    expect(panel(html, 'drafts')).toContain('No drafts are waiting for your comments.');
    expect(html).toContain('No enquiry responses have fallen due since 1 April 2026.');
  });
});

describe("a delegate's home", () => {
  it('shows their own tasks first, and only theirs', async () => {
    const client = await signedIn(scene.delegate);
    const page = await client.get('/portal');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    const tasks = panel(html, 'tasks');
    expect(tasks).toContain('Your tasks');
    expect(tasks).toContain(scene.delegated.reference);
    expect(html.indexOf('id="panel-tasks"')).toBeLessThan(html.indexOf('id="panel-drafts"'));
    expect(html).not.toContain('id="panel-enquiries"');
    expect(html).not.toContain('id="on-time"');
    // The other delegate's task is not theirs.
    const other = await client.get('/portal');
    expect(panel(other.body, 'tasks')).not.toContain('Send the file');
    const otherClient = await signedIn(scene.otherDelegate);
    const otherTasks = panel((await otherClient.get('/portal')).body, 'tasks');
    expect(otherTasks).not.toContain(scene.delegated.reference);
    expect(otherTasks).toContain('21 December 2026');
    // The task's link opens.
    expect((await client.get(`/portal/enquiries/${scene.delegated.enquiryId}`)).statusCode).toBe(200);
  });
});

describe('a user of another role', () => {
  it('a senior officer sees drafts, remedies and public report steps, not enquiries', async () => {
    const user = await createUser(t.services, { role: 'senior-officer', authorityId: scene.authority.id });
    const actor: Actor = { type: 'user', id: user.id, roles: ['senior-officer'], authorityId: scene.authority.id };
    const html = (await (await signedIn(actor)).get('/portal')).body;
    expect(html).toContain('id="panel-drafts"');
    expect(html).toContain('id="panel-steps"');
    expect(html).not.toContain('id="panel-enquiries"');
    expect(html).not.toContain('id="panel-tasks"');
  });
});
