import { diffLines as diffTextLines } from 'diff';
import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { formatDate } from '../../platform/dates.ts';

/** The outcomes a final decision (or final report) can record. */
export const FINAL_OUTCOMES = [
  'upheld-injustice',
  'upheld-no-injustice',
  'not-upheld',
  'remedied-by-authority',
  'closed-after-initial-enquiries',
] as const;
export type FinalOutcome = (typeof FINAL_OUTCOMES)[number];

export const FINAL_OUTCOME_NAMES: Record<FinalOutcome, string> = {
  'upheld-injustice': 'Upheld: fault causing injustice',
  'upheld-no-injustice': 'Upheld: fault, no injustice',
  'not-upheld': 'Not upheld',
  'remedied-by-authority': 'Satisfactory remedy already provided by the authority',
  'closed-after-initial-enquiries': 'Closed after initial enquiries',
};

export const REMEDY_TYPES = ['apology', 'financial', 'other-action', 'service-improvement'] as const;
export type RemedyType = (typeof REMEDY_TYPES)[number];

export const REMEDY_TYPE_NAMES: Record<RemedyType, string> = {
  apology: 'Apology',
  financial: 'Financial payment',
  'other-action': 'Other action',
  'service-improvement': 'Service improvement',
};

export interface RemedyProposal {
  type: RemedyType;
  description: string;
  amountPence?: number | null;
  dueInWorkingDays?: number | null;
  dueDate?: string | null;
}

export type DraftForm = 'decision' | 'report';

export const FORM_NAMES: Record<DraftForm, { draft: string; final: string }> = {
  decision: { draft: 'Draft decision', final: 'Final decision' },
  report: { draft: 'Draft report', final: 'Final report' },
};

/** Whether an outcome is a finding of fault (what the monitoring officer reports to members). */
export const isFault = (o: FinalOutcome) => o === 'upheld-injustice' || o === 'upheld-no-injustice';

/** The four sections of a draft decision or draft report. */
export interface DraftSections {
  complaint: string;
  findings: string;
  proposedRemedy: string;
  decision: string;
}

export const SECTION_NAMES: Record<keyof DraftSections, string> = {
  complaint: 'The complaint',
  findings: 'What I found',
  proposedRemedy: 'Proposed remedy',
  decision: 'Draft decision',
};

export const SECTION_KEYS = ['complaint', 'findings', 'proposedRemedy', 'decision'] as const;

export type CommentParty = 'complainant' | 'authority';
export type CommentChannel = 'portal' | 'complainant-link' | 'email' | 'staff' | 'api';

export const CHANNEL_NAMES: Record<CommentChannel, string> = {
  portal: 'Authority portal',
  'complainant-link': 'Complainant’s link',
  email: 'Email',
  staff: 'Entered by staff',
  api: 'API',
};

/** A comment received after the comment deadline is kept but marked late. */
export const isLate = (receivedOn: IsoDate, dueOn: IsoDate): boolean => receivedOn > dueOn;

/** Whether a review may still be asked for on `today`: the last day is included. */
export const reviewInTime = (today: IsoDate, reviewDueOn: IsoDate): boolean => today <= reviewDueOn;

/**
 * Who was involved in a case, for the review rule: a casework manager who decides a review must not
 * be one of these people.
 */
export function involved(people: readonly (string | null | undefined)[], userId: string): boolean {
  return people.some((p) => p === userId);
}

/** One line of a difference between two versions of a section. */
export interface DiffLine {
  op: 'same' | 'added' | 'removed';
  text: string;
}

/**
 * The difference between two texts, paragraph by paragraph (lines): lines kept, lines removed from
 * the earlier version, lines added in the later one (Myers' algorithm, from the `diff` package).
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  // Every line ends with a newline, the last one too, so a last line is the same line when it is kept.
  const lines = (text: string) => `${text.replace(/\r\n/g, '\n')}\n`;
  for (const change of diffTextLines(lines(before), lines(after))) {
    const op = change.added ? 'added' : change.removed ? 'removed' : 'same';
    const texts = change.value.split('\n');
    // A change ends with the newline of its last line; that empty tail is not a line of its own.
    texts.pop();
    for (const text of texts) out.push({ op, text });
  }
  return out;
}

/** The sections that changed between two versions, each with its line difference. */
export function diffSections(
  before: DraftSections,
  after: DraftSections,
): { key: keyof DraftSections; name: string; changed: boolean; lines: DiffLine[] }[] {
  return SECTION_KEYS.map((key) => {
    const lines = diffLines(before[key], after[key]);
    return { key, name: SECTION_NAMES[key], changed: lines.some((l) => l.op !== 'same'), lines };
  });
}

/** Money in pence as pounds for letters and pages ("£250.00"). */
export const pounds = (pence: number): string =>
  `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A remedy proposal as one line of a letter. */
export function remedyLine(r: RemedyProposal): string {
  const amount = r.type === 'financial' && r.amountPence != null ? ` (${pounds(r.amountPence)})` : '';
  const due = r.dueDate
    ? `, by ${formatDate(r.dueDate) || r.dueDate}`
    : r.dueInWorkingDays
      ? `, within ${r.dueInWorkingDays} working days of the final decision`
      : '';
  return `${REMEDY_TYPE_NAMES[r.type]}${amount}: ${r.description}${due}`;
}
