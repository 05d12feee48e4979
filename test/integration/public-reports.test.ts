import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/factories.ts';
import {
  actorFor,
  caseCorrespondence,
  createComplaint,
  createEnquiryAuthority,
  type EnquiryAuthority,
} from './enquiries.fixtures.ts';

// Monday 11 January 2027, 10:00 in London.
const clock = new FixedClock(new Date('2027-01-11T10:00:00Z'));
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
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

const SECTIONS = {
  complaint: 'Mrs A complained about damp in temporary accommodation.',
  findings: 'The council left the family there for eleven months; this is the third such case this year.',
  proposedRemedy: 'Apologise, pay £1,500 and review every family in temporary accommodation.',
  decision: 'Fault causing injustice.',
};

interface Leaders extends EnquiryAuthority {
  monitoringOfficerEmail: string;
  housingHeadEmail: string;
  planningHeadEmail: string;
}

async function officer(
  db: Db,
  authorityId: string,
  role: 'monitoring-officer' | 'head-of-service',
  area: string | null,
  email: string,
) {
  await db.kysely
    .insertInto('senior_officers')
    .values({
      authority_id: authorityId,
      role,
      service_area: area,
      title: null,
      name: role === 'monitoring-officer' ? 'Idris Vaughan' : `Head of ${area}`,
      job_title: role === 'monitoring-officer' ? 'Monitoring Officer' : 'Director',
      email,
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
}

async function leaders(options: { housingHead?: boolean } = {}): Promise<Leaders> {
  const authority = await createEnquiryAuthority(t.db);
  const s = authority.chiefExecutiveEmail.replace(/^chief\.executive-|@.*$/g, '');
  const monitoringOfficerEmail = `monitoring-${s}@council.example`;
  const housingHeadEmail = `housing-${s}@council.example`;
  const planningHeadEmail = `planning-${s}@council.example`;
  await officer(t.db, authority.id, 'monitoring-officer', null, monitoringOfficerEmail);
  if (options.housingHead !== false) await officer(t.db, authority.id, 'head-of-service', 'housing', housingHeadEmail);
  await officer(t.db, authority.id, 'head-of-service', 'planning', planningHeadEmail);
  return { ...authority, monitoringOfficerEmail, housingHeadEmail, planningHeadEmail };
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message };
    throw error;
  }
  return null;
};

const status = async (complaintId: string) =>
  await t.db.kysely
    .selectFrom('complaints')
    .select(['status', 'outcome'])
    .where('id', '=', complaintId)
    .executeTakeFirstOrThrow();

async function token(role: 'link-officer' | 'investigator', authorityId: string | null) {
  const created = await t.services.apiTokens.createFromCommandLine({ name: `t-${role}`, role, authorityId });
  return { authorization: `Bearer ${created.token}` };
}

describe('the draft report', () => {
  it('goes out with a three-week comment period and alerts the chief executive, monitoring officer and the housing head of service', async () => {
    at('2027-01-11T10:00:00Z');
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id);
    const issued = await t.services.publicReports.propose(investigator, complaint.id, {
      criteria: ['recurrent-fault', 'systemic'],
      sections: SECTIONS,
    });
    expect(issued.commentDueOn).toBe('2027-02-01');
    expect(issued.alerted.map((a) => [a.role, a.email, a.fallback])).toEqual([
      ['chief-executive', authority.chiefExecutiveEmail, false],
      ['monitoring-officer', authority.monitoringOfficerEmail, false],
      ['head-of-service', authority.housingHeadEmail, false],
    ]);
    expect(issued.report.status).toBe('draft');
    expect(issued.report.criteria.map((c) => c.id)).toEqual(['recurrent-fault', 'systemic']);
    expect((await status(complaint.id)).status).toBe('decision');

    const items = await caseCorrespondence(t.services, complaint.id);
    const alert = items.find((i) => i.kind === 'public-report-alert');
    expect(alert?.deliveries.map((d) => [d.role, d.address]).sort()).toEqual(
      [
        ['chief-executive', authority.chiefExecutiveEmail],
        ['head-of-service', authority.housingHeadEmail],
        ['monitoring-officer', authority.monitoringOfficerEmail],
      ].sort(),
    );
    expect(alert?.deliveries.map((d) => d.address)).not.toContain(authority.planningHeadEmail);
    // The draft report itself went to both parties, as a draft decision does.
    expect(items.filter((i) => i.kind === 'draft-decision')).toHaveLength(2);
  });

  it('alerts the chief executive in place of a head of service the authority has not recorded', async () => {
    at('2027-01-11T10:00:00Z');
    const authority = await leaders({ housingHead: false });
    const complaint = await createComplaint(t.db, authority.id);
    const issued = await t.services.publicReports.propose(investigator, complaint.id, {
      criteria: ['significant-injustice'],
      sections: SECTIONS,
    });
    const head = issued.alerted.find((a) => a.role === 'head-of-service');
    expect(head).toMatchObject({ email: authority.chiefExecutiveEmail, fallback: true });
  });

  it('is refused on a case that is not under investigation, and nothing is written', async () => {
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id, 'assessment');
    const result = await failure(
      t.services.publicReports.propose(investigator, complaint.id, { criteria: ['systemic'], sections: SECTIONS }),
    );
    expect(result).toEqual({
      code: 'conflict',
      message: 'A public report can only be proposed on a case under investigation',
    });
    const reports = await t.db.kysely
      .selectFrom('public_reports')
      .select('id')
      .where('complaint_id', '=', complaint.id)
      .execute();
    expect(reports).toHaveLength(0);
    expect(await caseCorrespondence(t.services, complaint.id)).toHaveLength(0);
  });

  it('needs at least one criterion and a link officer cannot propose one', async () => {
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id);
    expect(
      (
        await failure(
          t.services.publicReports.propose(investigator, complaint.id, { criteria: [], sections: SECTIONS }),
        )
      )?.code,
    ).toBe('validation');
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    expect(
      (
        await failure(
          t.services.publicReports.propose(lo, complaint.id, { criteria: ['systemic'], sections: SECTIONS }),
        )
      )?.code,
    ).toBe('forbidden');
  });
});

describe('the final report and its statutory steps', () => {
  it('runs from the final report through a further report to a letter of satisfaction that closes the case', async () => {
    at('2027-01-11T10:00:00Z');
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id);
    expect(
      await failure(t.services.publicReports.issueFinal(investigator, complaint.id, { statement: 'Final.' })),
    ).toMatchObject({ code: 'conflict', message: 'Issue a draft report before the final report' });
    const draft = await t.services.publicReports.propose(investigator, complaint.id, {
      criteria: ['recurrent-fault'],
      sections: SECTIONS,
    });

    at('2027-02-15T10:00:00Z');
    const final = await t.services.publicReports.issueFinal(investigator, complaint.id, {
      statement: 'The council was at fault and caused injustice.',
    });
    expect(final.report.status).toBe('final');
    expect(final.report.finalIssuedOn).toBe('2027-02-15');
    expect(final.report.currentSteps.map((s) => [s.kind, s.dueOn])).toEqual([
      ['public-notice', '2027-03-01'],
      ['public-inspection', '2027-03-22'],
      ['consideration', '2027-05-15'],
      ['notification', '2027-05-15'],
    ]);
    // The case stays open while statutory steps are outstanding.
    expect((await status(complaint.id)).status).toBe('remedy');

    const satisfyEarly = await failure(
      t.services.publicReports.satisfy(investigator, draft.report.id, { text: 'We are satisfied.' }),
    );
    expect(satisfyEarly?.code).toBe('conflict');
    expect(satisfyEarly?.message).toMatch(/^Statutory steps are still outstanding/);

    // The authority records the steps in the portal; another authority cannot see or touch them.
    const lo = await actorFor(t.services, 'link-officer', authority.id);
    const other = await leaders();
    const stranger = await actorFor(t.services, 'link-officer', other.id);
    const stepOf = (i: number) => {
      const step = final.report.currentSteps[i];
      if (!step) throw new Error(`No step ${i}`);
      return step;
    };
    const [notice, inspection, consideration, notification] = [0, 1, 2, 3].map(stepOf) as [
      (typeof final.report.currentSteps)[number],
      (typeof final.report.currentSteps)[number],
      (typeof final.report.currentSteps)[number],
      (typeof final.report.currentSteps)[number],
    ];
    expect(
      (
        await failure(
          t.services.publicReports.completeStep(stranger, draft.report.id, notice.id, {
            filename: 'n.pdf',
            bytes: PDF,
          }),
        )
      )?.code,
    ).toBe('not-found');
    expect((await failure(t.services.publicReports.get(stranger, draft.report.id)))?.code).toBe('not-found');
    expect((await failure(t.services.publicReports.completeStep(lo, draft.report.id, notice.id, null)))?.code).toBe(
      'validation',
    );

    at('2027-03-03T10:00:00Z');
    expect(
      await t.services.publicReports.completeStep(lo, draft.report.id, notice.id, {
        filename: 'notice.pdf',
        bytes: PDF,
        note: 'Camden New Journal',
      }),
    ).toEqual({ late: true });
    at('2027-03-22T10:00:00Z');
    await t.services.publicReports.completeStep(lo, draft.report.id, inspection.id, { filename: 'i.pdf', bytes: PDF });
    expect(
      (
        await failure(
          t.services.publicReports.completeStep(lo, draft.report.id, consideration.id, {
            filename: 'c.pdf',
            bytes: PDF,
          }),
        )
      )?.message,
    ).toBe('There is a problem with what was entered');

    // The ombudsman is not satisfied: a further report starts a second round of steps from today.
    at('2027-04-01T10:00:00Z');
    const further = await t.services.publicReports.furtherReport(investigator, draft.report.id, {
      reason: 'not-satisfied',
      text: 'The action proposed does not address the systemic fault.',
    });
    expect(further.report.round).toBe(2);
    expect(further.report.currentSteps.map((s) => [s.kind, s.dueOn])).toEqual([
      ['public-notice', '2027-04-15'],
      ['public-inspection', '2027-05-06'],
      ['consideration', '2027-07-01'],
      ['notification', '2027-07-01'],
    ]);
    expect(further.alerted.map((a) => a.role)).toEqual(['chief-executive', 'monitoring-officer', 'head-of-service']);
    // Steps of the earlier round are closed to evidence now.
    expect(
      (
        await failure(
          t.services.publicReports.completeStep(lo, draft.report.id, notification.id, {
            filename: 'x.pdf',
            bytes: PDF,
          }),
        )
      )?.code,
    ).toBe('conflict');

    at('2027-04-10T10:00:00Z');
    for (const step of further.report.currentSteps) {
      await t.services.publicReports.completeStep(lo, draft.report.id, step.id, {
        filename: `${step.kind}.pdf`,
        bytes: PDF,
        ...(step.kind === 'consideration' ? { body: 'cabinet' as const } : {}),
      });
    }
    const done = await t.services.publicReports.get(investigator, draft.report.id);
    expect(done.currentSteps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(done.currentSteps[2]?.bodyName).toBe('Cabinet');
    expect(done.satisfactionBlocker).toBeNull();

    at('2027-04-12T10:00:00Z');
    const result = await t.services.publicReports.satisfy(investigator, draft.report.id, {
      text: 'We are satisfied with the action the council has taken.',
    });
    expect(result.closed).toBe(true);
    expect(await status(complaint.id)).toEqual({ status: 'closed', outcome: 'upheld-injustice' });
    const letters = (await caseCorrespondence(t.services, complaint.id)).filter((i) =>
      i.subject.startsWith('Letter of satisfaction'),
    );
    expect(letters.flatMap((l) => l.deliveries.map((d) => d.address))).toEqual([authority.chiefExecutiveEmail]);

    const timeline = await t.services.complaints.timeline(investigator, complaint.id);
    // Newest first.
    const labels = timeline.filter((e) => e.kind === 'public-report').map((e) => e.label);
    expect(labels[0]).toBe('Letter of satisfaction: public report closed');
    expect(labels).toContain('Further report issued');
    expect(labels).toContain('Authority’s leaders alerted to the draft report');
    expect(labels.slice(-2).sort()).toEqual([
      'Authority’s leaders alerted to the draft report',
      'Public report proposed: draft report issued',
    ]);
  });
});

describe('reminders and escalation', () => {
  it('reminds before the due date and when overdue, escalates to the chief executive, each once even when two sweeps race', async () => {
    at('2027-01-11T10:00:00Z');
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id);
    const draft = await t.services.publicReports.propose(investigator, complaint.id, {
      criteria: ['non-compliance'],
      sections: SECTIONS,
    });
    at('2027-02-15T10:00:00Z');
    await t.services.publicReports.issueFinal(investigator, complaint.id, { statement: 'Fault and injustice.' });
    const count = async () =>
      (
        await t.db.kysely
          .selectFrom('public_report_reminders as m')
          .innerJoin('public_report_steps as s', 's.id', 'm.step_id')
          .select(['m.kind', 's.kind as step'])
          .where('s.report_id', '=', draft.report.id)
          .execute()
      )
        .map((r) => `${r.step}:${r.kind}`)
        .sort();

    at('2027-02-22T10:00:00Z'); // a week before the notice is due
    await Promise.all([t.services.publicReports.sweep(), t.services.publicReports.sweep()]);
    expect(await count()).toEqual(['public-notice:before-due']);
    at('2027-03-02T10:00:00Z'); // the day after
    expect((await t.services.publicReports.sweep()).reminders).toBe(1);
    expect(await count()).toEqual(['public-notice:before-due', 'public-notice:overdue']);
    at('2027-03-16T10:00:00Z'); // two weeks overdue: escalated; the inspection reminder falls due too
    await t.services.publicReports.sweep();
    expect((await t.services.publicReports.sweep()).reminders).toBe(0);
    expect(await count()).toEqual([
      'public-inspection:before-due',
      'public-notice:before-due',
      'public-notice:escalated',
      'public-notice:overdue',
    ]);
    const items = await caseCorrespondence(t.services, complaint.id);
    const escalation = items.filter((i) => i.subject.startsWith('Escalation:'));
    expect(escalation.flatMap((i) => i.deliveries.map((d) => d.address))).toEqual([authority.chiefExecutiveEmail]);
    const reminders = items.filter((i) => i.kind === 'reminder' && !i.subject.startsWith('Escalation:'));
    expect(reminders).toHaveLength(3);
    expect(reminders[0]?.deliveries.map((d) => d.address).sort()).toEqual(
      [...authority.officerEmails, authority.genericInbox].sort(),
    );
    const view = await t.services.publicReports.get(investigator, draft.report.id);
    expect(view.currentSteps[0]?.escalatedAt).not.toBeNull();
  });
});

describe('the API', () => {
  it('issues the draft (201 with who was alerted) and the final report; the tracker is readable by the authority only', async () => {
    at('2027-01-11T10:00:00Z');
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id);
    const headers = await token('investigator', null);
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/public-reports`,
      headers,
      payload: { stage: 'draft', criteria: ['unpopular'], text: 'x' },
    });
    expect(bad.statusCode).toBe(400);

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/public-reports`,
      headers,
      payload: {
        stage: 'draft',
        criteria: ['many-complaints', 'topical-issue'],
        text: 'The complaint\nDamp.\n\nWhat I found\nFault.\n\nProposed remedy\nApologise.\n\nDraft decision\nUpheld.',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{
      id: string;
      status: string;
      commentDueOn: string;
      alerted: { role: string; email: string }[];
    }>();
    expect(body.status).toBe('draft');
    expect(body.commentDueOn).toBe('2027-02-01');
    expect(body.alerted.map((a) => [a.role, a.email])).toEqual([
      ['chief-executive', authority.chiefExecutiveEmail],
      ['monitoring-officer', authority.monitoringOfficerEmail],
      ['head-of-service', authority.housingHeadEmail],
    ]);
    const draft = await t.db.kysely
      .selectFrom('draft_decisions')
      .select(['form', 'findings_text'])
      .where('complaint_id', '=', complaint.id)
      .executeTakeFirstOrThrow();
    expect(draft).toEqual({ form: 'report', findings_text: 'Fault.' });

    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/public-reports`,
      headers,
      payload: { stage: 'draft', criteria: ['systemic'], text: 'Another' },
    });
    expect(again.statusCode).toBe(409);

    // Before the draft's comment deadline the final report needs the reason it cannot wait.
    const early = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/public-reports`,
      headers,
      payload: { stage: 'final', text: 'Fault causing injustice.' },
    });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('earlyReason');
    const final = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${complaint.id}/public-reports`,
      headers,
      payload: { stage: 'final', text: 'Fault causing injustice.', earlyReason: 'The authority accepts the findings.' },
    });
    expect(final.statusCode).toBe(201);

    const lo = await token('link-officer', authority.id);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/public-reports/${body.id}`, headers: lo });
    expect(got.statusCode).toBe(200);
    const report = got.json<{ status: string; steps: { kind: string; dueOn: string; status: string }[] }>();
    expect(report.status).toBe('final');
    expect(report.steps.map((s) => [s.kind, s.dueOn])).toEqual([
      ['public-notice', '2027-01-25'],
      ['public-inspection', '2027-02-15'],
      ['consideration', '2027-04-11'],
      ['notification', '2027-04-11'],
    ]);
    const other = await leaders();
    const stranger = await token('link-officer', other.id);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/public-reports/${body.id}`, headers: stranger })).statusCode,
    ).toBe(404);

    const closedCase = await createComplaint(t.db, authority.id, 'closed');
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${closedCase.id}/public-reports`,
      headers,
      payload: { stage: 'draft', criteria: ['systemic'], text: 'Report' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toBe(
      'A public report can only be proposed on a case under investigation',
    );
  });

  it('a portal user alerted to the draft is recorded as having seen it when they open it', async () => {
    at('2027-01-11T10:00:00Z');
    const authority = await leaders();
    const complaint = await createComplaint(t.db, authority.id);
    const senior = await createUser(t.services, {
      role: 'senior-officer',
      authorityId: authority.id,
      email: authority.monitoringOfficerEmail,
    });
    const draft = await t.services.publicReports.propose(investigator, complaint.id, {
      criteria: ['systemic'],
      sections: SECTIONS,
    });
    const actor: Actor = { type: 'user', id: senior.id, roles: ['senior-officer'], authorityId: authority.id };
    const seen = await t.services.publicReports.get(actor, draft.report.id);
    const mo = seen.alerts.find((a) => a.role === 'monitoring-officer');
    expect(mo?.portal).toBe(true);
    const again = await t.services.publicReports.get(investigator, draft.report.id);
    expect(again.alerts.find((a) => a.role === 'monitoring-officer')?.seenAt).toEqual(new Date('2027-01-11T10:00:00Z'));
    expect(again.alerts.find((a) => a.role === 'chief-executive')?.seenAt).toBeNull();
  });
});
