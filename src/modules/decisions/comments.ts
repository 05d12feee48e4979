import { invalid, notFound, type FieldError } from '../../platform/errors.ts';
import { isCalendarDate } from '../../platform/input.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { TOKEN_SHAPE, audit, hashToken, requireStaff, type DecisionsContext } from './context.ts';
import type { DraftRow } from './decisions.repository.ts';
import { isLate, type CommentChannel, type CommentParty } from './domain.ts';
import { draftView } from './reading.ts';

/*
 * Comments on a draft, from either party by any channel, and the authority's record that the
 * people criticised were shown it.
 */

export interface CommentInput {
  text?: string | null | undefined;
  noComments?: boolean | undefined;
}

function cleanComment(input: CommentInput): { text: string | null; noComments: boolean } {
  const noComments = input.noComments === true;
  const text = input.text?.trim() || null;
  if (!noComments && !text)
    throw invalid([{ field: 'text', message: 'Enter your comments, or tell us you have no comments' }]);
  if (text && text.length > 50_000)
    throw invalid([{ field: 'text', message: 'Comments must be 50,000 characters or fewer' }]);
  return { text: noComments ? null : text, noComments };
}

async function storeComment(
  ctx: DecisionsContext,
  draft: DraftRow,
  actor: Actor | null,
  party: CommentParty,
  channel: CommentChannel,
  input: CommentInput,
): Promise<{ id: string; late: boolean; dueOn: string }> {
  const { text, noComments } = cleanComment(input);
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  const late = isLate(today, draft.comment_due_on);
  const id = await ctx.repo.transaction(async (repo, trx) => {
    const id = await repo.insertComment({
      draft_id: draft.id,
      complaint_id: draft.complaint_id,
      authority_id: draft.authority_id,
      party,
      channel,
      no_comments: noComments,
      text,
      received_at: now,
      received_on: today,
      late,
      entered_by: actor?.type === 'user' ? actor.id : null,
    });
    await audit(
      trx,
      actor,
      late ? 'decision.comment-received-late' : 'decision.comment-received',
      'draft-comment',
      id,
      draft.authority_id,
    );
    return id;
  });
  return { id, late, dueOn: draft.comment_due_on };
}

/**
 * A comment on a draft (or "no comments"): from the authority through the portal or its API token,
 * or entered by staff for either party (received by email or otherwise). After the deadline it is
 * kept and marked late.
 */
export async function comment(
  ctx: DecisionsContext,
  actor: Actor,
  draftId: string,
  input: CommentInput & { party?: CommentParty | undefined; channel?: 'email' | 'staff' | undefined },
) {
  const draft = await ctx.repo.draft(draftId);
  if (!draft) throw notFound('The draft');
  if (actor.authorityId !== null) {
    if (actor.authorityId !== draft.authority_id || !can(actor, 'decisions:portal')) throw notFound('The draft');
    return storeComment(ctx, draft, actor, 'authority', actor.type === 'token' ? 'api' : 'portal', input);
  }
  requireStaff(actor, 'decisions:write');
  if (input.party !== 'complainant' && input.party !== 'authority')
    throw invalid([{ field: 'party', message: 'Choose whose comments these are' }]);
  return storeComment(ctx, draft, actor, input.party, input.channel ?? 'staff', input);
}

/** The complainant's own link from the draft's letter: the draft as they see it. */
export async function draftByLink(ctx: DecisionsContext, token: string) {
  if (!TOKEN_SHAPE.test(token)) throw notFound('The draft');
  const draft = await ctx.repo.draftByTokenHash(hashToken(token));
  if (!draft) throw notFound('The draft');
  const [complaint, comments, evidence, final] = await Promise.all([
    ctx.repo.complaint(draft.complaint_id),
    ctx.repo.comments(draft.complaint_id),
    ctx.repo.evidence([draft.id]),
    ctx.repo.final(draft.complaint_id),
  ]);
  return {
    draft: draftView(
      draft,
      evidence.filter((e) => !e.do_not_disclose),
    ),
    reference: complaint?.reference ?? '',
    authorityName: complaint?.authority_name ?? '',
    superseded: draft.superseded_at !== null,
    late: isLate(londonToday(ctx), draft.comment_due_on),
    finalIssued: final !== undefined,
    comments: comments
      .filter((c) => c.draft_id === draft.id && c.party === 'complainant')
      .map((c) => ({ at: c.received_at, noComments: c.no_comments, text: c.text, late: c.late })),
  };
}

/** The complainant comments (or has none) through the link in the draft's letter. */
export async function commentByLink(ctx: DecisionsContext, token: string, input: CommentInput) {
  if (!TOKEN_SHAPE.test(token)) throw notFound('The draft');
  const draft = await ctx.repo.draftByTokenHash(hashToken(token));
  if (!draft) throw notFound('The draft');
  return storeComment(ctx, draft, null, 'complainant', 'complainant-link', input);
}

/** The authority records that the people criticised in a draft were shown it (and whether with the evidence). */
export async function recordDisclosure(
  ctx: DecisionsContext,
  actor: Actor,
  draftId: string,
  input: { shownTo: string; shownOn: string; withEvidence: boolean },
): Promise<string> {
  const draft = await ctx.repo.draft(draftId);
  if (!draft) throw notFound('The draft');
  if (actor.authorityId !== null) {
    if (actor.authorityId !== draft.authority_id || !can(actor, 'decisions:portal')) throw notFound('The draft');
  } else requireStaff(actor, 'decisions:write');
  const problems: FieldError[] = [];
  const shownTo = input.shownTo.trim();
  if (!shownTo) problems.push({ field: 'shownTo', message: 'Enter who was shown the draft (names or roles)' });
  const today = londonToday(ctx);
  if (!isCalendarDate(input.shownOn))
    problems.push({ field: 'shownOn', message: 'Enter the date they were shown it, as a real date' });
  else if (input.shownOn > today) problems.push({ field: 'shownOn', message: 'The date must be today or in the past' });
  else if (input.shownOn < draft.issued_on)
    problems.push({ field: 'shownOn', message: 'The date must be on or after the day the draft was issued' });
  if (problems.length > 0) throw invalid(problems);
  return ctx.repo.transaction(async (repo, trx) => {
    const id = await repo.insertDisclosure({
      draft_id: draft.id,
      complaint_id: draft.complaint_id,
      authority_id: draft.authority_id,
      shown_to: shownTo,
      shown_on: input.shownOn,
      with_evidence: input.withEvidence,
      recorded_by: actor.type === 'user' ? actor.id : null,
      recorded_at: ctx.clock.now(),
    });
    await audit(trx, actor, 'decision.criticised-shown-draft', 'draft-disclosure', id, draft.authority_id);
    return id;
  });
}
