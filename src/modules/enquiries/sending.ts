import { writeAudit } from '../../platform/audit/audit.ts';
import type { IsoDate } from '../../platform/calendar/calendar.ts';
import type { Tx } from '../../platform/db/database.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import type { CorrespondenceRecipient } from '../link-officers/domain.ts';
import { audit, staffOnly, type EnquiriesContext } from './context.ts';
import { cleanQuestions, deadlineAfter, type EnquiryKind } from './domain.ts';
import { allocationMail, enquiryMail } from './enquiries.mail.ts';

export interface SendEnquiryInput {
  kind: EnquiryKind;
  questions: string[];
  documentsRequested?: string | null | undefined;
  statementOfComplaint?: string | null | undefined;
  dueInWorkingDays?: number | null | undefined;
}

export interface SentEnquiry {
  id: string;
  sentAt: Date;
  dueDate: IsoDate;
  addressedTo: { name: string; jobTitle: string | null };
  recipients: { email: string; as: CorrespondenceRecipient['as'] }[];
}

/** What the compose page needs: the case, the addressee, whether this is the first enquiry. */
export async function composeContext(ctx: EnquiriesContext, actor: Actor, complaintId: string) {
  staffOnly(actor, 'enquiries:send');
  const complaint = await ctx.repo.findComplaint(complaintId);
  if (!complaint) throw notFound('The complaint');
  const authority = await ctx.authorities.findAuthority(complaint.authority_id);
  const first = (await ctx.repo.nextNumber(complaintId)) === 1;
  return {
    complaint: {
      id: complaint.id,
      reference: complaint.reference,
      status: complaint.status,
      summary: complaint.summary,
      authorityName: complaint.authority_name,
    },
    inInvestigation: complaint.status === 'investigation',
    first,
    chiefExecutive: authority?.chiefExecutive ?? null,
    defaults: ctx.settings.dueWorkingDays,
  };
}

/**
 * Sends an enquiry on a complaint under investigation: addressed to the authority's chief
 * executive, delivered to whoever takes its correspondence today, due a number of working days
 * after today (the kind's default unless chosen). The first enquiry carries the statement of complaint.
 */
export async function send(
  ctx: EnquiriesContext,
  actor: Actor,
  complaintId: string,
  input: SendEnquiryInput,
): Promise<SentEnquiry> {
  staffOnly(actor, 'enquiries:send');
  const complaint = await ctx.repo.findComplaint(complaintId);
  if (!complaint) throw notFound('The complaint');
  const questions = cleanQuestions(input.questions);
  const problems = [];
  if (questions.length === 0) problems.push({ field: 'questions', message: 'Enter at least one question' });
  const days = input.dueInWorkingDays ?? ctx.settings.dueWorkingDays[input.kind];
  if (!Number.isInteger(days) || days < 1 || days > 260)
    problems.push({ field: 'dueInWorkingDays', message: 'Enter a number of working days from 1 to 260' });
  if (problems.length > 0) throw invalid(problems);

  const authority = await ctx.authorities.findAuthority(complaint.authority_id);
  const ce = authority?.chiefExecutive;
  if (!authority || !ce) {
    throw conflict('The authority has no chief executive recorded: add one to the authority before sending');
  }
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  // Resolved before the transaction: the link officers' service reads through its own handle.
  const recipients = await ctx.linkOfficers.correspondenceRecipients(complaint.authority_id, today);
  if (recipients.length === 0) throw conflict('The authority has nowhere to send correspondence');
  const deadline = deadlineAfter(ctx.calendar, today, days, input.dueInWorkingDays == null ? 'default' : 'chosen');
  const addressedTo = [ce.title, ce.name].filter((p) => p && p.trim() !== '').join(' ');

  const id = await ctx.repo.transaction(async (repo, trx) => {
    const locked = await repo.lockComplaint(complaintId);
    if (!locked) throw notFound('The complaint');
    if (locked.status !== 'investigation') {
      throw conflict('Enquiries can only be sent while the complaint is under investigation');
    }
    const number = await repo.nextNumber(complaintId);
    const statement =
      number === 1
        ? input.statementOfComplaint?.trim() || complaint.summary
        : input.statementOfComplaint?.trim() || null;
    const enquiryId = await repo.insertEnquiry({
      complaint_id: complaintId,
      authority_id: complaint.authority_id,
      kind: input.kind,
      number,
      statement_of_complaint: statement,
      documents_requested: input.documentsRequested?.trim() || null,
      addressed_to_name: addressedTo,
      addressed_to_job_title: ce.jobTitle,
      sent_by: actor.type === 'user' ? actor.id : null,
      sent_at: now,
      sent_on: today,
      due_on: deadline.dueDate,
      due_working_days: days,
      due_rule: JSON.stringify(deadline.rule),
    });
    await repo.insertQuestions(
      questions.map((text, i) => ({
        enquiry_id: enquiryId,
        authority_id: complaint.authority_id,
        position: i + 1,
        text,
      })),
    );
    await repo.insertRecipients(
      recipients.map((r, i) => ({
        enquiry_id: enquiryId,
        authority_id: complaint.authority_id,
        position: i + 1,
        email: r.email,
        recipient_as: r.as,
        link_officer_id: r.linkOfficerId ?? null,
      })),
    );
    await repo.insertDueDate({
      enquiry_id: enquiryId,
      authority_id: complaint.authority_id,
      due_on: deadline.dueDate,
      rule: JSON.stringify(deadline.rule),
      reason: 'sent',
      set_by: actor.type === 'user' ? actor.id : null,
      set_at: now,
    });
    await deliverEnquiry(ctx, trx, actor, complaintId, {
      enquiryId,
      number,
      complaintReference: complaint.reference,
      authorityName: complaint.authority_name,
      addressedTo,
      statementOfComplaint: statement,
      questions,
      documentsRequested: input.documentsRequested?.trim() || null,
      dueDate: deadline.dueDate,
    });
    await audit(trx, actor, 'enquiry.sent', enquiryId, complaint.authority_id);
    return enquiryId;
  });
  return {
    id,
    sentAt: now,
    dueDate: deadline.dueDate,
    addressedTo: { name: addressedTo, jobTitle: ce.jobTitle },
    recipients: recipients.map((r) => ({ email: r.email, as: r.as })),
  };
}

/**
 * Writes an enquiry as correspondence on the case: a letter to the chief executive, delivered to
 * whoever takes the authority's correspondence when it goes. The one place an enquiry goes out.
 */
async function deliverEnquiry(
  ctx: EnquiriesContext,
  trx: Tx,
  actor: Actor | null,
  complaintId: string,
  letter: Omit<Parameters<typeof enquiryMail>[0], 'link'>,
): Promise<void> {
  const written = enquiryMail({ ...letter, link: `${ctx.settings.baseUrl}/portal/enquiries/${letter.enquiryId}` });
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'enquiry',
    addressees: ['link-officers'],
    letter: true,
    actor,
    ...written,
  });
}

/**
 * The notification letter when a complaint is allocated for investigation: the authority may
 * comment. Sent once per complaint (a second call does nothing). Call it after the complaint's
 * change has committed, or enqueue the `enquiries.notify-allocation` job in that transaction.
 */
export async function notifyAllocation(ctx: EnquiriesContext, complaintId: string): Promise<boolean> {
  const complaint = await ctx.repo.findComplaint(complaintId);
  if (!complaint) throw notFound('The complaint');
  if (await ctx.repo.allocationNotice(complaintId)) return false;
  const authority = await ctx.authorities.findAuthority(complaint.authority_id);
  const ce = authority?.chiefExecutive;
  const addressedTo = ce ? [ce.title, ce.name].filter((p) => p && p.trim() !== '').join(' ') : 'Chief Executive';
  const recipients = await ctx.linkOfficers.correspondenceRecipients(complaint.authority_id, londonToday(ctx));
  return ctx.repo.transaction(async (repo, trx) => {
    const noticeId = await repo.insertAllocationNotice({
      complaint_id: complaintId,
      authority_id: complaint.authority_id,
      addressed_to_name: addressedTo,
      sent_at: ctx.clock.now(),
    });
    if (noticeId === undefined) return false;
    await repo.insertRecipients(
      recipients.map((r, i) => ({
        notice_id: noticeId,
        authority_id: complaint.authority_id,
        position: i + 1,
        email: r.email,
        recipient_as: r.as,
        link_officer_id: r.linkOfficerId ?? null,
      })),
    );
    await deliverAllocationNotice(ctx, trx, complaintId, {
      complaintReference: complaint.reference,
      authorityName: complaint.authority_name,
      addressedTo,
      summary: complaint.summary,
    });
    await writeAudit(trx, {
      actor: { type: 'system', id: null },
      action: 'complaint.allocation-notice-sent',
      recordType: 'complaint',
      recordId: complaintId,
      authorityId: complaint.authority_id,
    });
    return true;
  });
}

/** Writes the allocation notice as a letter on the case, to the chief executive via the link officers. The one place it goes out. */
async function deliverAllocationNotice(
  ctx: EnquiriesContext,
  trx: Tx,
  complaintId: string,
  letter: Parameters<typeof allocationMail>[0],
): Promise<void> {
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'message',
    addressees: ['link-officers'],
    letter: true,
    actor: null,
    ...allocationMail(letter),
  });
}
