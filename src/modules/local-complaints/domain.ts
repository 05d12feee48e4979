/**
 * The authority's own complaint handling, stage by stage: the Complaint Handling Code's clocks
 * (acknowledge, respond, one extension), the statutory social care routes and when a record is
 * next due (what each event may do is in `events.ts`). Pure: no I/O. Deadlines are worked out on
 * the working-day calendar and keep the days they passed over, so a page can show its working.
 */
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

/** How long closed records are kept by default (years after closure). */
export const DEFAULT_RETENTION_YEARS = 6;

/** Rates for the dashboard and the annual report: a share as a whole percentage, or null when there is nothing to count. */
export const percent = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 100) : null;
