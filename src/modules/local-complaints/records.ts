import { z } from 'zod';
import { conflict, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import {
  CODE_STAGES,
  DEFAULT_RETENTION_YEARS,
  DUE_SOON_WORKING_DAYS,
  dueState,
  nextDue,
  stageClock,
  stagesFor,
  type RecordState,
  type StatutoryRoute,
} from './domain.ts';
import { applyEvent, openedStage, stageFinding, type EventInput } from './events.ts';
import {
  auditEvent,
  authorityOf,
  changed,
  inTransaction,
  own,
  rules,
  stageDates,
  stateOf,
  type Dates,
  type LocalComplaintsContext,
  type NewLocalComplaint,
} from './context.ts';
import type { LocalComplaintsRepository, LocalRow, LogFilter } from './local-complaints.repository.ts';

// The authority's records: entering one, recording its events, a record's page and the log.

const logCursor = z.tuple([z.string(), z.uuid()]);

/** Records a complaint as the authority received it; its stage 1 clock starts on the day of receipt. */
export async function create(ctx: LocalComplaintsContext, actor: Actor, input: NewLocalComplaint): Promise<Dates> {
  const authorityId = authorityOf(actor, 'local-complaints:manage');
  const day = londonToday(ctx);
  const problems: FieldError[] = [];
  if (input.receivedOn > day)
    problems.push({ field: 'receivedOn', message: 'The date received must be today or in the past' });
  if (problems.length > 0) throw invalid(problems);
  const route = input.statutoryRoute;
  const stageRules = await rules(ctx, authorityId, route);
  const stage = openedStage(1, input.receivedOn, input.handler);
  const dated = stageDates(ctx, stageRules, stage);
  const state: RecordState = { receivedOn: input.receivedOn, stage: 1, closedOn: null, stages: [stage] };
  const created = await inTransaction(ctx, async ({ records: repo }) => {
    const id = await repo.insert(
      {
        authority_id: authorityId,
        reference: input.reference,
        received_on: input.receivedOn,
        service_area: input.serviceArea,
        channel: input.channel,
        complainant_name: input.complainant.name,
        complainant_email: input.complainant.email,
        complainant_phone: input.complainant.phone,
        summary: input.summary,
        statutory_route: route,
        stage: 1,
        next_due_on: nextDue(ctx.calendar, stageRules, state),
        closed_on: null,
      },
      [dated],
      [{ stage: 1, type: 'received', happened_on: input.receivedOn, detail: null }],
      actor.type,
    );
    if (!id)
      throw conflict('There is a problem', [
        { field: 'reference', message: `A complaint with the reference ${input.reference} is already in your log` },
      ]);
    await repo.audit(auditEvent(actor, 'local-complaint.created', id, authorityId));
    return { id, stage: 1, acknowledgeBy: dated.ackBy, respondBy: dated.respondBy };
  });
  changed(ctx, authorityId);
  return created;
}

/** Records an event; refused with the reason, changing nothing, when the Code or the dates do not allow it. */
export async function recordEvent(
  ctx: LocalComplaintsContext,
  actor: Actor,
  id: string,
  event: EventInput,
): Promise<Dates> {
  const recorded = await inTransaction(ctx, async ({ records: repo }) => {
    const row = await own(repo, actor, id, 'local-complaints:manage', true);
    const stages = await repo.stages(id);
    const stageRules = stagesFor(row.authority_kind, row.statutory_route as StatutoryRoute | null);
    const applied = applyEvent(stageRules, stateOf(row, stages), event, londonToday(ctx));
    if ('errors' in applied) throw invalid(applied.errors, applied.errors[0]?.message);
    const after: RecordState = {
      receivedOn: row.received_on,
      stage: applied.stage,
      closedOn: applied.closedOn,
      stages: applied.stages,
    };
    let current = { ackBy: '', respondBy: '' };
    for (const s of applied.stages) {
      const d = stageDates(ctx, stageRules, s);
      await repo.saveStage(id, s, d.ackBy, d.respondBy);
      if (s.stage === applied.stage) current = d;
    }
    await repo.update(
      id,
      { stage: applied.stage, closed_on: applied.closedOn, next_due_on: nextDue(ctx.calendar, stageRules, after) },
      ctx.clock.now(),
    );
    await repo.addEvent(
      id,
      {
        stage: event.type === 'escalated' ? applied.stage : row.stage,
        type: event.type,
        happened_on: event.on,
        detail: applied.detail,
      },
      actor.type,
    );
    await repo.audit(auditEvent(actor, `local-complaint.${event.type}`, id, row.authority_id));
    return {
      authorityId: row.authority_id,
      dates: { id, stage: applied.stage, acknowledgeBy: current.ackBy, respondBy: current.respondBy },
    };
  });
  changed(ctx, recorded.authorityId);
  return recorded.dates;
}

/** One record with its stages, their clocks (with the working) and its history. */
export async function get(ctx: LocalComplaintsContext, actor: Actor, id: string) {
  const row = await own(ctx.records, actor, id, 'local-complaints:read');
  return detail(ctx, row);
}

export async function detail(ctx: LocalComplaintsContext, row: LocalRow) {
  const [stages, events] = await Promise.all([ctx.records.stages(row.id), ctx.records.events(row.id)]);
  const stageRules = stagesFor(row.authority_kind, row.statutory_route as StatutoryRoute | null);
  const day = londonToday(ctx);
  return {
    record: row,
    rules: stageRules,
    stages: stages.map((s) => {
      const rule = stageRules[s.stage - 1] ?? stageRules[stageRules.length - 1] ?? CODE_STAGES[0];
      if (!rule) throw new Error('no stage rules');
      return Object.assign({ rule, clock: stageClock(ctx.calendar, rule, s) }, s);
    }),
    events,
    due: dueState(ctx.calendar, row.next_due_on, day),
    finding: stageFinding(ctx.calendar, stageRules, stateOf(row, stages), day),
    canEscalate: stageRules.length > row.stage,
    today: day,
  };
}

export async function dates(
  ctx: LocalComplaintsContext,
  actor: Actor,
  id: string,
): Promise<Dates & { reference: string; closedOn: string | null }> {
  const d = await get(ctx, actor, id);
  const s = d.stages.find((x) => x.stage === d.record.stage);
  if (!s) throw notFound('The complaint');
  return {
    id,
    reference: d.record.reference,
    stage: d.record.stage,
    acknowledgeBy: s.clock.acknowledge.date,
    respondBy: s.clock.respond.date,
    closedOn: d.record.closed_on,
  };
}

/** The log: one page, newest received first, with its due badges. */
export async function log(
  ctx: LocalComplaintsContext,
  actor: Actor,
  filter: Omit<LogFilter, 'today' | 'dueSoonBy'>,
  cursor: string | undefined,
  limit = 50,
): Promise<Page<Awaited<ReturnType<LocalComplaintsRepository['log']>>[number] & { due: ReturnType<typeof dueState> }>> {
  const authorityId = authorityOf(actor, 'local-complaints:read');
  const day = londonToday(ctx);
  const dueSoonBy = ctx.calendar.addWorkingDays(day, DUE_SOON_WORKING_DAYS).date;
  const after = cursor ? decodeCursor(cursor, logCursor) : null;
  const rows = await ctx.records.log(authorityId, { ...filter, today: day, dueSoonBy }, after, limit);
  const page = toPage(rows, limit, (r) => [r.received_on, r.id]);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => Object.assign({ due: dueState(ctx.calendar, r.next_due_on, day) }, r)),
  };
}

export async function authorityName(ctx: LocalComplaintsContext, actor: Actor): Promise<string> {
  const a = await ctx.records.authorityKind(authorityOf(actor, 'local-complaints:read'));
  return a?.name ?? '';
}

/** Deletes closed records past their authority's retention setting. */
export async function sweepRetention(ctx: LocalComplaintsContext): Promise<number> {
  return ctx.oversight.deleteExpired(londonToday(ctx), DEFAULT_RETENTION_YEARS);
}
