import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { FieldError } from '../../platform/errors.ts';
import { isCalendarDate } from '../../platform/input.ts';
import { REMEDY_TYPES, type RemedyProposal } from '../decisions/domain.ts';
import { MAX_WORKING_DAYS, workingDaysBefore } from '../enquiries/domain.ts';
import { formatDate } from '../../platform/dates.ts';

/**
 * Remedies: what a decision recommends the authority does, by when, and the proof that it did.
 * Pure rules only: checking proposals, due dates, lateness, the sweep's thresholds and the rates.
 */

export type RemedyStatus = 'proposed' | 'superseded' | 'withdrawn' | 'agreed' | 'complied' | 'not-satisfied';

export const REMEDY_STATUS_NAMES: Record<RemedyStatus, string> = {
  proposed: 'Proposed in the draft',
  superseded: 'Replaced by a later draft',
  withdrawn: 'Withdrawn: no fault found',
  agreed: 'Agreed',
  complied: 'Complied with',
  'not-satisfied': 'Not complete and not satisfied',
};

export type EvidenceStatus = 'submitted' | 'accepted' | 'returned';

export const EVIDENCE_STATUS_NAMES: Record<EvidenceStatus, string> = {
  submitted: 'Waiting for review',
  accepted: 'Accepted',
  returned: 'Returned',
};

/** What a casework manager can do about a remedy not complied with. */
export const MANAGER_ACTIONS = [
  'wrote-to-chief-executive',
  'more-time',
  'case-conference',
  'consider-public-report',
  'not-satisfied',
] as const;
export type ManagerAction = (typeof MANAGER_ACTIONS)[number];

export const MANAGER_ACTION_NAMES: Record<ManagerAction, string> = {
  'wrote-to-chief-executive': 'Wrote to the chief executive',
  'more-time': 'Agreed more time (exceptional)',
  'case-conference': 'Case conference',
  'consider-public-report': 'Consider a public report',
  'not-satisfied': 'Remedy not complete and not satisfied',
};

export interface RemedySettings {
  /** Working days after the final decision when a proposal gave no date or number of days. */
  dueWorkingDays: number;
  /** Working days before the due date when the link officers are reminded (0: no reminder before). */
  reminderWorkingDays: number;
  /** Working days after the due date, without accepted evidence, when a remedy escalates. */
  escalationWorkingDays: number;
}

/** The largest payment a remedy may name: far above any recommended, well inside the column. */
export const MAX_AMOUNT_PENCE = 1_000_000_000;

/**
 * Checks the remedies proposed with a draft issued on `issuedOn`. Each problem names its field as
 * `remedies.<index>.<field>`, the way the draft form and the API report them.
 */
export function checkProposals(proposals: readonly RemedyProposal[], issuedOn: IsoDate): FieldError[] {
  const problems: FieldError[] = [];
  proposals.forEach((p, i) => {
    const field = (name: string) => `remedies.${i}.${name}`;
    const n = i + 1;
    if (!(REMEDY_TYPES as readonly string[]).includes(p.type))
      problems.push({
        field: field('type'),
        message: `Remedy ${n}: choose apology, financial payment, other action or service improvement`,
      });
    if (p.description.trim().length < 10)
      problems.push({
        field: field('description'),
        message: `Remedy ${n}: describe what the authority must do, specifically enough to check it was done`,
      });
    if (p.type === 'financial') {
      if (p.amountPence == null || !Number.isInteger(p.amountPence) || p.amountPence <= 0)
        problems.push({ field: field('amount'), message: `Remedy ${n}: a financial payment needs an amount above £0` });
      else if (p.amountPence > MAX_AMOUNT_PENCE)
        problems.push({
          field: field('amount'),
          message: `Remedy ${n}: a financial payment must be £10,000,000 or less`,
        });
    } else if (p.amountPence != null) {
      problems.push({ field: field('amount'), message: `Remedy ${n}: only a financial payment has an amount` });
    }
    if (p.dueDate != null && p.dueInWorkingDays != null) {
      problems.push({
        field: field('dueDate'),
        message: `Remedy ${n}: give a due date or a number of working days, not both`,
      });
    } else if (p.dueDate != null) {
      if (!isCalendarDate(p.dueDate))
        problems.push({ field: field('dueDate'), message: `Remedy ${n}: enter a real due date` });
      else if (p.dueDate < issuedOn)
        problems.push({
          field: field('dueDate'),
          message: `Remedy ${n}: the due date ${formatDate(p.dueDate)} is in the past: choose today or a later date`,
        });
    } else if (p.dueInWorkingDays != null) {
      if (!Number.isInteger(p.dueInWorkingDays) || p.dueInWorkingDays < 1 || p.dueInWorkingDays > MAX_WORKING_DAYS)
        problems.push({
          field: field('dueInWorkingDays'),
          message: `Remedy ${n}: enter a number of working days from 1 to ${MAX_WORKING_DAYS}`,
        });
    }
  });
  return problems;
}

/** How an agreed remedy's due date was set, stored with it. */
export interface RemedyDueRule {
  ruleId: 'working-days-after-decision' | 'date-in-draft' | 'more-time';
  startDate: IsoDate;
  workingDays: number | null;
  holidaySet: 'england-and-wales';
  closures: IsoDate[];
}

/**
 * The due date of a remedy agreed on `decidedOn`: the draft's date, else the draft's number of
 * working days (or the default) counted from the decision.
 */
export function agreedDueDate(
  calendar: WorkingCalendar,
  decidedOn: IsoDate,
  proposal: { dueOn: IsoDate | null; workingDays: number | null },
  defaultWorkingDays: number,
): { dueOn: IsoDate; rule: RemedyDueRule } {
  const base = { holidaySet: 'england-and-wales' as const, closures: [...calendar.closures] };
  if (proposal.dueOn !== null) {
    return {
      dueOn: proposal.dueOn,
      rule: { ruleId: 'date-in-draft', startDate: decidedOn, workingDays: null, ...base },
    };
  }
  const days = proposal.workingDays ?? defaultWorkingDays;
  return {
    dueOn: calendar.addWorkingDays(decidedOn, days).date,
    rule: { ruleId: 'working-days-after-decision', startDate: decidedOn, workingDays: days, ...base },
  };
}

/** An agreed remedy is late once its due date has passed without accepted evidence. */
export const isLate = (status: RemedyStatus, dueOn: IsoDate | null, today: IsoDate): boolean =>
  status === 'agreed' && dueOn !== null && today > dueOn;

/** Evidence is late when it arrives after the due date. */
export const evidenceLate = (submittedOn: IsoDate, dueOn: IsoDate): boolean => submittedOn > dueOn;

/** The reminders a remedy can receive, each at most once per due date. */
export const REMINDER_KINDS = ['before-due', 'overdue', 'escalated-manager'] as const;
export type RemedyReminderKind = (typeof REMINDER_KINDS)[number];

export interface RemedySweepThresholds {
  today: IsoDate;
  /** Remedies due after today and on or before this date get the reminder before the date. */
  beforeDueBy: IsoDate;
  /** Remedies due on or before this date (and before today) escalate to a casework manager. */
  escalateBy: IsoDate;
}

export function sweepThresholds(
  calendar: WorkingCalendar,
  today: IsoDate,
  settings: Pick<RemedySettings, 'reminderWorkingDays' | 'escalationWorkingDays'>,
): RemedySweepThresholds {
  return {
    today,
    beforeDueBy:
      settings.reminderWorkingDays > 0 ? calendar.addWorkingDays(today, settings.reminderWorkingDays).date : today,
    escalateBy: workingDaysBefore(calendar, today, settings.escalationWorkingDays),
  };
}

/** Which reminders one agreed remedy is due on a sweep: the rule the sweep's SQL applies. */
export function remindersDue(dueOn: IsoDate, t: RemedySweepThresholds): RemedyReminderKind[] {
  const out: RemedyReminderKind[] = [];
  if (dueOn > t.today && dueOn <= t.beforeDueBy) out.push('before-due');
  if (dueOn < t.today) out.push('overdue');
  if (dueOn < t.today && dueOn <= t.escalateBy) out.push('escalated-manager');
  return out;
}

/**
 * An authority's record over a period. A remedy counts when it fell due in the period, or was
 * complied with in it (even before its due date). Compliance rate: the share of those complied
 * with. On-time rate: the share of those complied with whose accepted evidence arrived by the due date.
 */
export interface ComplianceCounts {
  counted: number;
  complied: number;
  onTime: number;
}

export interface ComplianceRates extends ComplianceCounts {
  /** Whole percentages; null when nothing fell due in the period. */
  complianceRate: number | null;
  onTimeRate: number | null;
}

export function complianceRates(counts: ComplianceCounts): ComplianceRates {
  const pct = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 100));
  return {
    ...counts,
    complianceRate: pct(counts.complied, counts.counted),
    onTimeRate: pct(counts.onTime, counts.counted),
  };
}
