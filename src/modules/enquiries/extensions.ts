import type { Tx } from '../../platform/db/database.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { CLOSED, RESPONDED, audit, staffOnly, type EnquiriesContext } from './context.ts';
import { extendedDeadline, type ExtensionChoice } from './domain.ts';
import { extensionDecisionMail } from './enquiries.mail.ts';

/** The authority asks for more time, with its reason. One undecided request at a time. */
export async function requestExtension(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  reason: string,
): Promise<string> {
  const trimmed = reason.trim();
  if (trimmed === '') throw invalid([{ field: 'reason', message: 'Enter why the authority needs more time' }]);
  return ctx.repo.transaction(async (repo, trx) => {
    const row = await repo.lockEnquiry(enquiryId);
    if (!row || actor.authorityId === null || actor.authorityId !== row.authority_id) throw notFound('The enquiry');
    if (!actor.roles.includes('link-officer')) throw forbidden('Only a link officer can ask for more time');
    if (row.status === 'closed') throw conflict(CLOSED);
    if (row.status === 'responded') throw conflict(RESPONDED);
    const pending = await repo.pendingExtensionId(enquiryId);
    if (pending !== undefined)
      throw conflict('The authority has already asked for more time: wait for the ombudsman’s decision');
    const requestId = await repo.insertExtensionRequest({
      enquiry_id: enquiryId,
      authority_id: row.authority_id,
      reason: trimmed,
      requested_by: actor.type === 'user' ? actor.id : null,
      requested_by_token: actor.type === 'token' ? actor.id : null,
      requested_at: ctx.clock.now(),
      previous_due_on: row.due_on,
    });
    await audit(trx, actor, 'enquiry.extension-requested', enquiryId, row.authority_id);
    return requestId;
  });
}

/** The investigator grants (a new date) or refuses (with a reason) a pending request. */
export async function decideExtension(
  ctx: EnquiriesContext,
  actor: Actor,
  enquiryId: string,
  requestId: string,
  decision: { grant: true; choice: ExtensionChoice; reason: string } | { grant: false; reason: string },
): Promise<void> {
  staffOnly(actor, 'enquiries:send');
  const reason = decision.reason.trim();
  if (reason === '') throw invalid([{ field: 'reason', message: 'Enter the reason for the decision' }]);
  await ctx.repo.transaction(async (repo, trx) => {
    const row = await repo.lockEnquiry(enquiryId);
    if (!row) throw notFound('The enquiry');
    const request = await repo.lockExtensionRequest(requestId, enquiryId);
    if (!request) throw notFound('The request for more time');
    if (request.status !== 'pending') throw conflict('This request has already been decided');
    const now = ctx.clock.now();
    let newDue: string | null = null;
    if (decision.grant) {
      if (row.status !== 'open') throw conflict(row.status === 'closed' ? CLOSED : RESPONDED);
      const result = extendedDeadline(ctx.calendar, row.due_on, decision.choice);
      if (!result.ok) throw invalid([{ field: result.field, message: result.message }]);
      newDue = result.deadline.dueDate;
      await repo.updateEnquiry(enquiryId, { due_on: newDue, due_rule: JSON.stringify(result.deadline.rule) });
      await repo.insertDueDate({
        enquiry_id: enquiryId,
        authority_id: row.authority_id,
        due_on: newDue,
        rule: JSON.stringify(result.deadline.rule),
        reason: 'extension',
        extension_request_id: requestId,
        set_by: actor.type === 'user' ? actor.id : null,
        set_at: now,
      });
    }
    await repo.decideExtensionRequest(requestId, {
      status: decision.grant ? 'granted' : 'refused',
      decided_by: actor.type === 'user' ? actor.id : null,
      decided_at: now,
      decision_reason: reason,
      new_due_on: newDue,
    });
    const reference = (await repo.findComplaint(row.complaint_id))?.reference ?? '';
    await deliverExtensionDecision(ctx, trx, actor, row.complaint_id, {
      number: row.number,
      complaintReference: reference,
      granted: decision.grant,
      newDueDate: newDue,
      reason,
      link: `${ctx.settings.baseUrl}/portal/enquiries/${enquiryId}`,
    });
    await audit(
      trx,
      actor,
      decision.grant ? 'enquiry.extension-granted' : 'enquiry.extension-refused',
      enquiryId,
      row.authority_id,
    );
  });
}

/** Tells the authority's link officers of a decision on more time, as correspondence on the case. The one place it goes out. */
async function deliverExtensionDecision(
  ctx: EnquiriesContext,
  trx: Tx,
  actor: Actor,
  complaintId: string,
  letter: Parameters<typeof extensionDecisionMail>[0],
): Promise<void> {
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'message',
    addressees: ['link-officers'],
    actor,
    ...extensionDecisionMail(letter),
  });
}
