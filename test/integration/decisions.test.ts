import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import {
  actorFor,
  caseCorrespondence,
  createComplaint,
  createEnquiryAuthority,
  sessionAt,
  type EnquiryAuthority,
} from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
});
afterAll(async () => {
  await t.close();
});

const at = (iso: string) => clock.set(new Date(iso));

const sections = (decision = 'We find fault causing injustice.') => ({
  complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
  findings: 'The council did not inspect the property.\nIt did not move the family.',
  proposedRemedy: 'Apologise and pay £300.',
  decision,
});

async function caseUnderInvestigation(authority?: EnquiryAuthority) {
  const a = authority ?? (await createEnquiryAuthority(t.db));
  const complaint = await createComplaint(t.db, a.id);
  await t.db.kysely
    .insertInto('complaint_parties')
    .values({
      complaint_id: complaint.id,
      authority_id: a.id,
      role: 'complainant',
      name: 'Bethan Morgan',
      email: `bethan-${complaint.id.slice(0, 8)}@example.org`,
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
    .where('id', '=', complaint.id)
    .execute();
  return { authority: a, complaint };
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message, fields: error.fields };
    throw error;
  }
  return null;
};

const statusOf = async (id: string) =>
  await t.db.kysely
    .selectFrom('complaints')
    .select(['status', 'outcome'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

async function token(role: 'link-officer' | 'investigator', authorityId: string | null) {
  const created = await t.services.apiTokens.createFromCommandLine({ name: `t-${role}`, role, authorityId });
  return { authorization: `Bearer ${created.token}` };
}

describe('issuing a draft decision', () => {
  it('goes at the same time to the complainant and to the authority, each with a 10 working day deadline, and moves the case to decision', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint } = await caseUnderInvestigation();
    const issued = await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    // 10 working days after Friday 11 December 2026, skipping Christmas Day and Boxing Day (observed 28th).
    expect(issued).toMatchObject({ version: 1, commentDueOn: '2026-12-29' });
    expect((await statusOf(complaint.id)).status).toBe('decision');
    const items = (await caseCorrespondence(t.services, complaint.id)).filter((i) => i.kind === 'draft-decision');
    expect(items).toHaveLength(2);
    const toComplainant = items.find((i) => i.audience === 'complainant');
    const toAuthority = items.find((i) => i.audience === 'authority');
    expect(toComplainant?.text).toContain('29 December 2026');
    expect(toComplainant?.text).toContain(issued.complainantLink);
    expect(toAuthority?.addressees).toEqual(['chief-executive', 'link-officers']);
    expect(toAuthority?.text).toContain('29 December 2026');
    expect(toAuthority?.deliveries.map((d) => d.address).sort()).toEqual(
      [...authority.officerEmails, authority.genericInbox, authority.chiefExecutiveEmail].sort(),
    );
    expect(toComplainant?.createdAt.getTime()).toBe(toAuthority?.createdAt.getTime());
  });

  it('refuses empty sections, evidence from another case, and a case not under investigation, changing nothing', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    const empty = await failure(
      t.services.decisions.issueDraft(investigator, complaint.id, { sections: { ...sections(), findings: ' ' } }),
    );
    expect(empty?.fields).toEqual([{ field: 'findings', message: 'Enter what i found' }]);
    const other = await caseUnderInvestigation();
    const doc = await t.services.complaints.addDocument(
      investigator,
      other.complaint.id,
      Buffer.from('%PDF-1.4\n%%EOF'),
      {
        filename: 'other.pdf',
        doNotDisclose: false,
        description: null,
      },
    );
    expect(
      (
        await failure(
          t.services.decisions.issueDraft(investigator, complaint.id, {
            sections: sections(),
            evidenceDocumentIds: [doc.id],
          }),
        )
      )?.code,
    ).toBe('validation');
    const assessed = await createComplaint(t.db, other.authority.id, 'assessment');
    const wrong = await failure(t.services.decisions.issueDraft(investigator, assessed.id, { sections: sections() }));
    expect(wrong?.code).toBe('conflict');
    expect(wrong?.message).toContain('under investigation');
    expect((await statusOf(complaint.id)).status).toBe('investigation');
    const drafts = await t.db.kysely
      .selectFrom('draft_decisions')
      .select('id')
      .where('complaint_id', '=', complaint.id)
      .execute();
    expect(drafts).toHaveLength(0);
  });

  it('is not open to an authority user or an intake officer', async () => {
    const { authority, complaint } = await caseUnderInvestigation();
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const intake = await actorFor(t.services, 'intake-officer');
    expect((await failure(t.services.decisions.issueDraft(lo, complaint.id, { sections: sections() })))?.code).toBe(
      'forbidden',
    );
    expect((await failure(t.services.decisions.issueDraft(intake, complaint.id, { sections: sections() })))?.code).toBe(
      'forbidden',
    );
  });

  it('a hook that refuses the draft rolls everything back', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    let refuse = true;
    t.services.decisions.onDraftIssued(async (_trx, _actor, e) => {
      if (refuse && e.complaintId === complaint.id)
        throw new DomainError('validation', 'A remedy is due in the past', [
          { field: 'remedies.0.dueDate', message: 'x' },
        ]);
    });
    const refused = await failure(
      t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() }),
    );
    expect(refused?.code).toBe('validation');
    expect((await statusOf(complaint.id)).status).toBe('investigation');
    expect(await caseCorrespondence(t.services, complaint.id)).toHaveLength(0);
    refuse = false;
  });
});

describe('comments on a draft', () => {
  it('arrive by portal, complainant link, email and staff entry; "no comments" is one action; late ones are kept and marked late', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint } = await caseUnderInvestigation();
    const issued = await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const byPortal = await t.services.decisions.comment(lo, issued.draftId, { text: 'We accept the findings.' });
    expect(byPortal.late).toBe(false);
    const linkToken = issued.complainantLink.split('/decision/')[1] ?? '';
    await t.services.decisions.commentByLink(linkToken, { noComments: true });
    at('2027-01-05T10:00:00Z');
    const emailed = await t.services.decisions.comment(investigator, issued.draftId, {
      party: 'complainant',
      channel: 'email',
      text: 'I also want the council to fix the windows.',
    });
    expect(emailed).toMatchObject({ late: true, dueOn: '2026-12-29' });
    const empty = await failure(t.services.decisions.comment(lo, issued.draftId, { text: '  ' }));
    expect(empty?.message).toBe('There is a problem with what was entered');
    const view = await t.services.decisions.caseDecision(investigator, complaint.id);
    const comments = view.drafts[0]?.comments ?? [];
    expect(comments.map((c) => [c.party, c.channel, c.noComments, c.late])).toEqual([
      ['authority', 'portal', false, false],
      ['complainant', 'complainant-link', true, false],
      ['complainant', 'email', false, true],
    ]);
    // The authority sees only its own comments.
    const asAuthority = await t.services.decisions.caseDecision(lo, complaint.id);
    expect(asAuthority.drafts[0]?.comments).toHaveLength(1);
  });

  it('another authority cannot see or comment on the draft', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    const issued = await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    const stranger = await actorFor(t.services, 'link-officer', (await createEnquiryAuthority(t.db)).id);
    expect((await failure(t.services.decisions.comment(stranger, issued.draftId, { noComments: true })))?.code).toBe(
      'not-found',
    );
    expect((await failure(t.services.decisions.caseDecision(stranger, complaint.id)))?.code).toBe('not-found');
  });

  it('the authority records that people criticised were shown the draft, not on a date in the future', async () => {
    at('2026-12-14T10:00:00Z');
    const { authority, complaint } = await caseUnderInvestigation();
    const issued = await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const future = await failure(
      t.services.decisions.recordDisclosure(lo, issued.draftId, {
        shownTo: 'Housing officer',
        shownOn: '2026-12-20',
        withEvidence: true,
      }),
    );
    expect(future?.fields[0]?.field).toBe('shownOn');
    await t.services.decisions.recordDisclosure(lo, issued.draftId, {
      shownTo: 'The housing officer and her team leader',
      shownOn: '2026-12-14',
      withEvidence: true,
    });
    const view = await t.services.decisions.caseDecision(investigator, complaint.id);
    expect(view.drafts[0]?.disclosures).toMatchObject([
      { shownTo: 'The housing officer and her team leader', shownOn: '2026-12-14', withEvidence: true },
    ]);
  });
});

describe('revised drafts', () => {
  it('are versioned with the differences between versions', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    const revised = await t.services.decisions.issueDraft(investigator, complaint.id, {
      sections: {
        ...sections('We find fault, but no injustice.'),
        findings: 'The council did not inspect the property.\nIt moved the family in March.',
      },
    });
    expect(revised.version).toBe(2);
    const v2 = await t.services.decisions.draftVersion(investigator, complaint.id, 2);
    expect(v2.compareWith).toBe(1);
    const findings = v2.diff?.find((s) => s.key === 'findings');
    expect(findings?.lines).toEqual([
      { op: 'same', text: 'The council did not inspect the property.' },
      { op: 'removed', text: 'It did not move the family.' },
      { op: 'added', text: 'It moved the family in March.' },
    ]);
    expect(v2.diff?.find((s) => s.key === 'complaint')?.changed).toBe(false);
    const all = await t.services.decisions.caseDecision(investigator, complaint.id);
    expect(all.drafts.map((d) => [d.version, d.current])).toEqual([
      [2, true],
      [1, false],
    ]);
  });
});

describe('the final decision', () => {
  it('needs a draft on an investigated case; then goes to both parties and closes the case with its outcome', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    const early = await failure(
      t.services.decisions.issueFinal(investigator, complaint.id, { outcome: 'not-upheld', statement: 'No fault.' }),
    );
    expect(early?.code).toBe('conflict');
    expect(early?.message).toContain('Issue a draft decision first');
    await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections('No fault.') });
    at('2027-01-04T10:00:00Z');
    const final = await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'We do not uphold the complaint.',
    });
    expect(await statusOf(complaint.id)).toEqual({ status: 'closed', outcome: 'not-upheld' });
    expect(final.reviewDueOn).toBe('2027-02-01');
    const finals = (await caseCorrespondence(t.services, complaint.id)).filter((i) => i.kind === 'final-decision');
    expect(finals.map((i) => i.audience).sort()).toEqual(['authority', 'complainant']);
    expect(await t.services.decisions.finalDecision(complaint.id)).toMatchObject({
      outcome: 'not-upheld',
      form: 'decision',
    });
    const again = await failure(
      t.services.decisions.issueFinal(investigator, complaint.id, { outcome: 'not-upheld', statement: 'Again.' }),
    );
    expect(again?.message).toContain('already');
  });

  it('stays in remedy while work is open, and closes when the last piece completes', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    let open = true;
    t.services.decisions.addOpenWork(async (_trx, id) => (id === complaint.id && open ? 'remedies outstanding' : null));
    await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'upheld-injustice',
      statement: 'Fault.',
      earlyConfirmed: true,
      earlyReason: 'Both parties have said they have nothing to add.',
    });
    expect((await statusOf(complaint.id)).status).toBe('remedy');
    expect(
      await t.db.kysely
        .transaction()
        .execute((trx) => t.services.decisions.closeIfComplete(trx, investigator, complaint.id)),
    ).toBe(false);
    open = false;
    expect(
      await t.db.kysely
        .transaction()
        .execute((trx) => t.services.decisions.closeIfComplete(trx, investigator, complaint.id)),
    ).toBe(true);
    expect(await statusOf(complaint.id)).toEqual({ status: 'closed', outcome: 'upheld-injustice' });
  });
});

describe('post-decision review', () => {
  it('is asked for within the period and decided by a casework manager who was not involved', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    const involvedManager = await actorFor(t.services, 'casework-manager');
    await t.services.decisions.issueDraft(involvedManager, complaint.id, { sections: sections() });
    const final = await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'No fault.',
      earlyConfirmed: true,
      earlyReason: 'Both parties have said they have nothing to add.',
    });
    const token = final.complainantLink.split('/decision/')[1] ?? '';
    const reviewId = await t.services.decisions.requestReviewByLink(token, 'You ignored my photographs.');
    expect((await failure(t.services.decisions.requestReviewByLink(token, 'Again')))?.message).toContain('already');
    const refused = await failure(
      t.services.decisions.decideReview(involvedManager, reviewId, { result: 'decision-stands', reason: 'Sound.' }),
    );
    expect(refused).toMatchObject({ code: 'forbidden' });
    expect(refused?.message).toContain('was not involved');
    const other = await actorFor(t.services, 'casework-manager');
    await t.services.decisions.decideReview(other, reviewId, {
      result: 'decision-changed',
      newOutcome: 'upheld-no-injustice',
      reason: 'The photographs show the damp.',
    });
    expect((await t.services.decisions.finalDecision(complaint.id))?.outcome).toBe('upheld-no-injustice');
  });

  it('out of time gets a clear message', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseUnderInvestigation();
    await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    const final = await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'No fault.',
      earlyConfirmed: true,
      earlyReason: 'Both parties have said they have nothing to add.',
    });
    at('2027-02-15T10:00:00Z');
    const late = await failure(
      t.services.decisions.requestReviewByLink(final.complainantLink.split('/decision/')[1] ?? '', 'Too late?'),
    );
    expect(late?.message).toBe(`A review can no longer be asked for: the time to ask ended on 13 January 2027`);
  });
});

describe('timeline, findings and the API', () => {
  it('the timeline runs from the authority’s own handling to the final decision; the authority sees its part only', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint } = await caseUnderInvestigation();
    const issued = await t.services.decisions.issueDraft(investigator, complaint.id, { sections: sections() });
    at('2026-12-11T11:00:00Z');
    await t.services.decisions.commentByLink(issued.complainantLink.split('/decision/')[1] ?? '', {
      text: 'Thank you.',
    });
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    at('2026-12-14T10:00:00Z');
    await t.services.decisions.comment(lo, issued.draftId, { noComments: true });
    at('2027-01-04T10:00:00Z');
    await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'No fault.',
    });
    const staff = await t.services.complaints.timeline(investigator, complaint.id);
    const kinds = staff.map((e) => e.kind).reverse();
    expect(kinds[0]).toBe('authority-handling');
    expect(kinds).toEqual(expect.arrayContaining(['draft', 'comment', 'decision', 'closure']));
    expect(kinds.indexOf('draft')).toBeLessThan(kinds.indexOf('comment'));
    expect(kinds.indexOf('comment')).toBeLessThan(kinds.indexOf('decision'));
    const portal = await t.services.complaints.timeline(lo, complaint.id);
    expect(portal.some((e) => e.label.startsWith('Comments from the complainant'))).toBe(false);
    expect(portal.some((e) => e.label.startsWith('No comments from the authority'))).toBe(true);
    expect(portal.every((e) => e.by === null)).toBe(true);

    const staffToken = await token('investigator', null);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${complaint.id}/timeline?kind=comment`,
      headers: staffToken,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ events: { kind: string }[] }>().events.map((e) => e.kind)).toEqual(['comment', 'comment']);
    const stranger = await token('link-officer', (await createEnquiryAuthority(t.db)).id);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/complaints/${complaint.id}/timeline`, headers: stranger }))
        .statusCode,
    ).toBe(404);
  });

  it('API: draft, late comment by an authority token, final decision, and a final decision without a draft refused', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint } = await caseUnderInvestigation();
    const staff = await token('investigator', null);
    const noDraft = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/final-decision`,
      headers: staff,
      payload: { outcome: 'upheld-injustice', text: 'Fault.' },
    });
    expect(noDraft.statusCode).toBe(409);
    const draft = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/draft-decisions`,
      headers: staff,
      payload: { text: 'We find fault.', remedies: [] },
    });
    expect(draft.statusCode).toBe(201);
    const { id, commentDueOn } = draft.json<{ id: string; commentDueOn: string }>();
    expect(commentDueOn).toBe('2026-12-29');
    at('2027-01-06T10:00:00Z');
    const lo = await token('link-officer', authority.id);
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/v1/draft-decisions/${id}/comments`,
      headers: lo,
      payload: { text: 'Sorry these are late.' },
    });
    expect(comment.statusCode).toBe(201);
    expect(comment.json()).toMatchObject({ late: true });
    const final = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/final-decision`,
      headers: staff,
      payload: { outcome: 'not-upheld', text: 'No fault after all.' },
    });
    expect(final.statusCode).toBe(201);
    expect(final.json()).toMatchObject({ outcome: 'not-upheld', caseStatus: 'closed' });
  });

  it('the monitoring officer lists findings of fault in a period and exports them as CSV', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const fault = await caseUnderInvestigation(authority);
    const noFault = await caseUnderInvestigation(authority);
    for (const c of [fault, noFault])
      await t.services.decisions.issueDraft(investigator, c.complaint.id, { sections: sections() });
    at('2027-01-04T10:00:00Z');
    await t.services.decisions.issueFinal(investigator, fault.complaint.id, {
      outcome: 'upheld-injustice',
      statement: 'Fault.',
    });
    await t.services.decisions.issueFinal(investigator, noFault.complaint.id, {
      outcome: 'not-upheld',
      statement: 'No fault.',
    });
    const user = await actorFor(t.services, 'senior-officer', authority.id);
    const rows = await t.services.decisions.findings(user, '2027-01-01', '2027-01-31');
    expect(rows.map((r) => r.reference)).toEqual([fault.complaint.reference]);
    expect(await t.services.decisions.findings(user, '2027-02-01', '2027-02-28')).toEqual([]);
    const client = new TestClient(t.app).withSession(await sessionAt(t.db, user.id, clock.now()));
    const csv = await client.get('/portal/findings.csv?from=2027-01-01&to=2027-01-31');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('Reference,Service,Decided on,Finding,Decision or report,Remedies,Statement');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(fault.complaint.reference);
    expect(lines[1]).toContain('Upheld: fault causing injustice');
    const page = await client.get('/portal/findings?from=2027-01-01&to=2027-01-31');
    expect(page.body).toContain(fault.complaint.reference);
    expect(page.body).not.toContain(noFault.complaint.reference);
  });
});
