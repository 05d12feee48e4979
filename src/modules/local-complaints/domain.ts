/**
 * The authority's own complaint handling, stage by stage: the Complaint Handling Code's clocks
 * (acknowledge, respond, one extension), the statutory social care routes, what each event may
 * do, and the findings shown to the ombudsman's intake. Pure: no I/O. Deadlines are worked out on
 * the working-day calendar and keep the days they passed over, so a page can show its working.
 */
import type { FieldError } from '../../platform/errors.ts';
import type { NonWorkingDay, WorkingCalendar } from '../../platform/calendar/calendar.ts';

export type Calendar = Pick<WorkingCalendar, 'addWorkingDays' | 'workingDaysBetween'>;

export const STATUTORY_ROUTES = ['adult-social-care', 'childrens-social-care'] as const;
export type StatutoryRoute = (typeof STATUTORY_ROUTES)[number];
export const STATUTORY_ROUTE_NAMES: Record<StatutoryRoute, string> = {
  'adult-social-care': 'Statutory adult social care',
  'childrens-social-care': 'Statutory children’s social care',
};
export const isStatutoryRoute = (v: string): v is StatutoryRoute => (STATUTORY_ROUTES as readonly string[]).includes(v);

export const CHANNELS = ['online', 'email', 'phone', 'letter', 'in-person', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_NAMES: Record<Channel, string> = {
  online: 'Online form',
  email: 'Email',
  phone: 'Telephone',
  letter: 'Letter',
  'in-person': 'In person',
  other: 'Other',
};
export const isChannel = (v: string): v is Channel => (CHANNELS as readonly string[]).includes(v);

export const OUTCOMES = ['upheld', 'partly-upheld', 'not-upheld', 'resolved', 'withdrawn'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_NAMES: Record<Outcome, string> = {
  upheld: 'Upheld',
  'partly-upheld': 'Partly upheld',
  'not-upheld': 'Not upheld',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn',
};
export const isOutcome = (v: string): v is Outcome => (OUTCOMES as readonly string[]).includes(v);

export const EVENT_TYPES = ['acknowledged', 'extended', 'responded', 'escalated', 'closed'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One stage's clock: working days to acknowledge (from the stage's start), to respond (from the acknowledgement) and the one extension's maximum. */
export interface StageRule {
  name: string;
  acknowledgeDays: number;
  respondDays: number;
  maxExtensionDays: number;
}

/** The Complaint Handling Code's two stages (defaults). */
export const CODE_STAGES: readonly StageRule[] = [
  { name: 'Stage 1', acknowledgeDays: 5, respondDays: 10, maxExtensionDays: 10 },
  { name: 'Stage 2', acknowledgeDays: 5, respondDays: 20, maxExtensionDays: 20 },
];

/**
 * The statutory routes, outside the Code: adult social care has one stage (a response period agreed
 * with the complainant, here 25 working days and up to about six months in all); children's social
 * care has three (local resolution in 10 working days, up to 20; investigation in 25, up to 65; a
 * review panel within 30).
 */
export const STATUTORY_STAGES: Record<StatutoryRoute, readonly StageRule[]> = {
  'adult-social-care': [{ name: 'Statutory stage', acknowledgeDays: 3, respondDays: 25, maxExtensionDays: 100 }],
  'childrens-social-care': [
    { name: 'Stage 1 (local resolution)', acknowledgeDays: 2, respondDays: 10, maxExtensionDays: 10 },
    { name: 'Stage 2 (investigation)', acknowledgeDays: 2, respondDays: 25, maxExtensionDays: 40 },
    { name: 'Stage 3 (review panel)', acknowledgeDays: 2, respondDays: 30, maxExtensionDays: 0 },
  ],
};

/**
 * Defaults per kind of authority, where they differ from the Code: a care provider answers in one
 * stage. Every other kind follows the Code's two stages.
 */
export const STAGES_BY_KIND: Readonly<Record<string, readonly StageRule[]>> = {
  'care-provider': [{ name: 'Stage 1', acknowledgeDays: 5, respondDays: 20, maxExtensionDays: 20 }],
};

/** The stages a complaint follows: its statutory route's, else its kind of authority's, else the Code's. */
export function stagesFor(kind: string, route: StatutoryRoute | null): readonly StageRule[] {
  if (route) return STATUTORY_STAGES[route];
  return STAGES_BY_KIND[kind] ?? CODE_STAGES;
}

export interface StageState {
  stage: number;
  handler: string | null;
  openedOn: string;
  acknowledgedOn: string | null;
  extensionWorkingDays: number | null;
  extensionReason: string | null;
  extendedOn: string | null;
  respondedOn: string | null;
  outcome: string | null;
  toldOfOmbudsman: boolean | null;
}

export interface RecordState {
  receivedOn: string;
  stage: number;
  closedOn: string | null;
  stages: readonly StageState[];
}

/** A deadline and how it was reached. */
export interface Deadline {
  date: string;
  /** The day the count starts from. */
  from: string;
  workingDays: number;
  /** What the count starts from, in words ("the complaint was received"). */
  basis: string;
  skipped: NonWorkingDay[];
}

export interface StageClock {
  acknowledge: Deadline;
  respond: Deadline;
}

const isoDay = (d: string) => {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  return `${day} ${months[m - 1] ?? ''} ${y}`;
};
export const formatDay = isoDay;

export function stageClock(cal: Calendar, rule: StageRule, s: StageState): StageClock {
  const start = s.stage === 1 ? 'the complaint was received' : `the request for ${rule.name.toLowerCase()}`;
  const ack = cal.addWorkingDays(s.openedOn, rule.acknowledgeDays);
  const acknowledge: Deadline = {
    date: ack.date,
    from: s.openedOn,
    workingDays: rule.acknowledgeDays,
    basis: start,
    skipped: ack.skipped,
  };
  const from = s.acknowledgedOn ?? ack.date;
  const days = rule.respondDays + (s.extensionWorkingDays ?? 0);
  const resp = cal.addWorkingDays(from, days);
  const basis =
    (s.acknowledgedOn ? 'the acknowledgement' : 'the last day to acknowledge') +
    (s.extensionWorkingDays ? `, with an extension of ${s.extensionWorkingDays} working days` : '');
  return { acknowledge, respond: { date: resp.date, from, workingDays: days, basis, skipped: resp.skipped } };
}

/** "5 working days after the complaint was received on 1 March 2027; not counted: Saturday 6 March, Sunday 7 March". */
export function working(d: Deadline): string {
  const passed = d.skipped.map((n) => `${n.name} ${isoDay(n.date)}`);
  return (
    `${d.workingDays} working days after ${d.basis} on ${isoDay(d.from)}` +
    (passed.length > 0 ? `; not counted: ${passed.join(', ')}` : '')
  );
}

/** The next deadline of a record: its current stage's acknowledgement, else its response; null once answered or closed. */
export function nextDue(cal: Calendar, rules: readonly StageRule[], r: RecordState): string | null {
  if (r.closedOn) return null;
  const s = r.stages.find((x) => x.stage === r.stage);
  const rule = rules[r.stage - 1];
  if (!s || !rule || s.respondedOn) return null;
  const clock = stageClock(cal, rule, s);
  return s.acknowledgedOn ? clock.respond.date : clock.acknowledge.date;
}

export type DueState = 'overdue' | 'due-soon' | 'on-track' | null;
/** Working days ahead within which a deadline is "due soon". */
export const DUE_SOON_WORKING_DAYS = 3;

export function dueState(cal: Calendar, nextDueOn: string | null, today: string): DueState {
  if (!nextDueOn) return null;
  if (nextDueOn < today) return 'overdue';
  return cal.workingDaysBetween(today, nextDueOn) <= DUE_SOON_WORKING_DAYS ? 'due-soon' : 'on-track';
}

export interface EventInput {
  type: EventType;
  on: string;
  handler?: string | null | undefined;
  reason?: string | null | undefined;
  extensionWorkingDays?: number | null | undefined;
  outcome?: string | null | undefined;
  toldOfOmbudsman?: boolean | null | undefined;
}

export interface Applied {
  stage: number;
  closedOn: string | null;
  stages: StageState[];
  /** What the event changed, for the record's history. */
  detail: string | null;
}

const sameHandler = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * What an event does to a record, or why it cannot happen: the date must fall between the stage's
 * start (and never before receipt) and today; one acknowledgement, one extension within the
 * maximum (with a reason), one response per stage; escalation only after a response, to a stage
 * the route has, with a different handler; nothing after closure.
 */
export function applyEvent(
  rules: readonly StageRule[],
  r: RecordState,
  e: EventInput,
  today: string,
): Applied | { errors: FieldError[] } {
  const fail = (field: string, message: string) => ({ errors: [{ field, message }] });
  if (r.closedOn)
    return fail('type', `The complaint was closed on ${isoDay(r.closedOn)}: nothing more can be recorded`);
  if (e.on < r.receivedOn)
    return fail('on', `The date must be on or after the day the complaint was received (${isoDay(r.receivedOn)})`);
  if (e.on > today) return fail('on', 'The date must be today or in the past');
  const stages = r.stages.map((s) => ({ ...s }));
  const current = stages.find((s) => s.stage === r.stage);
  const rule = rules[r.stage - 1];
  if (!current || !rule) return fail('type', 'The complaint’s current stage is not one its route has');
  if (e.on < current.openedOn)
    return fail('on', `The date must be on or after ${rule.name.toLowerCase()} began (${isoDay(current.openedOn)})`);
  const handler = e.handler?.trim() || null;
  const name = rule.name;
  switch (e.type) {
    case 'acknowledged': {
      if (current.acknowledgedOn)
        return fail('type', `${name} was already acknowledged on ${isoDay(current.acknowledgedOn)}`);
      if (current.respondedOn) return fail('type', `${name} has already had its response`);
      if (handler && r.stage > 1) {
        const earlier = stages.find((s) => s.stage < r.stage && sameHandler(s.handler, handler));
        if (earlier)
          return fail(
            'handler',
            `The ${name.toLowerCase()} handler must be a different person from stage ${earlier.stage}’s`,
          );
      }
      current.acknowledgedOn = e.on;
      if (handler) current.handler = handler;
      return { stage: r.stage, closedOn: null, stages, detail: handler ? `Handler: ${handler}` : null };
    }
    case 'extended': {
      if (current.respondedOn) return fail('type', `${name} has already had its response`);
      if (rule.maxExtensionDays === 0) return fail('extensionWorkingDays', `${name} has no extension on this route`);
      if (current.extensionWorkingDays)
        return fail(
          'extensionWorkingDays',
          `${name} has already had its one extension (${current.extensionWorkingDays} working days)`,
        );
      const days = e.extensionWorkingDays ?? null;
      if (days === null || !Number.isInteger(days) || days < 1)
        return fail('extensionWorkingDays', 'Enter the extension in working days, a whole number of 1 or more');
      if (days > rule.maxExtensionDays)
        return fail(
          'extensionWorkingDays',
          `An extension at ${name.toLowerCase()} may be at most ${rule.maxExtensionDays} working days`,
        );
      const reason = e.reason?.trim() || null;
      if (!reason) return fail('reason', 'Enter the reason for the extension, as the complainant was told it');
      if (current.acknowledgedOn && e.on < current.acknowledgedOn)
        return fail('on', `The date must be on or after the acknowledgement (${isoDay(current.acknowledgedOn)})`);
      current.extensionWorkingDays = days;
      current.extensionReason = reason;
      current.extendedOn = e.on;
      return { stage: r.stage, closedOn: null, stages, detail: `${days} working days: ${reason}` };
    }
    case 'responded': {
      if (current.respondedOn) return fail('type', `${name} was already answered on ${isoDay(current.respondedOn)}`);
      if (current.acknowledgedOn && e.on < current.acknowledgedOn)
        return fail('on', `The date must be on or after the acknowledgement (${isoDay(current.acknowledgedOn)})`);
      if (e.outcome != null && !isOutcome(e.outcome)) return fail('outcome', 'Select the outcome');
      current.respondedOn = e.on;
      current.outcome = e.outcome ?? null;
      current.toldOfOmbudsman = e.toldOfOmbudsman ?? null;
      if (handler && !current.handler) current.handler = handler;
      const parts = [
        e.outcome && isOutcome(e.outcome) ? OUTCOME_NAMES[e.outcome] : null,
        e.toldOfOmbudsman === true
          ? 'told they may go to the ombudsman'
          : e.toldOfOmbudsman === false
            ? 'not told of the ombudsman'
            : null,
      ].filter((p) => p !== null);
      return { stage: r.stage, closedOn: null, stages, detail: parts.length > 0 ? parts.join('; ') : null };
    }
    case 'escalated': {
      const next = rules[r.stage];
      if (!next) return fail('type', `${name} is the last stage of this complaint’s route: it cannot be escalated`);
      if (!current.respondedOn)
        return fail(
          'type',
          `A complaint can go to ${next.name.toLowerCase()} only after the ${name.toLowerCase()} response`,
        );
      if (e.on < current.respondedOn)
        return fail(
          'on',
          `The date must be on or after the ${name.toLowerCase()} response (${isoDay(current.respondedOn)})`,
        );
      if (!handler) return fail('handler', `Enter the ${next.name.toLowerCase()} handler`);
      const earlier = stages.find((s) => sameHandler(s.handler, handler));
      if (earlier)
        return fail(
          'handler',
          `The ${next.name.toLowerCase()} handler must be a different person from stage ${earlier.stage}’s (${earlier.handler ?? ''})`,
        );
      stages.push({
        stage: r.stage + 1,
        handler,
        openedOn: e.on,
        acknowledgedOn: null,
        extensionWorkingDays: null,
        extensionReason: null,
        extendedOn: null,
        respondedOn: null,
        outcome: null,
        toldOfOmbudsman: null,
      });
      return { stage: r.stage + 1, closedOn: null, stages, detail: `Handler: ${handler}` };
    }
    case 'closed':
      return { stage: r.stage, closedOn: e.on, stages, detail: e.reason?.trim() || null };
  }
}

/** A stage as it is first opened. */
export function openedStage(stage: number, openedOn: string, handler: string | null): StageState {
  return {
    stage,
    handler,
    openedOn,
    acknowledgedOn: null,
    extensionWorkingDays: null,
    extensionReason: null,
    extendedOn: null,
    respondedOn: null,
    outcome: null,
    toldOfOmbudsman: null,
  };
}

/**
 * What the local record says about the authority's process, for the ombudsman's premature check:
 * shown to the officer, never applied by itself.
 */
export function stageFinding(
  cal: Calendar,
  rules: readonly StageRule[],
  r: RecordState,
  today: string,
): { finished: boolean; text: string } {
  const s = r.stages.find((x) => x.stage === r.stage);
  const rule = rules[r.stage - 1];
  if (!s || !rule) return { finished: false, text: 'The local record has no stage to show.' };
  const last = r.stage >= rules.length;
  if (s.respondedOn) {
    const sent = `${rule.name} response sent ${isoDay(s.respondedOn)}`;
    if (last) return { finished: true, text: `${sent}: the authority’s process has finished.` };
    const next = rules[r.stage]?.name.toLowerCase() ?? 'the next stage';
    return {
      finished: r.closedOn !== null,
      text: r.closedOn
        ? `${sent}; ${next} was not asked for and the complaint was closed on ${isoDay(r.closedOn)}.`
        : `${sent}; ${next} has not been asked for.`,
    };
  }
  if (r.closedOn)
    return {
      finished: true,
      text: `Closed on ${isoDay(r.closedOn)} at ${rule.name.toLowerCase()} without a response.`,
    };
  const clock = stageClock(cal, rule, s);
  const due = s.acknowledgedOn ? clock.respond.date : clock.acknowledge.date;
  const what = s.acknowledgedOn ? 'response' : 'acknowledgement';
  if (due < today) {
    const late = cal.workingDaysBetween(due, today);
    return {
      finished: false,
      text: `${rule.name} ${what} overdue by ${late} working day${late === 1 ? '' : 's'} (due ${isoDay(due)}).`,
    };
  }
  return { finished: false, text: `${rule.name} under way: ${what} due by ${isoDay(due)}.` };
}

/** How long closed records are kept by default (years after closure). */
export const DEFAULT_RETENTION_YEARS = 6;

/** Rates for the dashboard and the annual report: a share as a whole percentage, or null when there is nothing to count. */
export const percent = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 100) : null;
