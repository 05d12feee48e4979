import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { ComplaintStatus } from '../../platform/db/schema.ts';
import { DomainError, invalid, type FieldError } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { ComplaintsRepository } from './complaints.repository.ts';
import type { NewComplaint } from './complaints.schemas.ts';
import { isUuid, lockOpen, requireStaff, statusActor, type ComplaintsContext } from './context.ts';
import { tellOfOutcome } from './closing.ts';
import { INTAKE_STARTED, QUEUE_STATUSES, firstStatus, formatReference } from './domain.ts';
import { URGENT_FLAGS, URGENT_KEYS, lateRule, prematureRule } from './rules.ts';
import { move } from './moves.ts';

// Receiving a complaint (the public form, staff intake, the API, a linked case) and intake.

/** The name of an authority, or null when there is none with this id. */
export async function authorityName(ctx: ComplaintsContext, id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  return (await ComplaintsRepository.in(ctx.db).findAuthority(id))?.name ?? null;
}

/** The rules as they would apply to answers not yet submitted (for check-your-answers and forms). */
export async function findings(
  ctx: ComplaintsContext,
  input: Pick<NewComplaint, 'authorityId' | 'authorityProcessFinished' | 'authorityComplainedOn' | 'awareOn'>,
) {
  const authority = isUuid(input.authorityId)
    ? await ComplaintsRepository.in(ctx.db).findAuthority(input.authorityId)
    : undefined;
  const rule = {
    receivedOn: londonToday(ctx),
    authorityProcessFinished: input.authorityProcessFinished,
    authorityComplainedOn: input.authorityComplainedOn,
    awareOn: input.awareOn,
    careProvider: authority?.kind === 'care-provider',
  };
  return { premature: prematureRule(rule), late: lateRule(rule) };
}

/**
 * Records a new complaint: a reference unique under concurrency, its parties, the first status,
 * the audit row and the acknowledgement email, all in one transaction. `actor` is null for the
 * public form. Bad input (unknown authority, dates in the future) changes nothing.
 */
export async function receive(
  ctx: ComplaintsContext,
  actor: Actor | null,
  input: NewComplaint,
): Promise<{ id: string; reference: string; status: ComplaintStatus }> {
  if (actor !== null) requireStaff(actor, 'complaints:intake');
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  const problems: FieldError[] = [];
  const repo = ComplaintsRepository.in(ctx.db);
  const authority = isUuid(input.authorityId) ? await repo.findAuthority(input.authorityId) : undefined;
  if (!authority || !authority.active)
    problems.push({
      field: 'authorityId',
      message: 'Select an authority from the list: that one could not be found',
    });
  const future = (value: string | null, field: string, what: string) => {
    if (value !== null && value > today) problems.push({ field, message: `${what} must be today or in the past` });
  };
  future(input.authorityFinalResponseOn, 'authorityFinalResponseOn', 'The date of the final response');
  future(input.authorityComplainedOn, 'authorityComplainedOn', 'The date of the complaint to the authority');
  future(input.awareOn, 'awareOn', 'The date they knew of the matter');
  if (problems.length > 0 || !authority) throw invalid(problems);

  const rule = {
    receivedOn: today,
    authorityProcessFinished: input.authorityProcessFinished,
    authorityComplainedOn: input.authorityComplainedOn,
    awareOn: input.awareOn,
    careProvider: authority.kind === 'care-provider',
  };
  const premature = prematureRule(rule).applies;
  const late = lateRule(rule).applies;
  const urgent = Object.fromEntries(URGENT_FLAGS.map((f) => [f, false])) as Record<
    (typeof URGENT_FLAGS)[number],
    boolean
  >;
  for (const key of input.urgent) {
    const flag = URGENT_KEYS[key];
    if (flag) urgent[flag] = true;
  }
  const status = firstStatus(actor !== null);

  return ctx.db.transaction().execute(async (trx) => {
    const repo = ComplaintsRepository.in(trx);
    const year = Number(today.slice(2, 4));
    const reference = formatReference(year, await repo.nextSequence(year));
    const complaint = await repo.insertComplaint({
      reference,
      authority_id: authority.id,
      service_area: input.serviceArea,
      status,
      channel: input.channel,
      summary: input.summary,
      injustice: input.injustice,
      outcome_wanted: input.outcomeWanted,
      authority_process_finished: input.authorityProcessFinished,
      authority_final_response_on: input.authorityFinalResponseOn,
      authority_complained_on: input.authorityComplainedOn,
      aware_on: input.awareOn,
      ...urgent,
      premature,
      late,
      received_at: now,
      created_by: actor?.type === 'user' ? actor.id : null,
      created_at: now,
      updated_at: now,
    });
    const party = (role: 'complainant' | 'representative', p: NewComplaint['complainant']) =>
      repo.insertParty({
        complaint_id: complaint.id,
        authority_id: authority.id,
        role,
        name: p.name,
        email: p.email,
        phone: p.phone,
        address: p.address,
        communication_needs: p.communicationNeeds,
        relationship: p.relationship,
        consent_to_share: input.consentToShare,
        created_at: now,
        updated_at: now,
      });
    await party('complainant', input.complainant);
    if (input.representative) await party('representative', input.representative);
    await repo.recordStatus(complaint, {
      from: null,
      to: status,
      reason: `Received ${input.channel === 'online' ? 'through the online form' : `by ${input.channel}`}`,
      // Without an actor, the complaint was sent on the public form (the only caller without one).
      by: actor === null ? { type: 'public-form' } : statusActor(actor),
      at: now,
    });
    const documentIds = (input.documentIds ?? []).filter(isUuid);
    if (documentIds.length > 0) await repo.fileUnfiledDocuments(documentIds, complaint.id, authority.id);
    await writeAudit(trx, {
      actor: actor ? auditActor(actor) : { type: 'system', id: null },
      action: 'complaint.received',
      recordType: 'complaint',
      recordId: complaint.id,
      authorityId: authority.id,
      requestId: actor?.requestId ?? null,
    });
    // The acknowledgement is correspondence on the case (the complainant's thread), sent by its job.
    const contact = input.representative?.email ? input.representative : input.complainant;
    if (contact.email) {
      await ctx.correspondence.write(trx, {
        complaintId: complaint.id,
        kind: 'acknowledgement',
        addressees: ['complainant'],
        actor: null,
        subject: `We have received your complaint: reference ${reference}`,
        text: [
          `Dear ${contact.name},`,
          '',
          `Thank you for your complaint about ${authority.name}. Your reference is ${reference}.`,
          'Please quote it whenever you contact us.',
          '',
          'What happens next: we check whether the authority has had the chance to put things right, and',
          'whether the complaint is one we can look at. We aim to tell you what we will do within',
          `${ctx.settings.assessmentTargetWorkingDays} working days.`,
        ].join('\n'),
      });
    }
    return { id: complaint.id, reference, status };
  });
}

/**
 * Opens a new case linked to another, inside the caller's transaction (a remedy not complete and
 * not satisfied): the same authority, service area, summary and parties, a new reference from the
 * same counter as receive(), starting at intake as any complaint an officer records does. Returns the
 * new case's id.
 */
export async function openLinkedCase(
  ctx: ComplaintsContext,
  trx: Tx,
  actor: Actor,
  fromComplaintId: string,
  reason: string,
): Promise<string> {
  const from = await lockOpen(trx, fromComplaintId);
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  const repo = ComplaintsRepository.in(trx);
  const reference = formatReference(Number(today.slice(2, 4)), await repo.nextSequence(Number(today.slice(2, 4))));
  const created = await repo.insertComplaint({
    reference,
    authority_id: from.authority_id,
    service_area: from.service_area,
    status: firstStatus(true),
    channel: from.channel,
    summary: `${reason}. ${from.summary}`,
    injustice: from.injustice,
    outcome_wanted: from.outcome_wanted,
    authority_process_finished: true,
    received_at: now,
    created_by: actor.type === 'user' ? actor.id : null,
    created_at: now,
    updated_at: now,
    linked_from_complaint_id: from.id,
  });
  const parties = await repo.parties(from.id);
  for (const p of parties) {
    await repo.insertParty({
      complaint_id: created.id,
      authority_id: from.authority_id,
      role: p.role,
      name: p.name,
      email: p.email,
      phone: p.phone,
      address: p.address,
      communication_needs: p.communication_needs,
      relationship: p.relationship,
      consent_to_share: p.consent_to_share,
      created_at: now,
      updated_at: now,
    });
  }
  await repo.recordStatus(created, {
    from: null,
    to: firstStatus(true),
    reason: `Opened from case ${from.reference}: ${reason}`,
    by: statusActor(actor),
    at: now,
  });
  await writeAudit(trx, {
    actor: auditActor(actor),
    action: 'complaint.opened-linked',
    recordType: 'complaint',
    recordId: created.id,
    authorityId: from.authority_id,
    requestId: actor.requestId ?? null,
  });
  return created.id;
}

/**
 * An intake officer takes up a complaint that arrived on its own (the public form): it moves from
 * received to intake, and the history records who started the checks and when.
 */
export async function startIntake(ctx: ComplaintsContext, actor: Actor, id: string): Promise<void> {
  requireStaff(actor, 'complaints:intake');
  await ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockOpen(trx, id);
    if (complaint.status !== 'received')
      throw new DomainError('conflict', 'Intake has already started on this complaint');
    await move(ctx, trx, actor, complaint, 'intake', { reason: INTAKE_STARTED });
  });
}

/**
 * Intake: send the complaint on to assessment (a late complaint needs the reason it may proceed),
 * or close it as premature, referring it back; the authority's link officers are told. A decision
 * on a complaint still received starts intake first, so the history never skips it.
 */
export async function intake(
  ctx: ComplaintsContext,
  actor: Actor,
  id: string,
  input: { action: 'assessment' | 'premature'; reason: string | null; lateReason: string | null },
) {
  requireStaff(actor, 'complaints:intake');
  await ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockOpen(trx, id);
    if (!QUEUE_STATUSES.includes(complaint.status) || complaint.status === 'assessment')
      throw new DomainError('conflict', 'Intake is finished for this complaint');
    if (input.action === 'premature') {
      await move(ctx, trx, actor, complaint, 'closed', { outcome: 'premature', reason: input.reason });
      await tellOfOutcome(ctx, trx, actor, complaint, 'premature', input.reason);
      return;
    }
    if (complaint.late && !complaint.late_reason && !input.lateReason)
      throw invalid([{ field: 'lateReason', message: 'The complaint is late: enter the reason it may go ahead' }]);
    await move(ctx, trx, actor, complaint, 'assessment', {
      reason: 'Intake complete',
      set: input.lateReason ? { late_reason: input.lateReason } : {},
    });
  });
}
