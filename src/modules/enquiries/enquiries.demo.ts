import crypto from 'node:crypto';
import { DEMO_HOME_AUTHORITY, demoCaseFor, type DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';
import { deadlineAfter, workingDaysBefore } from './domain.ts';
import { EnquiriesRepository } from './enquiries.repository.ts';
import { EnquiryRemindersRepository } from './reminders.repository.ts';

/**
 * Demo enquiries on the demo complaints under investigation (made by the complaints loader before
 * this one): one open, one overdue (sent long ago, so the sweep has escalated it), one answered.
 * Each asks about what its complaint is about.
 */
export const enquiriesDemoLoader: DemoLoader = {
  name: 'enquiries',
  load: async (ctx) => {
    const investigatorId = ctx.userIds.get('investigator');
    if (!investigatorId) return;
    const investigator: Actor = { type: 'user', id: investigatorId, roles: ['investigator'], authorityId: null };
    // The demo link officer's council first, so the portal shows them.
    const home = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? '00000000-0000-0000-0000-000000000000';
    const linkOfficerId = ctx.userIds.get('link-officer');
    const complaints = await new EnquiriesRepository(ctx.db.kysely).complaintsUnderInvestigation(home, 3);
    const calendar = ctx.services.calendar;
    for (const [i, complaint] of complaints.entries()) {
      const sent = await ctx.services.enquiries.send(investigator, complaint.id, {
        kind: 'enquiry',
        questions: [...demoCaseFor(complaint.service_area).questions],
      });
      if (i === 1) {
        // Overdue: as if sent 30 working days ago.
        const sentOn = workingDaysBefore(calendar, calendar.londonDate(ctx.clock.now()), 30);
        const deadline = deadlineAfter(calendar, sentOn, 20, 'default');
        const sentAt = new Date(`${sentOn}T10:00:00Z`);
        await new EnquiryRemindersRepository(ctx.db.kysely).backdate(
          sent.id,
          { at: sentAt, on: sentOn },
          { dueOn: deadline.dueDate, rule: JSON.stringify(deadline.rule) },
        );
      }
      if (i === 2) {
        const linkOfficer: Actor =
          linkOfficerId && complaint.authority_id === home
            ? { type: 'user', id: linkOfficerId, roles: ['link-officer'], authorityId: home }
            : { type: 'token', id: crypto.randomUUID(), roles: ['link-officer'], authorityId: complaint.authority_id };
        const detail = await ctx.services.enquiries.get(investigator, sent.id);
        await ctx.services.enquiries.submitResponse(
          linkOfficer,
          sent.id,
          detail.questions.map((q) => ({
            questionId: q.id,
            answer: 'The council’s answer is in the attached summary of the case notes.',
          })),
        );
      }
    }
    await ctx.services.enquiries.sweep();
  },
};
