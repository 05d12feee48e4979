/**
 * Public reports: the criteria for reporting, the statutory steps after a final report and their due
 * dates, and when the ombudsman may write its letter of satisfaction. Pure rules only: no I/O.
 */
import { addDays, type IsoDate } from '../../platform/calendar/calendar.ts';
import { formatDate } from '../../platform/dates.ts';

export const REPORT_CRITERIA = [
  'recurrent-fault',
  'significant-injustice',
  'non-compliance',
  'many-complaints',
  'topical-issue',
  'systemic',
  'rejected-findings',
] as const;
export type ReportCriterion = (typeof REPORT_CRITERIA)[number];

export const CRITERION_NAMES: Record<ReportCriterion, string> = {
  'recurrent-fault': 'Recurrent fault',
  'significant-injustice': 'Significant injustice',
  'non-compliance': 'The authority has not complied with recommendations',
  'many-complaints': 'Many people affected',
  'topical-issue': 'A topical issue of public interest',
  systemic: 'Systemic problems',
  'rejected-findings': 'The authority rejected our findings',
};

export const REPORT_STATUSES = ['draft', 'final', 'satisfied'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_STATUS_NAMES: Record<ReportStatus, string> = {
  draft: 'Draft report issued for comment',
  final: 'Final report issued: statutory steps running',
  satisfied: 'Closed with a letter of satisfaction',
};

/** The statutory steps after a final (or further) report, in order. */
export const STEP_KINDS = ['public-notice', 'public-inspection', 'consideration', 'notification'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_NAMES: Record<StepKind, string> = {
  'public-notice': 'Public notice in newspapers',
  'public-inspection': 'Report available for public inspection',
  consideration: 'Consideration by the authority',
  notification: 'Notification to the ombudsman of the action taken',
};

export const CONSIDERING_BODIES = ['full-council', 'cabinet', 'committee'] as const;
export type ConsideringBody = (typeof CONSIDERING_BODIES)[number];
export const BODY_NAMES: Record<ConsideringBody, string> = {
  'full-council': 'Full council',
  cabinet: 'Cabinet',
  committee: 'A committee',
};

export const ALERT_ROLES = ['chief-executive', 'monitoring-officer', 'head-of-service'] as const;
export type AlertRole = (typeof ALERT_ROLES)[number];
export const ALERT_ROLE_NAMES: Record<AlertRole, string> = {
  'chief-executive': 'Chief executive',
  'monitoring-officer': 'Monitoring officer',
  'head-of-service': 'Head of service',
};

export const FURTHER_REASONS = ['no-response', 'not-satisfied'] as const;
export type FurtherReason = (typeof FURTHER_REASONS)[number];
export const FURTHER_REASON_NAMES: Record<FurtherReason, string> = {
  'no-response': 'The authority has not responded to the report',
  'not-satisfied': 'The ombudsman is not satisfied with the action taken',
};

export interface TrackerSettings {
  /** Calendar days after the report within which the public notice must appear (default 14: two weeks). */
  noticeDays: number;
  /** Calendar days the report is available for public inspection (three weeks). */
  inspectionDays: number;
  /** Months after the report within which the authority considers it and tells the ombudsman (three). */
  responseMonths: number;
}

export const DEFAULT_TRACKER: TrackerSettings = { noticeDays: 14, inspectionDays: 21, responseMonths: 3 };

/** The draft report's comment period: three weeks from the day it is issued. */
export const DRAFT_REPORT_COMMENT_DAYS = 21;

/** A date some whole months later; the last day of a shorter month when the day does not exist there. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

export interface PlannedStep {
  kind: StepKind;
  position: number;
  dueOn: IsoDate;
  rule: string;
}

/**
 * The four statutory steps of a report issued on `issuedOn`, with their due dates and the rule behind
 * each: the notice within the notice period; the inspection period running from the last day for the
 * notice; consideration and notification of the action taken within the response period.
 */
export function planSteps(issuedOn: IsoDate, settings: TrackerSettings = DEFAULT_TRACKER): PlannedStep[] {
  const noticeBy = addDays(issuedOn, settings.noticeDays);
  const respondBy = addMonths(issuedOn, settings.responseMonths);
  const months = `${settings.responseMonths} month${settings.responseMonths === 1 ? '' : 's'}`;
  return [
    {
      kind: 'public-notice',
      position: 1,
      dueOn: noticeBy,
      rule: `${settings.noticeDays} days after the report of ${formatDate(issuedOn)}`,
    },
    {
      kind: 'public-inspection',
      position: 2,
      dueOn: addDays(noticeBy, settings.inspectionDays),
      rule: `${settings.inspectionDays} days of inspection from the notice deadline of ${formatDate(noticeBy)}`,
    },
    {
      kind: 'consideration',
      position: 3,
      dueOn: respondBy,
      rule: `${months} after the report of ${formatDate(issuedOn)}`,
    },
    {
      kind: 'notification',
      position: 4,
      dueOn: respondBy,
      rule: `${months} after the report of ${formatDate(issuedOn)}`,
    },
  ];
}

export interface StepState {
  kind: StepKind;
  dueOn: IsoDate;
  completedOn: IsoDate | null;
}

export type StepStatus = 'done' | 'done-late' | 'due' | 'overdue';

export function stepStatus(step: StepState, today: IsoDate): StepStatus {
  if (step.completedOn) return step.completedOn > step.dueOn ? 'done-late' : 'done';
  return today > step.dueOn ? 'overdue' : 'due';
}

export const STEP_STATUS_NAMES: Record<StepStatus, string> = {
  done: 'Done',
  'done-late': 'Done late',
  due: 'Due',
  overdue: 'Overdue',
};

/** Why a letter of satisfaction cannot be written yet, or null when it can. */
export function satisfactionBlocker(status: ReportStatus, steps: readonly StepState[]): string | null {
  if (status === 'draft') return 'The final report has not been issued yet';
  if (status === 'satisfied') return 'A letter of satisfaction has already been written';
  const open = steps.filter((s) => !s.completedOn);
  if (open.length > 0)
    return `Statutory steps are still outstanding: ${open.map((s) => STEP_NAMES[s.kind]).join(', ')}`;
  return null;
}

export interface ReminderThresholds {
  today: IsoDate;
  /** Steps due on or before this date get a reminder before they fall due. */
  remindBy: IsoDate;
  /** Steps due on or before this date and still open are escalated to the chief executive. */
  escalateBy: IsoDate;
}

/** The sweep's dates: remind `reminderDays` before the due date; escalate `escalationDays` after it. */
export function reminderThresholds(today: IsoDate, reminderDays: number, escalationDays: number): ReminderThresholds {
  return { today, remindBy: addDays(today, reminderDays), escalateBy: addDays(today, -escalationDays) };
}

export type ReminderKind = 'before-due' | 'overdue' | 'escalated';

/** Which reminders a step open on `t.today` is owed (each is written once; the sweep skips those already sent). */
export function remindersOwed(dueOn: IsoDate, t: ReminderThresholds): ReminderKind[] {
  const owed: ReminderKind[] = [];
  if (dueOn >= t.today && dueOn <= t.remindBy) owed.push('before-due');
  if (dueOn < t.today) owed.push('overdue');
  if (dueOn <= t.escalateBy && dueOn < t.today) owed.push('escalated');
  return owed;
}

const SECTION_HEADINGS: Record<'complaint' | 'findings' | 'proposedRemedy' | 'decision', RegExp> = {
  complaint: /^the complaint:?$/i,
  findings: /^what i found:?$/i,
  proposedRemedy: /^proposed remed(y|ies):?$/i,
  decision: /^(draft )?decision:?$/i,
};

/**
 * A report given as one text (the API) into the four sections of a draft: split at lines that are
 * the section headings ("The complaint", "What I found", "Proposed remedy", "Draft decision") when
 * it has them; otherwise the whole text is the findings and the other sections refer to it.
 */
export function sectionsFromText(text: string): {
  complaint: string;
  findings: string;
  proposedRemedy: string;
  decision: string;
} {
  const out = { complaint: '', findings: '', proposedRemedy: '', decision: '' };
  let current: keyof typeof out | null = null;
  let matched = false;
  const loose: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const heading = (Object.keys(SECTION_HEADINGS) as (keyof typeof out)[]).find((k) =>
      SECTION_HEADINGS[k].test(line.trim()),
    );
    if (heading) {
      current = heading;
      matched = true;
      continue;
    }
    if (current) out[current] += `${line}\n`;
    else loose.push(line);
  }
  const trimmed = text.trim();
  if (!matched) {
    return {
      complaint: 'Set out in the report below.',
      findings: trimmed,
      proposedRemedy: 'Set out in the report.',
      decision: 'Set out in the report.',
    };
  }
  const lead = loose.join('\n').trim();
  const result = {
    complaint: (lead ? `${lead}\n\n${out.complaint}` : out.complaint).trim(),
    findings: out.findings.trim(),
    proposedRemedy: out.proposedRemedy.trim(),
    decision: out.decision.trim(),
  };
  for (const k of Object.keys(result) as (keyof typeof result)[]) if (!result[k]) result[k] = 'Set out in the report.';
  return result;
}
