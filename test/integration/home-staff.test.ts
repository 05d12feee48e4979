import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';
import type { RemedyProposal } from '../../src/modules/decisions/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority } from '../support/factories.ts';
import { actorFor, createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;
let otherInvestigator: Actor;

const sections = {
  complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
  findings: 'The council did not inspect the property.',
  proposedRemedy: 'Apologise.',
  decision: 'We find fault causing injustice.',
};
const APOLOGY: RemedyProposal = {
  type: 'apology',
  description: 'Apologise in writing to Mrs B.',
  dueInWorkingDays: 20,
};

let scene: {
  enquiryCase: string;
  draftCase: string;
  remedyCase: { id: string; reference: string };
  othersCase: string;
  evidenceCase: string;
  extensionCase: string;
  queueCase: string;
  noOfficer: { id: string; name: string };
};

const allocate = (complaintId: string, to: Actor) =>
  t.db.kysely.updateTable('complaints').set({ investigator_id: to.id }).where('id', '=', complaintId).execute();

async function homeOf(role: Role, actor?: Actor): Promise<string> {
  const who = actor ?? (await actorFor(t.services, role));
  const page = await new TestClient(t.app).withSession(await sessionAt(t.db, who.id, clock.now())).get('/staff');
  expect(page.statusCode).toBe(200);
  return page.body;
}

const panel = (html: string, id: string): string => {
  const start = html.indexOf(`id="panel-${id}"`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
};

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
  otherInvestigator = await actorFor(t.services, 'investigator');
  const authority = await createEnquiryAuthority(t.db);
  const lo = await actorFor(t.services, 'link-officer', authority.id);

  const enquiryCase = await createComplaint(t.db, authority.id);
  await allocate(enquiryCase.id, investigator);
  await t.services.enquiries.send(investigator, enquiryCase.id, { kind: 'enquiry', questions: ['Why?'] });

  const draftCase = await createComplaint(t.db, authority.id);
  await allocate(draftCase.id, investigator);
  await t.services.decisions.issueDraft(investigator, draftCase.id, { sections });

  const remedyCase = await createComplaint(t.db, authority.id);
  await allocate(remedyCase.id, investigator);
  await t.services.decisions.issueDraft(investigator, remedyCase.id, { sections, remedies: [APOLOGY] });
  await t.services.decisions.issueFinal(investigator, remedyCase.id, {
    outcome: 'upheld-injustice',
    statement: 'We uphold the complaint.',
    earlyConfirmed: true,
    earlyReason: 'Both parties have said they have nothing to add.',
  });

  const othersCase = await createComplaint(t.db, authority.id);
  await allocate(othersCase.id, otherInvestigator);
  await t.services.enquiries.send(otherInvestigator, othersCase.id, { kind: 'enquiry', questions: ['Other?'] });

  // Evidence of a remedy sent by the authority, waiting for a coordinator.
  const evidenceCase = await createComplaint(t.db, authority.id);
  await t.services.decisions.issueDraft(investigator, evidenceCase.id, { sections, remedies: [APOLOGY] });
  await t.services.decisions.issueFinal(investigator, evidenceCase.id, {
    outcome: 'upheld-injustice',
    statement: 'We uphold the complaint.',
    earlyConfirmed: true,
    earlyReason: 'Both parties have said they have nothing to add.',
  });
  const [remedy] = await t.services.remedies.forComplaint(investigator, evidenceCase.id);
  await t.services.remedies.submitEvidence(lo, remedy?.id ?? '', { description: 'We wrote to Mrs B.' });

  // An extension request waiting for a decision.
  const extensionCase = await createComplaint(t.db, authority.id);
  const sent = await t.services.enquiries.send(investigator, extensionCase.id, { kind: 'enquiry', questions: ['Q?'] });
  await t.services.enquiries.requestExtension(lo, sent.id, 'Our officer is on leave');

  const queueCase = await createComplaint(t.db, authority.id, 'assessment');
  const noOfficerName = `Aaaa Home Lacking Officer Council ${Date.now()}`;
  const noOfficer = { id: await createAuthority(t.db, { name: noOfficerName }), name: noOfficerName };

  scene = {
    enquiryCase: enquiryCase.reference,
    draftCase: draftCase.reference,
    remedyCase,
    othersCase: othersCase.reference,
    evidenceCase: evidenceCase.reference,
    extensionCase: extensionCase.reference,
    queueCase: queueCase.reference,
    noOfficer,
  };
});
afterAll(async () => {
  await t.close();
});

describe('the staff home', () => {
  it("shows an investigator their cases and what is due on them, and not a colleague's", async () => {
    const html = await homeOf('investigator', investigator);
    expect(panel(html, 'my-cases')).toContain(scene.enquiryCase);
    expect(panel(html, 'enquiries')).toContain(scene.enquiryCase);
    expect(panel(html, 'drafts')).toContain(scene.draftCase);
    expect(panel(html, 'remedies')).toContain(scene.remedyCase.reference);
    expect(panel(html, 'remedies')).toContain(`/staff/complaints/${scene.remedyCase.id}/remedies`);
    expect(html).not.toContain(scene.othersCase);
    // The navigation is not repeated in the page's own content.
    expect(html).not.toContain('<li><a class="govuk-link" href="/staff/complaints">');
  });

  it('shows a team coordinator the remedy evidence waiting to be checked', async () => {
    const html = await homeOf('team-coordinator');
    expect(panel(html, 'evidence')).toContain(scene.evidenceCase);
    expect(panel(html, 'enquiries')).toBe('');
  });

  it('shows a casework manager the extension requests, reviews and escalations waiting', async () => {
    const html = await homeOf('casework-manager');
    expect(panel(html, 'extensions')).toContain(scene.extensionCase);
    expect(panel(html, 'reviews')).toContain('No reviews are waiting.');
    expect(panel(html, 'escalated')).toContain('No remedies are escalated.');
  });

  it('shows an intake officer the queue', async () => {
    const html = await homeOf('intake-officer');
    expect(panel(html, 'queue')).toContain(scene.queueCase);
    expect(panel(html, 'evidence')).toBe('');
  });

  it('shows a relationship lead the authorities without a link officer and the change requests', async () => {
    const html = await homeOf('relationship-lead');
    expect(html).toContain('Needs a link officer');
    expect(html).toContain(`/staff/authorities/${scene.noOfficer.id}/link-officers`);
    expect(panel(html, 'changes')).toContain('Link officer change requests');
    expect(panel(html, 'queue')).toBe('');
  });
});
