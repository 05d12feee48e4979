import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import type { RemedyProposal } from '../../src/modules/decisions/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  actorFor,
  caseCorrespondence,
  createComplaint,
  createEnquiryAuthority,
  type EnquiryAuthority,
} from './enquiries.fixtures.ts';

// Friday 11 December 2026, 10:00 in London.
const clock = new FixedClock(new Date('2026-12-11T10:00:00Z'));
let t: TestApp;
let investigator: Actor;
let coordinator: Actor;
let manager: Actor;

beforeAll(async () => {
  t = await createTestApp({ clock });
  investigator = await actorFor(t.services, 'investigator');
  coordinator = await actorFor(t.services, 'team-coordinator');
  manager = await actorFor(t.services, 'casework-manager');
});
afterAll(async () => {
  await t.close();
});

const at = (iso: string) => clock.set(new Date(iso));

const sections = {
  complaint: 'Mrs B complains the council left her family in damp temporary accommodation.',
  findings: 'The council did not inspect the property.',
  proposedRemedy: 'Apologise and pay £300.',
  decision: 'We find fault causing injustice.',
};

const APOLOGY: RemedyProposal = {
  type: 'apology',
  description: 'Apologise in writing to Mrs B for the delay in moving the family.',
  dueInWorkingDays: 20,
};
const PAYMENT: RemedyProposal = {
  type: 'financial',
  description: 'Pay Mrs B £300 for the distress caused.',
  amountPence: 30_000,
  dueDate: '2027-01-29',
};

async function caseWithDraft(remedies: RemedyProposal[], authority?: EnquiryAuthority) {
  const a = authority ?? (await createEnquiryAuthority(t.db));
  const complaint = await createComplaint(t.db, a.id);
  const draft = await t.services.decisions.issueDraft(investigator, complaint.id, { sections, remedies });
  return { authority: a, complaint, draft };
}

async function agreedCase(remedies: RemedyProposal[] = [APOLOGY, PAYMENT], authority?: EnquiryAuthority) {
  const made = await caseWithDraft(remedies, authority);
  await t.services.decisions.issueFinal(investigator, made.complaint.id, {
    outcome: 'upheld-injustice',
    statement: 'We uphold the complaint.',
    earlyConfirmed: true,
    earlyReason: 'Both parties have said they have nothing to add.',
  });
  const list = await t.services.remedies.forComplaint(investigator, made.complaint.id);
  return { ...made, remedies: list };
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
  t.db.kysely.selectFrom('complaints').select(['status', 'outcome']).where('id', '=', id).executeTakeFirstOrThrow();

async function token(role: 'link-officer' | 'investigator' | 'team-coordinator', authorityId: string | null) {
  const created = await t.services.apiTokens.createFromCommandLine({ name: `t-${role}`, role, authorityId });
  return { authorization: `Bearer ${created.token}` };
}

describe('remedies proposed with a draft', () => {
  it('are kept with the draft version; a revised draft replaces them', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseWithDraft([APOLOGY]);
    let list = await t.services.remedies.forComplaint(investigator, complaint.id);
    expect(list.map((r) => [r.draftVersion, r.type, r.status])).toEqual([[1, 'apology', 'proposed']]);

    await t.services.decisions.issueDraft(investigator, complaint.id, { sections, remedies: [APOLOGY, PAYMENT] });
    list = await t.services.remedies.forComplaint(investigator, complaint.id);
    expect(list.map((r) => [r.draftVersion, r.type, r.status, r.amount])).toEqual([
      [2, 'apology', 'proposed', null],
      [2, 'financial', 'proposed', '£300.00'],
      [1, 'apology', 'superseded', null],
    ]);
  });

  it('with a due date in the past, a payment with no amount or a vague description, rolls the whole draft back', async () => {
    at('2026-12-11T10:00:00Z');
    const authority = await createEnquiryAuthority(t.db);
    const complaint = await createComplaint(t.db, authority.id);
    const bad = await failure(
      t.services.decisions.issueDraft(investigator, complaint.id, {
        sections,
        remedies: [
          { ...PAYMENT, dueDate: '2026-12-10' },
          { type: 'financial', description: 'Pay Mrs B for her time and trouble.' },
          { type: 'apology', description: 'Sorry' },
        ],
      }),
    );
    expect(bad?.code).toBe('validation');
    expect(bad?.fields).toEqual([
      {
        field: 'remedies.0.dueDate',
        message: 'Remedy 1: the due date 10 December 2026 is in the past: choose today or a later date',
      },
      { field: 'remedies.1.amount', message: 'Remedy 2: a financial payment needs an amount above £0' },
      {
        field: 'remedies.2.description',
        message: 'Remedy 3: describe what the authority must do, specifically enough to check it was done',
      },
    ]);
    // Nothing changed: no draft, no remedies, no letters, the case still under investigation.
    expect(await statusOf(complaint.id)).toEqual({ status: 'investigation', outcome: null });
    expect(await t.services.remedies.forComplaint(investigator, complaint.id)).toEqual([]);
    expect(await caseCorrespondence(t.services, complaint.id)).toEqual([]);
    const drafts = await t.db.kysely
      .selectFrom('draft_decisions')
      .select('id')
      .where('complaint_id', '=', complaint.id)
      .execute();
    expect(drafts).toEqual([]);
  });
});

describe('the final decision', () => {
  it('agrees the latest draft’s remedies with due dates and keeps the case open for them', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint, remedies } = await agreedCase([
      APOLOGY,
      PAYMENT,
      { type: 'service-improvement', description: 'Review how damp reports in temporary housing are inspected.' },
    ]);
    // 20 working days from Friday 11 December 2026 skip Christmas, Boxing Day (substitute 28th) and New Year.
    expect(remedies.map((r) => [r.type, r.status, r.dueOn])).toEqual([
      ['apology', 'agreed', '2027-01-13'],
      ['financial', 'agreed', '2027-01-29'],
      ['service-improvement', 'agreed', '2027-01-13'],
    ]);
    expect(await statusOf(complaint.id)).toEqual({ status: 'remedy', outcome: null });
  });

  it('withdraws the proposed remedies when no fault is found, and the case closes', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint } = await caseWithDraft([APOLOGY]);
    await t.services.decisions.issueFinal(investigator, complaint.id, {
      outcome: 'not-upheld',
      statement: 'We do not uphold the complaint.',
      earlyConfirmed: true,
      earlyReason: 'Both parties have said they have nothing to add.',
    });
    const list = await t.services.remedies.forComplaint(investigator, complaint.id);
    expect(list.map((r) => r.status)).toEqual(['withdrawn']);
    expect(await statusOf(complaint.id)).toEqual({ status: 'closed', outcome: 'not-upheld' });
  });
});

describe('evidence of compliance', () => {
  it('is taken from the authority’s own token, marked late after the due date, and refused for another authority', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint, remedies } = await agreedCase([APOLOGY]);
    const remedy = remedies[0];
    if (!remedy) throw new Error('no remedy');
    const own = await token('link-officer', authority.id);
    const other = await token('link-officer', (await createEnquiryAuthority(t.db)).id);
    const staff = await token('investigator', null);
    const post = (headers: Record<string, string>, body: unknown) =>
      t.app.inject({ method: 'POST', url: `/api/v1/remedies/${remedy.id}/evidence`, headers, payload: body as object });

    const stranger = await post(other, { description: 'We apologised.' });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json<{ detail: string }>().detail).toBe(
      'The remedy (evidence is taken only for your own authority’s remedies) could not be found',
    );
    expect((await post(staff, { description: 'We apologised.' })).statusCode).toBe(403);
    expect((await post(own, { description: '' })).statusCode).toBe(400);

    at('2027-01-14T10:00:00Z'); // the day after the due date
    const letter = Buffer.from('%PDF-1.4\n% apology letter\n').toString('base64');
    const res = await post(own, {
      description: 'Our letter of apology to Mrs B, sent on 14 January.',
      document: { filename: 'apology.pdf', contentBase64: letter },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ remedyId: remedy.id, status: 'submitted', late: true });
    // A second piece while the first waits for review is refused, clearly.
    const again = await post(own, { description: 'And another copy.' });
    expect(again.statusCode).toBe(409);

    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${complaint.id}/remedies`,
      headers: own,
    });
    expect(listed.statusCode).toBe(200);
    const [item] = listed.json<{
      items: { late: boolean; evidence: { late: boolean; documentId: string | null }[] }[];
    }>().items;
    expect(item?.late).toBe(true);
    expect(item?.evidence[0]?.late).toBe(true);
    expect(item?.evidence[0]?.documentId).not.toBeNull();
    const hidden = await t.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${complaint.id}/remedies`,
      headers: other,
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('is not taken for a remedy only proposed', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint } = await caseWithDraft([APOLOGY]);
    const [remedy] = await t.services.remedies.forComplaint(investigator, complaint.id);
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const refused = await failure(t.services.remedies.submitEvidence(lo, remedy?.id ?? '', { description: 'Done.' }));
    expect(refused).toMatchObject({
      code: 'conflict',
      message: 'This remedy has not been agreed: evidence is taken only for remedies agreed in a final decision',
    });
  });

  it('returned with reasons, then accepted: the remedy is complied with late, the rates change and the case closes', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, complaint, remedies } = await agreedCase([APOLOGY]);
    const remedyId = remedies[0]?.id ?? '';
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const before = await t.services.remedies.rates(coordinator, authority.id, '2027-02-01');
    expect(before).toMatchObject({ counted: 1, complied: 0, complianceRate: 0, onTimeRate: 0 });

    at('2027-01-15T10:00:00Z');
    const first = await t.services.remedies.submitEvidence(lo, remedyId, { description: 'We phoned Mrs B.' });
    const noReason = await failure(
      t.services.remedies.reviewEvidence(coordinator, remedyId, first.id, { decision: 'return', reason: ' ' }),
    );
    expect(noReason?.fields).toEqual([{ field: 'reason', message: 'Give the reasons the evidence is returned' }]);
    const investigatorTries = await failure(
      t.services.remedies.reviewEvidence(investigator, remedyId, first.id, { decision: 'accept' }),
    );
    expect(investigatorTries?.code).toBe('forbidden');

    const returned = await t.services.remedies.reviewEvidence(coordinator, remedyId, first.id, {
      decision: 'return',
      reason: 'A phone call is not a written apology.',
    });
    expect(returned).toEqual({ remedyStatus: 'agreed', evidenceStatus: 'returned', caseClosed: false });
    const told = (await caseCorrespondence(t.services, complaint.id)).find((i) =>
      i.subject.startsWith('Evidence of compliance returned'),
    );
    expect(told?.text).toContain('A phone call is not a written apology.');

    at('2027-01-18T10:00:00Z');
    const second = await t.services.remedies.submitEvidence(lo, remedyId, { description: 'Our written apology.' });
    expect(second.late).toBe(true);
    const accepted = await t.services.remedies.reviewEvidence(coordinator, remedyId, second.id, { decision: 'accept' });
    expect(accepted).toEqual({ remedyStatus: 'complied', evidenceStatus: 'accepted', caseClosed: true });
    expect(await statusOf(complaint.id)).toEqual({ status: 'closed', outcome: 'upheld-injustice' });

    const after = await t.services.remedies.rates(lo, authority.id, '2027-02-01');
    expect(after).toMatchObject({ counted: 1, complied: 1, onTime: 0, complianceRate: 100, onTimeRate: 0 });
    const again = await failure(
      t.services.remedies.reviewEvidence(coordinator, remedyId, second.id, { decision: 'accept' }),
    );
    expect(again).toMatchObject({ code: 'conflict', message: 'This evidence has already been accepted' });

    // The timeline tells it in order.
    const events = (await t.services.complaints.timeline(investigator, complaint.id))
      .filter((e) => e.kind === 'remedy' || e.kind === 'evidence')
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => e.label);
    expect(events).toEqual([
      'Remedy agreed, due 13 January 2027',
      'Remedy late: past its due date without accepted evidence',
      'Evidence of compliance sent late',
      'Evidence returned',
      'Evidence of compliance sent late',
      'Evidence accepted: remedy complied with',
    ]);
  });

  it('accepted before the due date counts on time; another authority cannot read the rates', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, remedies } = await agreedCase([PAYMENT]);
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    at('2026-12-15T10:00:00Z');
    const ev = await t.services.remedies.submitEvidence(lo, remedies[0]?.id ?? '', {
      description: 'Paid £300 by BACS.',
    });
    expect(ev.late).toBe(false);
    await t.services.remedies.reviewEvidence(coordinator, remedies[0]?.id ?? '', ev.id, { decision: 'accept' });
    expect(await t.services.remedies.rates(coordinator, authority.id, '2026-12-31')).toMatchObject({
      counted: 1,
      complianceRate: 100,
      onTimeRate: 100,
    });
    const stranger = await actorFor(t.services, 'link-officer', (await createEnquiryAuthority(t.db)).id);
    expect((await failure(t.services.remedies.rates(stranger, authority.id)))?.code).toBe('not-found');
  });

  it('is reviewed over the API by a team coordinator', async () => {
    at('2026-12-11T10:00:00Z');
    const { authority, remedies } = await agreedCase([APOLOGY]);
    const remedyId = remedies[0]?.id ?? '';
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const ev = await t.services.remedies.submitEvidence(lo, remedyId, { description: 'Letter sent.' });
    const url = `/api/v1/remedies/${remedyId}/evidence/${ev.id}/review`;
    const investigatorToken = await token('investigator', null);
    const denied = await t.app.inject({
      method: 'POST',
      url,
      headers: investigatorToken,
      payload: { decision: 'accept' },
    });
    expect(denied.statusCode).toBe(403);
    const coordinatorToken = await token('team-coordinator', null);
    const noReason = await t.app.inject({
      method: 'POST',
      url,
      headers: coordinatorToken,
      payload: { decision: 'return' },
    });
    expect(noReason.statusCode).toBe(400);
    const ok = await t.app.inject({ method: 'POST', url, headers: coordinatorToken, payload: { decision: 'accept' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ remedyStatus: 'complied', evidenceStatus: 'accepted', caseClosed: true });
  });
});

describe('reminders and escalation', () => {
  it('remind before the date and when late, escalate to a casework manager, each once under concurrent sweeps', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint, remedies } = await agreedCase([APOLOGY]);
    const remedyId = remedies[0]?.id ?? '';
    const reminders = async () =>
      (await caseCorrespondence(t.services, complaint.id))
        .filter((i) => i.kind === 'reminder')
        .map((i) => i.subject.replace(/ \(our reference.*$/, ''));

    // Due Wednesday 13 January 2027: five working days before is Wednesday 6 January.
    at('2027-01-05T10:00:00Z');
    await Promise.all([t.services.remedies.sweep(), t.services.remedies.sweep()]);
    expect(await reminders()).toEqual([]);
    at('2027-01-06T10:00:00Z');
    await Promise.all([t.services.remedies.sweep(), t.services.remedies.sweep(), t.services.remedies.sweep()]);
    await t.services.remedies.sweep();
    expect(await reminders()).toEqual([`Reminder: a remedy on complaint ${complaint.reference} is due soon`]);

    at('2027-01-14T10:00:00Z');
    await Promise.all([t.services.remedies.sweep(), t.services.remedies.sweep()]);
    expect((await reminders()).sort()).toEqual(
      [
        `Overdue: a remedy on complaint ${complaint.reference}`,
        `Reminder: a remedy on complaint ${complaint.reference} is due soon`,
      ].sort(),
    );
    let work = await t.services.remedies.workList(manager);
    expect(work.late.map((r) => r.id)).toContain(remedyId);
    expect(work.escalated.map((r) => r.id)).not.toContain(remedyId);

    // Ten working days late: Wednesday 27 January 2027.
    at('2027-01-27T10:00:00Z');
    const [a, b] = await Promise.all([t.services.remedies.sweep(), t.services.remedies.sweep()]);
    expect((a?.escalated ?? 0) + (b?.escalated ?? 0)).toBeGreaterThanOrEqual(1);
    work = await t.services.remedies.workList(manager);
    expect(work.escalated.map((r) => r.id)).toContain(remedyId);
    expect(await reminders()).toHaveLength(2);
    const once = await t.db.kysely
      .selectFrom('remedy_reminders')
      .select(['kind'])
      .where('remedy_id', '=', remedyId)
      .orderBy('kind')
      .execute();
    expect(once.map((r) => r.kind)).toEqual(['before-due', 'escalated-manager', 'overdue']);
  });
});

describe('a casework manager’s actions', () => {
  it('are recorded; more time is exceptional, with a reason and a later working day', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint, remedies } = await agreedCase([APOLOGY]);
    const remedyId = remedies[0]?.id ?? '';
    at('2027-01-27T10:00:00Z');
    await t.services.remedies.sweep();

    expect(
      (await failure(t.services.remedies.takeAction(coordinator, remedyId, { action: 'case-conference', note: 'x' })))
        ?.code,
    ).toBe('forbidden');
    const noReason = await failure(
      t.services.remedies.takeAction(manager, remedyId, { action: 'more-time', note: '', newDueOn: '2027-02-15' }),
    );
    expect(noReason?.fields).toEqual([{ field: 'note', message: 'Give the exceptional reason for more time' }]);
    const past = await failure(
      t.services.remedies.takeAction(manager, remedyId, {
        action: 'more-time',
        note: 'Illness.',
        newDueOn: '2027-01-20',
      }),
    );
    expect(past?.fields[0]?.message).toBe('The new due date must be after today and after the current due date');

    await t.services.remedies.takeAction(manager, remedyId, {
      action: 'wrote-to-chief-executive',
      note: 'Please make sure the apology is sent this week.',
    });
    const letter = (await caseCorrespondence(t.services, complaint.id)).find((i) =>
      i.subject.startsWith('Remedy not complied with'),
    );
    expect(letter?.isLetter).toBe(true);
    at('2027-01-28T10:00:00Z');
    await t.services.remedies.takeAction(manager, remedyId, {
      action: 'more-time',
      note: 'The officer responsible has been seriously ill.',
      newDueOn: '2027-02-15',
    });
    const [after] = await t.services.remedies.forComplaint(manager, complaint.id);
    expect(after).toMatchObject({ dueOn: '2027-02-15', agreedDueOn: '2027-01-13', late: false, escalatedAt: null });
    expect(after?.actions.map((x) => x.action)).toEqual(['wrote-to-chief-executive', 'more-time']);
  });

  it('“not complete and not satisfied” opens a new case linked to this one, and this one closes', async () => {
    at('2026-12-11T10:00:00Z');
    const { complaint, remedies } = await agreedCase([APOLOGY]);
    const remedyId = remedies[0]?.id ?? '';
    at('2027-02-01T10:00:00Z');
    await t.services.remedies.takeAction(manager, remedyId, { action: 'case-conference', note: 'Held on 29 January.' });
    await t.services.remedies.takeAction(manager, remedyId, {
      action: 'consider-public-report',
      note: 'Referred to the report panel.',
    });
    const { linkedComplaintId } = await t.services.remedies.takeAction(manager, remedyId, {
      action: 'not-satisfied',
      note: 'No apology after three reminders.',
    });
    expect(linkedComplaintId).not.toBeNull();
    const linked = await t.db.kysely
      .selectFrom('complaints')
      .select(['status', 'linked_from_complaint_id', 'reference', 'authority_id'])
      .where('id', '=', linkedComplaintId ?? '')
      .executeTakeFirstOrThrow();
    expect(linked).toMatchObject({ status: 'intake', linked_from_complaint_id: complaint.id });
    expect(linked.reference).not.toBe(complaint.reference);
    expect(await statusOf(complaint.id)).toEqual({ status: 'closed', outcome: 'upheld-injustice' });
    const [after] = await t.services.remedies.forComplaint(manager, complaint.id);
    expect(after?.status).toBe('not-satisfied');
    const lo = await actorFor(t.services, 'link-officer', linked.authority_id);
    expect(
      (await failure(t.services.remedies.submitEvidence(lo, remedyId, { description: 'Late apology.' })))?.code,
    ).toBe('conflict');
  });
});
