import { DEMO_HOME_AUTHORITY, demoCaseFor, type DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';
import { PublicReportsRepository } from './public-reports.repository.ts';

/** The report's sections on a complaint: a fault found before, so the report is in the public interest. */
const sections = (summary: string, serviceArea: string) => {
  const story = demoCaseFor(serviceArea);
  return {
    complaint: summary,
    findings: `${story.findings}\nThis is the third complaint we have upheld about the same fault in two years.`,
    proposedRemedy: `Apologise, pay £1,500 for the distress caused, and ${story.recommendation}. ${story.improvement}`,
    decision: 'Fault causing injustice. We intend to issue a public report.',
  };
};

/**
 * Demo public reports on cases still under investigation after the decisions loader: one draft
 * report (its alerts sent to the chief executive, monitoring officer and head of service) and one
 * final report whose first statutory step the authority has already evidenced.
 */
export const publicReportsDemoLoader: DemoLoader = {
  name: 'public-reports',
  load: async (ctx) => {
    const investigatorId = ctx.userIds.get('investigator');
    if (!investigatorId) return;
    const investigator: Actor = { type: 'user', id: investigatorId, roles: ['investigator'], authorityId: null };
    const home = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? '00000000-0000-0000-0000-000000000000';
    const complaints = await new PublicReportsRepository(ctx.db.kysely).complaintsUnderInvestigation(home, 2);
    const reports = ctx.services.publicReports;
    for (const [i, complaint] of complaints.entries()) {
      const draft = await reports.propose(investigator, complaint.id, {
        criteria: i === 0 ? ['recurrent-fault', 'systemic'] : ['significant-injustice', 'non-compliance'],
        sections: sections(complaint.summary, complaint.service_area),
      });
      if (i === 1) {
        const final = await reports.issueFinal(investigator, complaint.id, {
          statement:
            'The council was at fault and this caused the complainant injustice. Its recommendations are in the report.',
          earlyConfirmed: true,
          earlyReason: 'The demo issues its reports at once; the comment period has not run.',
        });
        const notice = final.report.currentSteps.find((s) => s.kind === 'public-notice');
        const linkOfficerId = ctx.userIds.get('link-officer');
        if (notice && linkOfficerId && complaint.authority_id === home) {
          const linkOfficer: Actor = { type: 'user', id: linkOfficerId, roles: ['link-officer'], authorityId: home };
          await reports.completeStep(linkOfficer, draft.report.id, notice.id, {
            filename: 'public-notice.pdf',
            bytes: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
            note: 'Notice published in the Camden New Journal.',
          });
        }
      }
    }
  },
};
