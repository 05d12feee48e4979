import crypto from 'node:crypto';
import { DEMO_HOME_AUTHORITY, demoCaseFor, type DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';
import { workingDaysBefore } from '../enquiries/domain.ts';
import { RemediesRepository } from './remedies.repository.ts';

/**
 * Demo remedies (after the decisions loader), on demo complaints still under investigation, the demo
 * link officer's council first: one case upheld with an apology complied with on time and a payment
 * now late, its first evidence returned and the reminders sent; and one whose remedy is due soon.
 */
export const remediesDemoLoader: DemoLoader = {
  name: 'remedies',
  load: async (ctx) => {
    const investigatorId = ctx.userIds.get('investigator');
    const coordinatorId = ctx.userIds.get('team-coordinator');
    if (!investigatorId || !coordinatorId) return;
    const investigator: Actor = { type: 'user', id: investigatorId, roles: ['investigator'], authorityId: null };
    const coordinator: Actor = { type: 'user', id: coordinatorId, roles: ['team-coordinator'], authorityId: null };
    const home = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? '00000000-0000-0000-0000-000000000000';
    const linkOfficerId = ctx.userIds.get('link-officer');
    const { decisions, remedies, calendar } = ctx.services;
    const repo = new RemediesRepository(ctx.db.kysely);
    const complaints = await repo.complaintsUnderInvestigation(home, 2);
    const today = calendar.londonDate(ctx.clock.now());
    const sections = (summary: string, serviceArea: string) => {
      const story = demoCaseFor(serviceArea);
      return {
        complaint: summary,
        findings: story.findings,
        proposedRemedy: `The council should apologise, pay £350 for the distress caused and ${story.recommendation}.`,
        decision: 'We find fault causing injustice.',
      };
    };
    for (const [i, complaint] of complaints.entries()) {
      const authorityUser: Actor =
        linkOfficerId && complaint.authority_id === home
          ? { type: 'user', id: linkOfficerId, roles: ['link-officer'], authorityId: home }
          : { type: 'token', id: crypto.randomUUID(), roles: ['link-officer'], authorityId: complaint.authority_id };
      await decisions.issueDraft(investigator, complaint.id, {
        sections: sections(complaint.summary, complaint.service_area),
        remedies: [
          {
            type: 'apology',
            description: 'Apologise in writing to the complainant for the delay and poor communication.',
            dueInWorkingDays: 20,
          },
          {
            type: 'financial',
            description: 'Pay the complainant £350 for the distress and inconvenience caused.',
            amountPence: 35_000,
            dueInWorkingDays: 20,
          },
          ...(i === 0
            ? [
                {
                  type: 'service-improvement' as const,
                  description: demoCaseFor(complaint.service_area).improvement,
                  dueInWorkingDays: 60,
                },
              ]
            : []),
        ],
      });
      await decisions.issueFinal(investigator, complaint.id, {
        outcome: 'upheld-injustice',
        statement:
          'We uphold the complaint: fault caused injustice, and the council has agreed to our recommendations.',
        earlyConfirmed: true,
        earlyReason: 'The demo issues its decisions at once; the comment period has not run.',
      });
      if (i !== 0) continue;
      const [apology, payment] = (await remedies.forComplaint(investigator, complaint.id)).filter(
        (r) => r.status === 'agreed',
      );
      if (!apology || !payment) continue;
      const evidence = await remedies.submitEvidence(authorityUser, apology.id, {
        description: 'A copy of our letter of apology to the complainant.',
      });
      await remedies.reviewEvidence(coordinator, apology.id, evidence.id, { decision: 'accept' });
      // The payment: as if due three working days ago, with evidence returned once.
      const pastDue = workingDaysBefore(calendar, today, 3);
      await repo.backdate(payment.id, pastDue);
      const first = await remedies.submitEvidence(authorityUser, payment.id, {
        description: 'Payment has been requested from finance.',
      });
      await remedies.reviewEvidence(coordinator, payment.id, first.id, {
        decision: 'return',
        reason: 'A request to finance does not show the payment was made: send the remittance advice.',
      });
    }
    await remedies.sweep();
  },
};
