import { notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { requireStaff, sectionsOf, type DecisionsContext } from './context.ts';
import type { DraftRow } from './decisions.repository.ts';
import {
  CHANNEL_NAMES,
  FINAL_OUTCOME_NAMES,
  FORM_NAMES,
  SECTION_KEYS,
  SECTION_NAMES,
  diffSections,
  isLate,
  remedyLine,
  reviewInTime,
  type RemedyProposal,
} from './domain.ts';

/* Reading a case's decisions: everything as the actor may see it, and one draft's version with its differences. */

/** A draft as shown: its sections, remedies and the evidence the reader may see. */
export function draftView(
  d: DraftRow & { issued_by_name?: string | null },
  evidence: readonly { id: string; filename: string }[],
) {
  return {
    id: d.id,
    version: d.version,
    form: d.form,
    formName: FORM_NAMES[d.form].draft,
    sections: SECTION_KEYS.map((k) => ({ key: k, name: SECTION_NAMES[k], text: sectionsOf(d)[k] })),
    remedies: (d.remedies as RemedyProposal[]).map((r) => ({ ...r, line: remedyLine(r) })),
    evidence: evidence.map((e) => ({ id: e.id, filename: e.filename })),
    issuedAt: d.issued_at,
    issuedOn: d.issued_on,
    issuedBy: d.issued_by_name ?? null,
    commentDueOn: d.comment_due_on,
    current: d.superseded_at === null,
  };
}

/** Who may read a case's decisions: staff who read complaints, and the case's own authority when it was told of the case. */
async function readable(ctx: DecisionsContext, actor: Actor, complaintId: string) {
  const complaint = await ctx.repo.complaint(complaintId);
  if (!complaint) throw notFound('The complaint');
  if (actor.authorityId === null) requireStaff(actor, 'complaints:read');
  else if (
    actor.authorityId !== complaint.authority_id ||
    !(await ctx.repo.caseTold(complaint.id)) ||
    !can(actor, 'decisions:portal')
  )
    throw notFound('The complaint');
  return complaint;
}

/**
 * Everything about a case's decision as the actor may see it. The authority sees the drafts, its
 * own comments and records, and the final decision; staff see both parties' comments too.
 */
export async function caseDecision(ctx: DecisionsContext, actor: Actor, complaintId: string) {
  const complaint = await readable(ctx, actor, complaintId);
  const staff = actor.authorityId === null;
  const [drafts, comments, disclosures, final] = await Promise.all([
    ctx.repo.drafts(complaintId),
    ctx.repo.comments(complaintId),
    ctx.repo.disclosures(complaintId),
    ctx.repo.final(complaintId),
  ]);
  const evidence = await ctx.repo.evidence(drafts.map((d) => d.id));
  const review = final ? await ctx.repo.review(final.id) : undefined;
  const today = londonToday(ctx);
  return {
    complaint: { id: complaint.id, reference: complaint.reference, status: complaint.status },
    drafts: drafts
      .map((d) => ({
        ...draftView(
          d,
          evidence.filter((e) => e.draft_id === d.id && (staff || !e.do_not_disclose)),
        ),
        late: isLate(today, d.comment_due_on),
        comments: comments
          .filter((c) => c.draft_id === d.id && (staff || c.party === 'authority'))
          .map((c) => ({
            id: c.id,
            party: c.party,
            partyName: c.party === 'authority' ? 'Authority' : 'Complainant',
            channel: c.channel,
            channelName: CHANNEL_NAMES[c.channel],
            noComments: c.no_comments,
            text: c.text,
            late: c.late,
            receivedAt: c.received_at,
            enteredBy: staff ? c.entered_by_name : null,
          })),
        disclosures: disclosures
          .filter((x) => x.draft_id === d.id)
          .map((x) => ({
            shownTo: x.shown_to,
            shownOn: x.shown_on,
            withEvidence: x.with_evidence,
            recordedAt: x.recorded_at,
            recordedBy: x.recorded_by_name,
          })),
      }))
      .reverse(),
    final: final
      ? {
          id: final.id,
          form: final.form,
          formName: FORM_NAMES[final.form].final,
          outcome: final.outcome,
          outcomeName: FINAL_OUTCOME_NAMES[final.outcome],
          statement: final.statement,
          decidedOn: final.decided_on,
          decidedBy: staff ? final.decided_by_name : null,
          reviewDueOn: final.review_due_on,
          reviewInTime: reviewInTime(today, final.review_due_on),
          earlyReason: staff ? final.early_reason : null,
        }
      : null,
    review: review
      ? {
          id: review.id,
          grounds: staff ? review.grounds : null,
          channel: review.channel,
          requestedOn: review.requested_on,
          result: review.result,
          newOutcomeName: review.new_outcome ? FINAL_OUTCOME_NAMES[review.new_outcome] : null,
          reason: review.result_reason,
          decidedBy: staff ? review.decided_by_name : null,
        }
      : null,
  };
}

/** One version of a draft with the differences from the version before it (or another chosen one). */
export async function draftVersion(
  ctx: DecisionsContext,
  actor: Actor,
  complaintId: string,
  version: number,
  compareWith?: number,
) {
  await readable(ctx, actor, complaintId);
  const drafts = await ctx.repo.drafts(complaintId);
  const draft = drafts.find((d) => d.version === version);
  if (!draft) throw notFound('The draft');
  const otherVersion = compareWith ?? version - 1;
  const other = drafts.find((d) => d.version === otherVersion && d.version !== version);
  const evidence = await ctx.repo.evidence([draft.id]);
  return {
    draft: draftView(
      draft,
      evidence.filter((e) => actor.authorityId === null || !e.do_not_disclose),
    ),
    versions: drafts.map((d) => d.version),
    compareWith: other?.version ?? null,
    diff: other ? diffSections(sectionsOf(other), sectionsOf(draft)) : null,
  };
}

/** The draft's id for a version, for the API and links. */
export async function draftIdOf(ctx: DecisionsContext, complaintId: string, version: number): Promise<string | null> {
  return (await ctx.repo.drafts(complaintId)).find((d) => d.version === version)?.id ?? null;
}
