import { DEMO_HOME_AUTHORITY, demoCaseFor, type DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';
import { DecisionsRepository } from './decisions.repository.ts';

/**
 * Demo decisions on demo complaints still under investigation (after the enquiries loader): one with
 * a draft out for comment, one with a revised draft after the authority's comments, and one decided
 * (not upheld) and closed. Each finds on what its complaint is about.
 */
export const decisionsDemoLoader: DemoLoader = {
  name: 'decisions',
  load: async (ctx) => {
    const investigatorId = ctx.userIds.get('investigator');
    if (!investigatorId) return;
    const investigator: Actor = { type: 'user', id: investigatorId, roles: ['investigator'], authorityId: null };
    const home = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? '00000000-0000-0000-0000-000000000000';
    const complaints = await new DecisionsRepository(ctx.db.kysely).complaintsUnderInvestigation(home, 3);
    type Case = (typeof complaints)[number];
    const sections = (c: Case, decision: string) => {
      const story = demoCaseFor(c.service_area);
      return {
        complaint: c.summary,
        findings: story.findings,
        proposedRemedy: `The council should apologise and ${story.recommendation}.`,
        decision,
      };
    };
    const decisions = ctx.services.decisions;
    const [first, second, third] = complaints;
    if (first) {
      await decisions.issueDraft(investigator, first.id, {
        sections: sections(first, 'We are minded to find fault causing injustice.'),
      });
    }
    if (second) {
      const v1 = await decisions.issueDraft(investigator, second.id, {
        sections: sections(second, 'We are minded to find fault causing injustice.'),
      });
      await decisions.comment(investigator, v1.draftId, {
        party: 'authority',
        channel: 'email',
        text: demoCaseFor(second.service_area).authorityComment,
      });
      await decisions.issueDraft(investigator, second.id, {
        sections: {
          ...sections(second, 'We are minded to find fault, but it did not cause an injustice.'),
          findings: demoCaseFor(second.service_area).revisedFindings,
        },
      });
    }
    if (third) {
      await decisions.issueDraft(investigator, third.id, {
        sections: sections(third, 'We are minded not to uphold the complaint.'),
      });
      await decisions.issueFinal(investigator, third.id, {
        outcome: 'not-upheld',
        statement: demoCaseFor(third.service_area).noFault,
        earlyConfirmed: true,
        earlyReason: 'The demo issues its decisions at once; the comment period has not run.',
      });
    }
  },
};
