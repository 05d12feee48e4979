import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
const at = (iso: string) => clock.set(new Date(iso));

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

let seq = 0;
/** A user with a name and roles, as an actor. */
async function person(name: string, roles: Role[], authorityId: string | null = null): Promise<Actor> {
  seq++;
  const id = await t.services.accounts.createUser({
    email: `timeline-${seq}-${Date.now()}@example.test`,
    displayName: name,
    roles,
    authorityId,
    password: 'correct horse battery staple',
  });
  return { type: 'user', id, roles, authorityId };
}

const pageOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();

/** Each timeline entry as "title | byline" (byline empty when none), newest first. */
function timelineEntries(html: string): string[] {
  const timeline = html.slice(html.indexOf('id="timeline"'));
  return [...timeline.matchAll(/<div class="moj-timeline__header">([\s\S]*?)<\/div>/g)].map((m) => {
    const header = m[1] ?? '';
    const title = /<h3 class="moj-timeline__title">([\s\S]*?)<\/h3>/.exec(header)?.[1] ?? '';
    const byline = /<p class="moj-timeline__byline">([\s\S]*?)<\/p>/.exec(header)?.[1] ?? '';
    return `${pageOf(title)} | ${pageOf(byline)}`;
  });
}

const CONTENT_WITH_DATES = /\b\d{4}-\d{2}-\d{2}\b|\b0:\d{2}\b|\b\d{1,2}:\d{2} (am|pm)\b/i;
/** The text of a page outside tags and their attributes (form values and datetime="" may keep ISO dates). */
const visibleText = (html: string) =>
  pageOf(html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<style[\s\S]*?<\/style>/g, ' '));

/**
 * One case through enquiry, draft, final decision and remedy, each step by a named person: a
 * link officer (Grace Mensah), a casework manager (Eleanor Price), and a team coordinator who is
 * also an investigator (Sam Okafor) acting as the investigator.
 */
async function workedCase() {
  at('2026-12-11T10:00:00Z');
  const authority = await createEnquiryAuthority(t.db);
  const complaint = await createComplaint(t.db, authority.id);
  const grace = await person('Grace Mensah', ['link-officer'], authority.id);
  const eleanor = await person('Eleanor Price', ['casework-manager']);
  const sam = await person('Sam Okafor', ['team-coordinator', 'investigator']);

  const sent = await t.services.enquiries.send(sam, complaint.id, {
    kind: 'enquiry',
    questions: ['Why was the damp not repaired?'],
  });
  const [q1 = ''] = (await t.services.enquiries.get(sam, sent.id)).questions.map((q) => q.id);

  at('2026-12-14T10:00:00Z');
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  await t.services.enquiries.attachDocument(grace, sent.id, q1, { content: pdf, filename: 'repair log.pdf' });
  await t.services.enquiries.answer(grace, sent.id, q1, 'The contractor missed two visits.');
  await t.services.enquiries.submitResponse(grace, sent.id);

  at('2026-12-15T10:00:00Z');
  const draft = await t.services.decisions.issueDraft(sam, complaint.id, {
    sections: {
      complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
      findings: 'The council did not inspect the property.',
      proposedRemedy: 'Apologise.',
      decision: 'We find fault causing injustice.',
    },
    remedies: [
      {
        type: 'apology',
        description: 'Apologise in writing to Mrs B for the delay in moving the family.',
        dueInWorkingDays: 20,
      },
    ],
  });

  return { authority, complaint, grace, eleanor, sam, enquiryId: sent.id, draftId: draft.draftId };
}

describe('the case timeline names who acted, with the role they acted in', () => {
  it('staff see each person by name and role; the authority sees everyone by role only', async () => {
    const c = await workedCase();
    at('2026-12-16T10:00:00Z');
    await t.services.decisions.comment(c.grace, c.draftId, { text: 'We accept the findings.' });
    at('2027-01-04T10:00:00Z');
    await t.services.decisions.issueFinal(c.eleanor, c.complaint.id, {
      outcome: 'upheld-injustice',
      statement: 'We uphold the complaint.',
    });
    const [remedy] = await t.services.remedies.forComplaint(c.eleanor, c.complaint.id);
    at('2027-01-06T10:00:00Z');
    const evidence = await t.services.remedies.submitEvidence(c.grace, remedy?.id ?? '', {
      description: 'We wrote to Mrs B to apologise.',
    });
    at('2027-01-07T10:00:00Z');
    await t.services.remedies.reviewEvidence(c.eleanor, remedy?.id ?? '', evidence.id, { decision: 'accept' });

    const staffUser = await person('Priya Shah', ['investigator']);
    const staff = new TestClient(t.app).withSession(await sessionAt(t.db, staffUser.id, clock.now()));
    const staffPage = await staff.get(`/staff/complaints/${c.complaint.id}/history`);
    expect(staffPage.statusCode).toBe(200);
    const staffEntries = timelineEntries(staffPage.body);
    expect(staffEntries).toEqual(
      expect.arrayContaining([
        'Enquiry 1 sent | by Investigator (Sam Okafor)',
        'Document added: repair log.pdf | by Link officer (Grace Mensah)',
        'Enquiry 1 answered on time | by Link officer (Grace Mensah)',
        'Moved to decision | by Investigator (Sam Okafor)',
        'Comments from the authority on version 1 | by Link officer (Grace Mensah)',
        'Moved to remedy | by Casework manager (Eleanor Price)',
        'Evidence of compliance sent | by Link officer (Grace Mensah)',
        'Evidence accepted: remedy complied with | by Casework manager (Eleanor Price)',
      ]),
    );
    expect(staffEntries.find((e) => e.startsWith('Closed:'))).toMatch(/ \| by Casework manager \(Eleanor Price\)$/);
    expect(staffEntries.join('\n')).not.toMatch(
      /by Ombudsman \((Grace Mensah|Eleanor Price|Sam Okafor)\)|Team coordinator/,
    );

    const portal = new TestClient(t.app).withSession(await sessionAt(t.db, c.grace.id, clock.now()));
    const portalPage = await portal.get(`/portal/complaints/${c.complaint.id}/timeline`);
    expect(portalPage.statusCode).toBe(200);
    const portalEntries = timelineEntries(portalPage.body);
    expect(portalEntries).toEqual(
      expect.arrayContaining([
        'Enquiry 1 sent | by Investigator',
        'Document added: repair log.pdf | by Link officer',
        'Enquiry 1 answered on time | by Link officer',
        'Moved to decision | by Investigator',
        'Comments from the authority on version 1 | by Link officer',
        'Moved to remedy | by Casework manager',
        'Evidence of compliance sent | by Link officer',
        'Evidence accepted: remedy complied with | by Casework manager',
      ]),
    );
    // Names never reach the authority's timeline.
    expect(portalEntries.join('\n')).not.toMatch(/Eleanor Price|Sam Okafor|Grace Mensah/);
  });
});

describe('dates on the pages staff and link officers visit', () => {
  it('are GOV.UK dates and times: no ISO date and no "0:00" time outside attributes', async () => {
    const c = await workedCase();
    at('2027-01-05T00:00:00Z');
    // Comments after the deadline: the notice names the deadline.
    const portal = new TestClient(t.app).withSession(await sessionAt(t.db, c.grace.id, clock.now()));
    const late = await portal.post(`/portal/complaints/${c.complaint.id}/decision/comments`, {
      draftId: c.draftId,
      text: 'Our comments, sent late.',
    });
    expect(late.statusCode).toBe(303);
    const withNotice = await portal.get(late.headers.location as string);
    expect(visibleText(withNotice.body)).toContain('They arrived after the deadline (');

    await t.services.decisions.issueFinal(c.eleanor, c.complaint.id, {
      outcome: 'upheld-injustice',
      statement: 'We uphold the complaint.',
    });
    const staffUser = await person('Priya Shah', ['casework-manager']);
    const staff = new TestClient(t.app).withSession(await sessionAt(t.db, staffUser.id, clock.now()));
    const [remedy] = await t.services.remedies.forComplaint(c.eleanor, c.complaint.id);
    const pages: [TestClient, string][] = [
      [staff, `/staff/complaints/${c.complaint.id}`],
      [staff, `/staff/complaints/${c.complaint.id}/history`],
      [staff, `/staff/complaints/${c.complaint.id}/decision`],
      [staff, `/staff/complaints/${c.complaint.id}/decision/drafts/1`],
      [staff, `/staff/complaints/${c.complaint.id}/remedies`],
      [staff, `/staff/enquiries/${c.enquiryId}`],
      [staff, '/staff/enquiries'],
      [staff, '/staff/remedies'],
      [portal, `/portal/complaints/${c.complaint.id}`],
      [portal, `/portal/complaints/${c.complaint.id}/timeline`],
      [portal, `/portal/complaints/${c.complaint.id}/decision`],
      [portal, `/portal/complaints/${c.complaint.id}/decision/drafts/1`],
      [portal, `/portal/enquiries/${c.enquiryId}`],
      [portal, '/portal/enquiries'],
      [portal, '/portal/remedies'],
      ...(remedy ? ([[portal, `/portal/remedies/${remedy.id}`]] as [TestClient, string][]) : []),
    ];
    const found: string[] = [];
    for (const [client, url] of [...pages, [portal, late.headers.location as string] as [TestClient, string]]) {
      const response = url === late.headers.location ? withNotice : await client.get(url);
      expect(response.statusCode, url).toBe(200);
      const text = visibleText(response.body);
      for (const m of text.matchAll(new RegExp(CONTENT_WITH_DATES, 'gi')))
        found.push(`${url}: …${text.slice(Math.max(0, (m.index ?? 0) - 40), (m.index ?? 0) + 20)}…`);
    }
    expect(found).toEqual([]);
    // The deadline and the times are in the GOV.UK style.
    expect(visibleText(withNotice.body)).toContain('They arrived after the deadline (31 December 2026)');
    const history = visibleText((await staff.get(`/staff/complaints/${c.complaint.id}/history`)).body);
    expect(history).toContain('15 December 2026, 10am');
    expect(history).toMatch(
      /Enquiry 1 sent by Investigator \(Sam Okafor\) 11 December 2026, 10am Due \d{1,2} [A-Z][a-z]+ 2027/,
    );
  });
});
