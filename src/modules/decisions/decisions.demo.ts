import { sql } from 'kysely';
import { DEMO_HOME_AUTHORITY, type DemoLoader } from '../../cli/demo-data.ts';
import type { Actor } from '../accounts/domain.ts';

/**
 * Demo decisions on demo complaints still under investigation (after the enquiries loader): one with
 * a draft out for comment, one with a revised draft after the authority's comments, and one decided
 * (not upheld) and closed.
 */
export const decisionsDemoLoader: DemoLoader = {
  name: 'decisions',
  load: async (ctx) => {
    const investigatorId = ctx.userIds.get('investigator');
    if (!investigatorId) return;
    const investigator: Actor = { type: 'user', id: investigatorId, roles: ['investigator'], authorityId: null };
    const home = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? '00000000-0000-0000-0000-000000000000';
    const complaints = await ctx.db.kysely
      .selectFrom('complaints')
      .select(['id', 'authority_id', 'summary'])
      .where('status', '=', 'investigation')
      .orderBy(sql`authority_id = ${home}`, 'desc')
      .orderBy('received_at', 'desc')
      .orderBy('id')
      .limit(3)
      .execute();
    const sections = (summary: string, decision: string) => ({
      complaint: summary,
      findings:
        'The council did not inspect the property when the damp was first reported.\nIt did not keep the family informed.',
      proposedRemedy: 'The council should apologise and review how repairs are tracked.',
      decision,
    });
    const decisions = ctx.services.decisions;
    const [first, second, third] = complaints;
    if (first) {
      await decisions.issueDraft(investigator, first.id, {
        sections: sections(first.summary, 'We are minded to find fault causing injustice.'),
      });
    }
    if (second) {
      const v1 = await decisions.issueDraft(investigator, second.id, {
        sections: sections(second.summary, 'We are minded to find fault causing injustice.'),
      });
      await decisions.comment(investigator, v1.draftId, {
        party: 'authority',
        channel: 'email',
        text: 'The council inspected the property in May: the inspection record is attached to our response.',
      });
      await decisions.issueDraft(investigator, second.id, {
        sections: {
          ...sections(second.summary, 'We are minded to find fault, but it did not cause an injustice.'),
          findings:
            'The council inspected the property in May, but did not act on the inspection.\nIt did not keep the family informed.',
        },
      });
    }
    if (third) {
      await decisions.issueDraft(investigator, third.id, {
        sections: sections(third.summary, 'We are minded not to uphold the complaint.'),
      });
      await decisions.issueFinal(investigator, third.id, {
        outcome: 'not-upheld',
        statement: 'The council acted without fault: it inspected, repaired and kept the family informed.',
      });
    }
  },
};
