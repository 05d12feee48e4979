import { z } from 'zod';
import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { forbidden } from '../../platform/errors.ts';
import { calendarDate } from '../../platform/input.ts';
import { decodeCursor, toPage } from '../../platform/pagination.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { mayReadScope, type HomeScope } from '../home/scope.ts';
import { staffOnly, type EnquiriesContext } from './context.ts';
import { ENQUIRY_KIND_NAMES, REMINDER_NAMES, URGENCY_TAGS, onTimeRate, urgency } from './domain.ts';

const INBOX_PAGE = 50;
const inboxCursor = z.tuple([calendarDate(), z.uuid()]);

/** The portal inbox: open enquiries, soonest due first (a delegate's: only those given to them). */
export async function inbox(ctx: EnquiriesContext, actor: Actor, cursor?: string) {
  if (actor.authorityId === null) throw forbidden();
  const delegateOnly = !actor.roles.includes('link-officer');
  if (delegateOnly && !actor.roles.includes('delegate')) throw forbidden();
  const today = londonToday(ctx);
  const soonBy = ctx.calendar.addWorkingDays(today, ctx.settings.reminderWorkingDays).date;
  const after = cursor ? decodeCursor(cursor, inboxCursor) : null;
  const who = delegateOnly ? actor.id : null;
  const { rows, total, notices } = await ctx.lists.inboxPage(
    actor.authorityId,
    who,
    INBOX_PAGE + 1,
    after,
    delegateOnly || after ? 0 : 10,
  );
  const page = toPage(rows, INBOX_PAGE, (r) => [r.due_on, r.id]);
  return {
    today,
    total,
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      number: r.number,
      kindName: ENQUIRY_KIND_NAMES[r.kind],
      complaintReference: r.complaint_reference,
      sentAt: r.sent_at,
      dueDate: r.due_on,
      questions: r.questions,
      ready: r.ready,
      tag: URGENCY_TAGS[urgency(r.due_on, today, soonBy)],
    })),
    notices: notices.map((n) => ({
      name: REMINDER_NAMES[n.kind],
      enquiryId: n.enquiry_id,
      number: n.number,
      reference: n.reference,
      dueDate: n.due_on,
      sentAt: n.sent_at,
    })),
  };
}

/** How many of an authority's enquiries are past their due date without a response. */
export async function countOverdueForAuthority(
  ctx: EnquiriesContext,
  actor: Actor,
  authorityId: string,
): Promise<number> {
  staffOnly(actor, 'enquiries:read');
  return ctx.lists.countOverdueForAuthority(authorityId, londonToday(ctx));
}

/** Overdue open enquiries for the staff dashboard. */
export async function overdue(ctx: EnquiriesContext, actor: Actor, limit = 10) {
  staffOnly(actor, 'enquiries:read');
  const today = londonToday(ctx);
  const [items, total] = await Promise.all([ctx.lists.overdue(today, limit), ctx.lists.countOverdue(today)]);
  return {
    total,
    items: items.map((r) => ({
      id: r.id,
      number: r.number,
      reference: r.reference,
      authorityName: r.authority_name,
      dueDate: r.due_on,
      workingDaysOverdue: ctx.calendar.workingDaysBetween(r.due_on, today),
    })),
  };
}

/**
 * Open enquiries for a home page (an authority's, or an investigator's cases), soonest due first, with
 * counts. `actor` null: the system (the weekly email).
 */
export async function homePanel(
  ctx: EnquiriesContext,
  actor: Actor | null,
  scope: HomeScope,
  o: { dueBy?: IsoDate | null; limit: number },
) {
  if (!mayReadScope(actor, scope)) throw forbidden();
  if (actor && actor.authorityId !== null && !actor.roles.includes('link-officer')) throw forbidden();
  const today = londonToday(ctx);
  const soonBy = ctx.calendar.addWorkingDays(today, ctx.settings.reminderWorkingDays).date;
  const panel = await ctx.lists.homePanel(scope, { today, soonBy, dueBy: o.dueBy ?? null, limit: o.limit });
  return {
    total: panel.total,
    overdue: panel.overdue,
    soon: panel.soon,
    items: panel.rows.map((r) => ({
      id: r.id,
      number: r.number,
      kindName: ENQUIRY_KIND_NAMES[r.kind],
      reference: r.reference,
      authorityName: r.authority_name,
      dueDate: r.due_on,
      tag: URGENCY_TAGS[urgency(r.due_on, today, soonBy)],
    })),
  };
}

/**
 * Delegated tasks still open at an authority, soonest due first (a delegate's: only their own), with
 * how many are out and how many late. `actor` null: the system.
 */
export async function delegatedTasks(
  ctx: EnquiriesContext,
  actor: Actor | null,
  authorityId: string,
  o: { dueBy?: IsoDate | null; limit: number },
) {
  if (!mayReadScope(actor, { authorityId })) throw forbidden();
  let delegateUserId: string | null = null;
  if (actor && !actor.roles.includes('link-officer')) {
    if (!actor.roles.includes('delegate') || actor.type !== 'user') throw forbidden();
    delegateUserId = actor.id;
  }
  const today = londonToday(ctx);
  const panel = await ctx.lists.delegationPanel(authorityId, {
    today,
    dueBy: o.dueBy ?? null,
    limit: o.limit,
    delegateUserId,
  });
  return {
    total: panel.total,
    late: panel.late,
    items: panel.rows.map((r) => ({
      id: r.id,
      enquiryId: r.enquiry_id,
      number: r.number,
      reference: r.reference,
      delegateName: r.delegate_name,
      question: r.question_position,
      dueDate: r.due_on,
      late: r.due_on < today,
    })),
  };
}

/**
 * An authority's on-time rate for enquiry responses since `from` (the start of its year): responses
 * answered by their deadline out of responses due (see the repository for what counts).
 */
export async function onTimeSince(ctx: EnquiriesContext, actor: Actor | null, authorityId: string, from: IsoDate) {
  if (!mayReadScope(actor, { authorityId })) throw forbidden();
  const today = londonToday(ctx);
  const figures = await ctx.lists.onTimeFigures(authorityId, from, today);
  return { from, to: today, due: figures.due, onTime: figures.onTime, rate: onTimeRate(figures.due, figures.onTime) };
}

/** Extension requests waiting for a decision, for the staff home. */
export async function pendingExtensions(ctx: EnquiriesContext, actor: Actor, limit = 5) {
  staffOnly(actor, 'enquiries:read');
  return ctx.lists.pendingExtensions(limit);
}
