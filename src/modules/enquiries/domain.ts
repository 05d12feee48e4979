import { z } from 'zod';
import { addDays, type IsoDate, type NonWorkingDay, type WorkingCalendar } from '../../platform/calendar/calendar.ts';

/**
 * Enquiries: the ombudsman's written questions to an authority during an investigation, with a
 * response deadline in working days, extensions, reminders and escalation. Pure rules only.
 */

/** What an enquiry asks for; each kind has its own default deadline (config.ts). */
export const ENQUIRY_KINDS = ['enquiry', 'document-request'] as const;
export type EnquiryKind = (typeof ENQUIRY_KINDS)[number];

export const ENQUIRY_KIND_NAMES: Record<EnquiryKind, string> = {
  enquiry: 'Enquiry',
  'document-request': 'Request for documents',
};

export type EnquiryStatus = 'open' | 'responded' | 'closed';

/** How delegates' answers reach the ombudsman: straight in, or after a link officer has reviewed them. */
export type DelegateSubmission = 'direct' | 'review';

export interface EnquirySettings {
  dueWorkingDays: Record<EnquiryKind, number>;
  /** Working days before the due date when the first reminder goes. */
  reminderWorkingDays: number;
  /** Working days after the due date when an overdue enquiry escalates to the chief executive. */
  escalationWorkingDays: number;
}

/**
 * The rule that produced a due date, stored with it (a JSON column) so the working can be shown and
 * recomputed; read back through this schema, never by a cast.
 */
export const deadlineRuleSchema = z.object({
  ruleId: z.literal('working-days-after-start'),
  /** Why this rule applied: the default for a kind, a number chosen when sending, or an extension. */
  basis: z.enum(['default', 'chosen', 'extension-working-days', 'extension-date']),
  workingDays: z.number().int(),
  /** The London date counting starts after (the day the enquiry was sent, or the previous due date). */
  startDate: z.string(),
  holidaySet: z.literal('england-and-wales'),
  /** Extra office closures in force when the date was worked out. */
  closures: z.array(z.string()),
});
export type DeadlineRule = z.output<typeof deadlineRuleSchema>;

export interface Deadline {
  dueDate: IsoDate;
  rule: DeadlineRule;
  skipped: NonWorkingDay[];
}

export const MAX_WORKING_DAYS = 260;

/** The due date `workingDays` working days after `startDate` (the n-th working day after it). */
export function deadlineAfter(
  calendar: WorkingCalendar,
  startDate: IsoDate,
  workingDays: number,
  basis: DeadlineRule['basis'],
): Deadline {
  const { date, skipped } = calendar.addWorkingDays(startDate, workingDays);
  return {
    dueDate: date,
    rule: {
      ruleId: 'working-days-after-start',
      basis,
      workingDays,
      startDate,
      holidaySet: 'england-and-wales',
      closures: [...calendar.closures],
    },
    skipped,
  };
}

/**
 * The working shown on a page: counting from the rule's start date, every day passed over and why.
 * A date set by an extension to a given day shows the working days it gives.
 */
export function showWorking(calendar: WorkingCalendar, rule: DeadlineRule): NonWorkingDay[] {
  return calendar.addWorkingDays(rule.startDate, rule.workingDays).skipped;
}

export type ExtensionChoice = { kind: 'working-days'; workingDays: number } | { kind: 'date'; date: IsoDate };

export type ExtensionResult = { ok: true; deadline: Deadline } | { ok: false; field: string; message: string };

/**
 * The new due date an investigator grants: a number of working days after the current due date, or
 * a given date, which must be a working day after the current due date.
 */
export function extendedDeadline(
  calendar: WorkingCalendar,
  currentDue: IsoDate,
  choice: ExtensionChoice,
): ExtensionResult {
  if (choice.kind === 'working-days') {
    if (!Number.isInteger(choice.workingDays) || choice.workingDays < 1 || choice.workingDays > MAX_WORKING_DAYS) {
      return {
        ok: false,
        field: 'workingDays',
        message: `Enter a number of working days from 1 to ${MAX_WORKING_DAYS}`,
      };
    }
    return { ok: true, deadline: deadlineAfter(calendar, currentDue, choice.workingDays, 'extension-working-days') };
  }
  if (choice.date <= currentDue) {
    return { ok: false, field: 'newDate', message: 'The new due date must be after the current due date' };
  }
  if (!calendar.isWorkingDay(choice.date)) {
    const reason = calendar.nonWorkingReason(choice.date);
    return {
      ok: false,
      field: 'newDate',
      message: `The new due date must be a working day (${reason?.name ?? 'not a working day'})`,
    };
  }
  const workingDays = calendar.workingDaysBetween(currentDue, choice.date);
  if (workingDays > MAX_WORKING_DAYS) {
    return { ok: false, field: 'newDate', message: `The new due date must be within ${MAX_WORKING_DAYS} working days` };
  }
  return { ok: true, deadline: deadlineAfter(calendar, currentDue, workingDays, 'extension-date') };
}

/** The London date `n` working days before `date` (n ≥ 0; a non-working `date` counts from the previous working day). */
export function workingDaysBefore(calendar: WorkingCalendar, date: IsoDate, n: number): IsoDate {
  let d = date;
  let counted = 0;
  while (counted < n) {
    d = addDays(d, -1);
    if (calendar.isWorkingDay(d)) counted++;
  }
  return d;
}

/** The reminders and escalations an open enquiry can receive, each at most once per due date. */
export const REMINDER_KINDS = ['before-due', 'due-today', 'overdue', 'escalated-chief-executive'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const REMINDER_NAMES: Record<ReminderKind, string> = {
  'before-due': 'Reminder: due soon',
  'due-today': 'Reminder: due today',
  overdue: 'Overdue: escalated to the link officers',
  'escalated-chief-executive': 'Overdue: escalated to the chief executive',
};

/**
 * The thresholds of one sweep on `today`, as due-date bounds so the sweep is one set-based query:
 * - before-due: due after today and no later than `beforeDueBy` (within the reminder window), for
 *   enquiries given more working days than the window;
 * - due-today: due today;
 * - overdue: due before today;
 * - escalated-chief-executive: due on or before `escalateBy` (that many working days overdue).
 */
export interface SweepThresholds {
  today: IsoDate;
  beforeDueBy: IsoDate;
  reminderWorkingDays: number;
  escalateBy: IsoDate;
}

export function sweepThresholds(calendar: WorkingCalendar, today: IsoDate, settings: EnquirySettings): SweepThresholds {
  return {
    today,
    beforeDueBy: calendar.addWorkingDays(today, settings.reminderWorkingDays).date,
    reminderWorkingDays: settings.reminderWorkingDays,
    escalateBy: workingDaysBefore(calendar, today, settings.escalationWorkingDays),
  };
}

/** Which reminder (if any) is due for one enquiry on a sweep: the rule the sweep's SQL applies. */
export function remindersDue(enquiry: { dueDate: IsoDate; workingDays: number }, t: SweepThresholds): ReminderKind[] {
  const out: ReminderKind[] = [];
  if (enquiry.dueDate > t.today && enquiry.dueDate <= t.beforeDueBy && enquiry.workingDays > t.reminderWorkingDays)
    out.push('before-due');
  if (enquiry.dueDate === t.today) out.push('due-today');
  if (enquiry.dueDate < t.today) out.push('overdue');
  if (enquiry.dueDate <= t.escalateBy && enquiry.dueDate < t.today) out.push('escalated-chief-executive');
  return out;
}

/** How an open enquiry looks against its due date on a day: the tag the portal and staff pages show. */
export type Urgency = 'overdue' | 'due-today' | 'due-soon' | 'on-track';

export function urgency(dueDate: IsoDate, today: IsoDate, soonBy: IsoDate): Urgency {
  if (dueDate < today) return 'overdue';
  if (dueDate === today) return 'due-today';
  if (dueDate <= soonBy) return 'due-soon';
  return 'on-track';
}

export const URGENCY_TAGS: Record<Urgency, { text: string; classes: string }> = {
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  'due-today': { text: 'Due today', classes: 'govuk-tag--orange' },
  'due-soon': { text: 'Due soon', classes: 'govuk-tag--yellow' },
  'on-track': { text: 'Open', classes: 'govuk-tag--blue' },
};

/** A response is on time when it arrives on or before the due date (London). */
export const onTime = (respondedOn: IsoDate, dueDate: IsoDate): boolean => respondedOn <= dueDate;

/** Share of finished tasks done on time, as a whole percentage; null with none finished. */
export function onTimeRate(done: number, doneOnTime: number): number | null {
  if (done <= 0) return null;
  return Math.round((100 * doneOnTime) / done);
}

/** Cleans the questions typed into a form: trimmed, blanks dropped. */
export function cleanQuestions(lines: readonly string[]): string[] {
  return lines.map((q) => q.trim()).filter((q) => q !== '');
}
