import type { Tx } from '../../platform/db/database.ts';
import type { Actor } from '../accounts/domain.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { ComplaintsRepository, type ComplaintRow } from './complaints.repository.ts';
import type { ComplaintsContext } from './context.ts';
import { ASSESSMENT_OUTCOME_NAMES, closingOutcome, toldToAuthority, type AssessmentOutcome } from './domain.ts';

// The letters of a closing decision at intake or assessment.

/**
 * Who hears of a closing decision: the complainant always; the authority's link officers (whoever
 * takes its correspondence when the letter goes) except for invalid and out-of-jurisdiction cases.
 * The one place these letters are written: as correspondence on the case, in the caller's transaction.
 */
export async function tellOfOutcome(
  ctx: ComplaintsContext,
  trx: Tx,
  actor: Actor,
  complaint: ComplaintRow,
  outcome: AssessmentOutcome,
  reason: string | null,
) {
  const named = ASSESSMENT_OUTCOME_NAMES[outcome];
  const parties = await ComplaintsRepository.in(trx).parties(complaint.id);
  const contact =
    parties.find((p) => p.role === 'representative' && p.email) ?? parties.find((p) => p.role === 'complainant');
  if (contact?.email) {
    await ctx.correspondence.write(trx, {
      complaintId: complaint.id,
      kind: 'message',
      addressees: ['complainant'],
      actor,
      subject: `Your complaint ${complaint.reference}: our decision`,
      text: [
        `Dear ${contact.name},`,
        '',
        `We have looked at your complaint (reference ${complaint.reference}). Our decision: ${named}.`,
        ...(reason ? ['', reason] : []),
        ...(outcome === 'premature'
          ? [
              '',
              'The authority has not yet had the chance to finish its own complaints process. We have referred your complaint back to it. If you remain unhappy when it has replied, you can come back to us.',
            ]
          : []),
      ].join('\n'),
    });
  }
  // The case is closed by now: whether the authority hears of it is the same rule as whether it sees it.
  if (!toldToAuthority({ status: 'closed', outcome: closingOutcome(outcome), documentsRequested: false })) return;
  await ctx.correspondence.write(trx, {
    complaintId: complaint.id,
    kind: 'message',
    addressees: ['link-officers'],
    actor,
    subject:
      outcome === 'premature'
        ? `Complaint ${complaint.reference} referred back to you as premature`
        : `Complaint ${complaint.reference}: assessment decision`,
    text: [
      'Dear link officer,',
      '',
      outcome === 'premature'
        ? `We have received complaint ${complaint.reference} about your ${SERVICE_AREA_NAMES[complaint.service_area as ServiceArea] ?? 'services'} service. Your complaints process has not finished, so we are referring it back to you to complete. The complainant may come back to us afterwards.`
        : `Our assessment of complaint ${complaint.reference} is complete. Decision: ${named}.`,
      '',
      `Case page: ${ctx.settings.baseUrl}/portal/complaints/${complaint.id}`,
    ].join('\n'),
  });
}
