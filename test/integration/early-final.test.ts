import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { formatDate } from '../../src/platform/dates.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/factories.ts';
import { createComplaint, createEnquiryAuthority, sessionAt } from './enquiries.fixtures.ts';

/**
 * A final decision (or final public report) issued before the draft's comment deadline needs an
 * explicit confirmation and the reason it cannot wait; the reason is kept and shown to staff only.
 */

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;
let investigatorId: string;
let manager: Actor;

beforeAll(async () => {
  t = await createTestApp({ clock });
  const user = await createUser(t.services, { role: 'investigator' });
  investigator = { type: 'user', id: user.id, roles: ['investigator'], authorityId: null };
  investigatorId = user.id;
  const m = await createUser(t.services, { role: 'casework-manager' });
  manager = { type: 'user', id: m.id, roles: ['casework-manager'], authorityId: null };
});
afterAll(async () => {
  await t.close();
});

const at = (iso: string) => clock.set(new Date(iso));

/** The investigator signed in now. */
const asInvestigator = async () =>
  new TestClient(t.app).withSession(await sessionAt(t.db, investigatorId, clock.now()));

const sections = {
  complaint: 'The council left a family in damp accommodation.',
  findings: 'The council did not inspect the property.',
  proposedRemedy: 'Apologise.',
  decision: 'We are minded not to uphold the complaint.',
};

/** A case under investigation with a draft out for comment; its comment deadline. */
async function caseWithDraft() {
  at('2026-12-11T10:00:00Z');
  const authority = await createEnquiryAuthority(t.db);
  const complaint = await createComplaint(t.db, authority.id);
  const draft = await t.services.decisions.issueDraft(investigator, complaint.id, { sections });
  return { authority, complaint, dueOn: draft.commentDueOn };
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, fields: error.fields.map((f) => f.field) };
    throw error;
  }
  return null;
};

const storedReason = async (complaintId: string) =>
  (
    await t.db.kysely
      .selectFrom('final_decisions')
      .select('early_reason')
      .where('complaint_id', '=', complaintId)
      .executeTakeFirst()
  )?.early_reason;

describe('a final decision before the comment deadline', () => {
  it('is refused by the service without the confirmation and the reason, and nothing is issued', async () => {
    const { complaint, dueOn } = await caseWithDraft();
    expect(dueOn > '2026-12-11').toBe(true);
    const input = { outcome: 'not-upheld' as const, statement: 'No fault.' };
    expect(await failure(t.services.decisions.issueFinal(investigator, complaint.id, input))).toEqual({
      code: 'validation',
      fields: ['earlyConfirmed', 'earlyReason'],
    });
    expect(
      await failure(t.services.decisions.issueFinal(investigator, complaint.id, { ...input, earlyReason: 'Urgent' })),
    ).toEqual({ code: 'validation', fields: ['earlyConfirmed'] });
    expect(
      await failure(
        t.services.decisions.issueFinal(investigator, complaint.id, {
          ...input,
          earlyConfirmed: true,
          earlyReason: ' ',
        }),
      ),
    ).toEqual({ code: 'validation', fields: ['earlyReason'] });
    // On the deadline day itself comments may still come.
    at(`${dueOn}T15:00:00Z`);
    expect(await failure(t.services.decisions.issueFinal(investigator, complaint.id, input))).toMatchObject({
      code: 'validation',
    });
    expect(await t.services.decisions.finalDecision(complaint.id)).toBeNull();
  });

  it('the form warns with the deadline, asks for the confirmation and the reason, and keeps the reason for staff', async () => {
    const { authority, complaint, dueOn } = await caseWithDraft();
    const staff = await asInvestigator();
    const form = await staff.get(`/staff/complaints/${complaint.id}/decision/final`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('govuk-warning-text');
    expect(form.body).toContain(`Comments on the draft are due by ${formatDate(dueOn)}`);
    expect(form.body).toContain('name="earlyConfirmed"');
    expect(form.body).toContain('name="earlyReason"');

    const refused = await staff.post(`/staff/complaints/${complaint.id}/decision/final`, {
      outcome: 'not-upheld',
      statement: 'We do not uphold the complaint.',
    });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`/staff/complaints/${complaint.id}/decision/final`);
    const back = await staff.get(`/staff/complaints/${complaint.id}/decision/final`);
    expect(back.body).toContain('govuk-error-summary');
    expect(back.body).toContain('href="#earlyConfirmed"');
    expect(back.body).toContain('href="#earlyReason"');
    expect(back.body).toContain('We do not uphold the complaint.');
    expect(await t.services.decisions.finalDecision(complaint.id)).toBeNull();

    const reason = 'The complainant is seriously ill and both parties have told us they have no more to add.';
    const sent = await staff.post(`/staff/complaints/${complaint.id}/decision/final`, {
      outcome: 'not-upheld',
      statement: 'We do not uphold the complaint.',
      earlyConfirmed: 'yes',
      earlyReason: reason,
    });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/staff/complaints/${complaint.id}/decision`);
    expect(await storedReason(complaint.id)).toBe(reason);
    const page = await staff.get(`/staff/complaints/${complaint.id}/decision`);
    expect(page.body).toContain('Issued before comments were due, because');
    expect(page.body).toContain(reason);
    const timeline = await staff.get(`/staff/complaints/${complaint.id}/history`);
    expect(timeline.body).toContain('Final decision issued before comments were due');
    expect(timeline.body).toContain(reason);

    // The authority sees the decision, not the reason.
    const officer = await createUser(t.services, { role: 'link-officer', authorityId: authority.id });
    const portal = new TestClient(t.app).withSession(await sessionAt(t.db, officer.id, clock.now()));
    for (const path of ['decision', 'timeline']) {
      const seen = await portal.get(`/portal/complaints/${complaint.id}/${path}`);
      expect(seen.statusCode, path).toBe(200);
      expect(seen.body, path).toContain('We do not uphold the complaint.');
      expect(seen.body, path).not.toContain(reason);
    }
  });

  it('once the deadline has passed, the form has no warning and no reason is asked or kept', async () => {
    const { complaint } = await caseWithDraft();
    at('2027-01-04T10:00:00Z');
    const staff = await asInvestigator();
    const form = await staff.get(`/staff/complaints/${complaint.id}/decision/final`);
    expect(form.body).not.toContain('govuk-warning-text');
    expect(form.body).not.toContain('name="earlyReason"');
    await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'No fault.',
    });
    expect(await storedReason(complaint.id)).toBeNull();
  });

  it('through the API needs earlyReason, named in the problem, and keeps it', async () => {
    const { complaint } = await caseWithDraft();
    const { token } = await t.services.apiTokens.createFromCommandLine({
      name: 'Casework',
      role: 'investigator',
      authorityId: null,
    });
    const post = (payload: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${complaint.id}/final-decision`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    const refused = await post({ outcome: 'not-upheld', text: 'No fault.' });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toContain('earlyReason');
    expect(await t.services.decisions.finalDecision(complaint.id)).toBeNull();
    const issued = await post({
      outcome: 'not-upheld',
      text: 'No fault.',
      earlyReason: 'Both parties have no comments.',
    });
    expect(issued.statusCode).toBe(201);
    expect(await storedReason(complaint.id)).toBe('Both parties have no comments.');
    const doc = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(doc.body).toContain('earlyReason');
  });
});

describe('a final public report before the comment deadline', () => {
  it('needs the confirmation and the reason too, on the form and in the service', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    const proposed = await t.services.publicReports.propose(manager, complaint.id, {
      criteria: ['significant-injustice'],
      sections,
    });
    const managerClient = new TestClient(t.app).withSession(await sessionAt(t.db, manager.id, clock.now()));
    const page = await managerClient.get(`/staff/complaints/${complaint.id}/public-report`);
    expect(page.body).toContain('govuk-warning-text');
    expect(page.body).toContain(`Comments on the draft are due by ${formatDate(proposed.commentDueOn)}`);
    expect(
      await failure(t.services.publicReports.issueFinal(manager, complaint.id, { statement: 'Fault and injustice.' })),
    ).toEqual({ code: 'validation', fields: ['earlyConfirmed', 'earlyReason'] });
    const refused = await managerClient.post(`/staff/complaints/${complaint.id}/public-report/final`, {
      outcome: 'upheld-injustice',
      statement: 'Fault and injustice.',
    });
    expect(refused.statusCode).toBe(303);
    expect(await storedReason(complaint.id)).toBeUndefined();
    const sent = await managerClient.post(`/staff/complaints/${complaint.id}/public-report/final`, {
      outcome: 'upheld-injustice',
      statement: 'Fault and injustice.',
      earlyConfirmed: 'yes',
      earlyReason: 'The authority has accepted the findings in writing.',
    });
    expect(sent.statusCode).toBe(303);
    expect(await storedReason(complaint.id)).toBe('The authority has accepted the findings in writing.');
  });
});
