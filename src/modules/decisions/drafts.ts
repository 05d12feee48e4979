import crypto from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { conflict, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { audit, hashToken, requireDrafter, showDate, type DecisionsContext } from './context.ts';
import {
  FORM_NAMES,
  REMEDY_TYPES,
  SECTION_KEYS,
  SECTION_NAMES,
  remedyLine,
  type DraftForm,
  type DraftSections,
  type RemedyProposal,
} from './domain.ts';

/* Drafts: issued to both parties at once, each version superseding the one before. */

export interface IssueDraftInput {
  sections: DraftSections;
  evidenceDocumentIds?: string[];
  remedies?: RemedyProposal[];
}

/** Issues a draft decision on a case under investigation (or a revised one), in its own transaction. */
export async function issueDraft(ctx: DecisionsContext, actor: Actor, complaintId: string, input: IssueDraftInput) {
  return ctx.repo.transaction((_repo, trx) =>
    issueDraftInTx(ctx, trx, actor, complaintId, input, { form: 'decision' }),
  );
}

/**
 * Issues a draft (decision or report) in the caller's transaction: the next version, the case
 * moved to 'decision', and the draft written at the same time to the complainant and to the
 * authority (addressed to the chief executive), each with the comment deadline.
 */
export async function issueDraftInTx(
  ctx: DecisionsContext,
  trx: Tx,
  actor: Actor,
  complaintId: string,
  input: IssueDraftInput,
  options: { form: DraftForm; commentDueOn?: string },
): Promise<{ draftId: string; version: number; commentDueOn: string; complainantLink: string }> {
  requireDrafter(actor, options.form);
  const problems: FieldError[] = [];
  const sections = {} as DraftSections;
  for (const key of SECTION_KEYS) {
    const text = (input.sections[key] ?? '').trim();
    sections[key] = text;
    if (text === '') problems.push({ field: key, message: `Enter ${SECTION_NAMES[key].toLowerCase()}` });
  }
  const remedies = input.remedies ?? [];
  remedies.forEach((r, i) => {
    if (!(REMEDY_TYPES as readonly string[]).includes(r.type))
      problems.push({ field: `remedies.${i}.type`, message: 'Choose the type of remedy' });
    if (!r.description?.trim())
      problems.push({ field: `remedies.${i}.description`, message: 'Describe what the authority should do' });
  });
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  if (options.commentDueOn !== undefined && !(options.commentDueOn > today))
    problems.push({ field: 'commentDueOn', message: 'The comment deadline must be after today' });
  if (problems.length > 0) throw invalid(problems);

  const repo = ctx.repo.with(trx);
  const complaint = await repo.lockComplaint(complaintId);
  if (!complaint) throw notFound('The complaint');
  if (await repo.final(complaintId)) throw conflict('A final decision has been issued on this case: no further drafts');
  if (complaint.status !== 'investigation' && complaint.status !== 'decision')
    throw conflict(`A draft can only be issued on a case under investigation (this case is ${complaint.status})`);

  const evidenceIds = [...new Set(input.evidenceDocumentIds ?? [])];
  const evidence = await repo.caseDocuments(complaintId, evidenceIds);
  if (evidence.length !== evidenceIds.length)
    throw invalid([{ field: 'evidenceDocumentIds', message: 'Choose evidence from this case’s documents' }]);

  const latest = await repo.latestDraft(complaintId);
  const version = (latest?.version ?? 0) + 1;
  const deadline = options.commentDueOn
    ? { date: options.commentDueOn, rule: { ruleId: 'chosen-date', date: options.commentDueOn } }
    : {
        date: ctx.calendar.addWorkingDays(today, ctx.settings.commentWorkingDays).date,
        rule: {
          ruleId: 'working-days-after-start',
          basis: 'default',
          workingDays: ctx.settings.commentWorkingDays,
          startDate: today,
          holidaySet: 'england-and-wales',
          closures: [...ctx.calendar.closures],
        },
      };
  const token = crypto.randomBytes(32).toString('base64url');
  await repo.supersede(complaintId, now);
  const draftId = await repo.insertDraft({
    complaint_id: complaintId,
    authority_id: complaint.authority_id,
    form: options.form,
    version,
    complaint_text: sections.complaint,
    findings_text: sections.findings,
    proposed_remedy_text: sections.proposedRemedy,
    decision_text: sections.decision,
    remedies: JSON.stringify(remedies),
    issued_by: actor.type === 'user' ? actor.id : null,
    issued_at: now,
    issued_on: today,
    comment_due_on: deadline.date,
    comment_due_rule: JSON.stringify(deadline.rule),
    complainant_token_hash: hashToken(token),
  });
  await repo.insertEvidence(evidenceIds.map((id, i) => ({ draft_id: draftId, document_id: id, position: i + 1 })));
  await ctx.complaints.transition(trx, actor, complaintId, 'decision', {
    reason: `${FORM_NAMES[options.form].draft} issued (version ${version})`,
  });

  const name = FORM_NAMES[options.form].draft;
  const revised = version > 1 ? `revised ${name.toLowerCase()} (version ${version})` : name.toLowerCase();
  const body = [
    ...SECTION_KEYS.map((k) => `${SECTION_NAMES[k]}\n\n${sections[k]}`),
    ...(remedies.length > 0 ? [`Recommended remedies\n\n${remedies.map((r) => `- ${remedyLine(r)}`).join('\n')}`] : []),
    ...(evidence.length > 0 ? [`Evidence\n\n${evidence.map((d) => `- ${d.filename}`).join('\n')}`] : []),
  ].join('\n\n');
  const due = showDate(deadline.date);
  const complainantLink = `${ctx.settings.baseUrl}/decision/${token}`;
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'draft-decision',
    addressees: ['complainant'],
    subject: `Our ${revised} on your complaint`,
    text:
      `We have reached a ${revised} on your complaint. Please send us any comments by ${due}.\n\n` +
      `You can read it and comment, or tell us you have no comments, at ${complainantLink}\n\n${body}`,
    actor,
  });
  await ctx.correspondence.write(trx, {
    complaintId,
    kind: 'draft-decision',
    addressees: ['chief-executive', 'link-officers'],
    letter: true,
    subject: `Our ${revised} on complaint ${complaint.reference}`,
    text:
      `Dear Chief Executive,\n\nWe enclose our ${revised} on complaint ${complaint.reference}. ` +
      `Please send us any comments by ${due}. Please also make sure anyone criticised in it has seen it, ` +
      `with the evidence, and record that you have done so.\n\n` +
      `Comment or record that there are no comments at ${ctx.settings.baseUrl}/portal/complaints/${complaintId}/decision\n\n${body}`,
    actor,
  });
  for (const hook of ctx.hooks.draft) {
    await hook(trx, actor, { complaintId, draftId, version, form: options.form, issuedOn: today, remedies });
  }
  await audit(trx, actor, `decision.draft-issued`, 'draft-decision', draftId, complaint.authority_id);
  return { draftId, version, commentDueOn: deadline.date, complainantLink };
}
