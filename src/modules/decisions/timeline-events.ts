import type { TimelineEvent } from '../complaints/complaints.service.ts';
import { showDate, type DecisionsContext } from './context.ts';
import { CHANNEL_NAMES, FINAL_OUTCOME_NAMES, FORM_NAMES } from './domain.ts';

/** The decision events of a case's timeline. */
export async function timelineEvents(ctx: DecisionsContext, complaintId: string): Promise<TimelineEvent[]> {
  const [drafts, comments, disclosures, final] = await Promise.all([
    ctx.repo.drafts(complaintId),
    ctx.repo.comments(complaintId),
    ctx.repo.disclosures(complaintId),
    ctx.repo.final(complaintId),
  ]);
  const evidence = await ctx.repo.evidence(drafts.map((d) => d.id));
  const review = final ? await ctx.repo.review(final.id) : undefined;
  const base = `/staff/complaints/${complaintId}/decision`;
  const versionOf = new Map(drafts.map((d) => [d.id, d.version]));
  const events: TimelineEvent[] = [];
  for (const d of drafts) {
    events.push({
      at: d.issued_at,
      kind: 'draft',
      label: `${FORM_NAMES[d.form].draft} issued (version ${d.version}) to both parties`,
      text: `Comments due by ${showDate(d.comment_due_on)}`,
      actorRole: 'Investigator',
      by: d.issued_by_name,
      actor: { userId: d.issued_by, acting: ['decisions:write'] },
      documents: evidence
        .filter((e) => e.draft_id === d.id && !e.do_not_disclose)
        .map((e) => ({ id: e.id, filename: e.filename })),
      href: `${base}/drafts/${d.version}`,
      authorityVisible: true,
    });
  }
  for (const c of comments) {
    const who = c.party === 'authority' ? 'the authority' : 'the complainant';
    events.push({
      at: c.received_at,
      kind: 'comment',
      label: `${c.no_comments ? `No comments from ${who}` : `Comments from ${who}`} on version ${versionOf.get(c.draft_id) ?? '?'}${c.late ? ' (late)' : ''}`,
      text: CHANNEL_NAMES[c.channel],
      actorRole: c.party === 'authority' ? 'Authority' : 'Complainant',
      by: c.entered_by_name,
      actor: { userId: c.entered_by, acting: ['decisions:portal', 'decisions:write'] },
      href: base,
      authorityVisible: c.party === 'authority',
    });
  }
  for (const x of disclosures) {
    events.push({
      at: x.recorded_at,
      kind: 'draft',
      label: `The authority recorded that people criticised were shown the draft${x.with_evidence ? ' with the evidence' : ''}`,
      text: `Shown on ${showDate(x.shown_on)}`,
      actorRole: 'Authority',
      by: x.recorded_by_name,
      actor: { userId: x.recorded_by, acting: ['decisions:portal', 'decisions:write'] },
      href: base,
      authorityVisible: true,
    });
  }
  if (final) {
    events.push({
      at: final.decided_at,
      kind: 'decision',
      label: `${FORM_NAMES[final.form].final}: ${FINAL_OUTCOME_NAMES[final.outcome]}`,
      text: final.statement,
      actorRole: 'Investigator',
      by: final.decided_by_name,
      actor: { userId: final.decided_by, acting: ['decisions:write'] },
      href: base,
      authorityVisible: true,
    });
  }
  if (final?.early_reason) {
    events.push({
      at: final.decided_at,
      kind: 'decision',
      label: `${FORM_NAMES[final.form].final} issued before comments were due`,
      text: final.early_reason,
      actorRole: 'Investigator',
      by: final.decided_by_name,
      actor: { userId: final.decided_by, acting: ['decisions:write'] },
      href: base,
      authorityVisible: false,
    });
  }
  if (review) {
    events.push({
      at: review.requested_at,
      kind: 'review',
      label: 'Review of the final decision asked for',
      actorRole: 'Complainant',
      href: base,
      authorityVisible: false,
    });
    if (review.decided_at) {
      events.push({
        at: review.decided_at,
        kind: 'review',
        label:
          review.result === 'decision-changed' && review.new_outcome
            ? `Review decided: outcome changed to ${FINAL_OUTCOME_NAMES[review.new_outcome]}`
            : 'Review decided: the decision stands',
        text: review.result_reason,
        actorRole: 'Casework manager',
        by: review.decided_by_name,
        actor: { userId: review.decided_by, acting: ['decisions:review'] },
        href: base,
        authorityVisible: true,
      });
    }
  }
  return events;
}
