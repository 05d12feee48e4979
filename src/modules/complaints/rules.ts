/**
 * The rules an intake or assessment officer is shown (premature, late, urgent) and the assessment
 * clock. Pure: no I/O.
 */
import { addDays } from '../../platform/calendar/calendar.ts';
import { formatDate } from '../../platform/dates.ts';

/** 12 weeks across both stages is the longest reasonable time for an authority's own process. */
export const REASONABLE_PROCESS_WEEKS = 12;
/** A complaint about something the complainant knew of more than 12 months ago is late. */
export const LATE_AFTER_MONTHS = 12;

export interface RuleInput {
  /** The London date the complaint reached us. */
  receivedOn: string;
  authorityProcessFinished: boolean;
  /** When they complained to the authority (or, for a care provider, when it was referred back). */
  authorityComplainedOn: string | null;
  /** When they first knew of the matter. */
  awareOn: string | null;
  careProvider: boolean;
}

export interface RuleFinding {
  applies: boolean;
  /** What the officer is shown. */
  explanation: string;
}

/**
 * Premature: the authority's process has not finished and it has not yet had its 12 weeks (from the
 * complaint to it, or for a care provider from the referral back).
 */
export function prematureRule(input: RuleInput): RuleFinding {
  if (input.authorityProcessFinished)
    return { applies: false, explanation: 'The authority’s complaints process has finished.' };
  const who = input.careProvider ? 'The care provider' : 'The authority';
  const since = input.careProvider ? 'since the complaint was referred back to it' : 'since the complaint to it';
  if (input.authorityComplainedOn === null)
    return {
      applies: true,
      explanation: `${who}’s complaints process has not finished and no date of the complaint to it was given.`,
    };
  const deadline = addDays(input.authorityComplainedOn, REASONABLE_PROCESS_WEEKS * 7);
  if (input.receivedOn >= deadline)
    return {
      applies: false,
      explanation: `${who}’s process has not finished, but ${REASONABLE_PROCESS_WEEKS} weeks have passed ${since} (on ${deadline}): it has had a reasonable time.`,
    };
  return {
    applies: true,
    explanation: `${who}’s complaints process has not finished and ${REASONABLE_PROCESS_WEEKS} weeks ${since} run until ${deadline}.`,
  };
}

/** The date a number of calendar months before a date, clamped to the month's last day. */
export function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Late: the complainant knew of the matter more than 12 months before the complaint reached us. */
export function lateRule(input: Pick<RuleInput, 'receivedOn' | 'awareOn'>): RuleFinding {
  if (input.awareOn === null)
    return { applies: false, explanation: 'No date was given for when they knew of the matter.' };
  const limit = monthsBefore(input.receivedOn, LATE_AFTER_MONTHS);
  if (input.awareOn < limit)
    return {
      applies: true,
      explanation: `They knew of the matter on ${formatDate(input.awareOn)}, more than ${LATE_AFTER_MONTHS} months before the complaint reached us. It may still go ahead, with the reason recorded.`,
    };
  return { applies: false, explanation: `Within ${LATE_AFTER_MONTHS} months of when they knew of the matter.` };
}

export const URGENT_FLAGS = [
  'urgent_street_homelessness',
  'urgent_care_home_eviction',
  'urgent_serious_risk',
  'urgent_domestic_abuse',
] as const;
export type UrgentFlag = (typeof URGENT_FLAGS)[number];

export const URGENT_NAMES: Record<UrgentFlag, string> = {
  urgent_street_homelessness: 'Street homelessness',
  urgent_care_home_eviction: 'Imminent eviction from a care home',
  urgent_serious_risk: 'Serious risk of harm',
  urgent_domestic_abuse: 'Domestic abuse',
};

/** The form and API names of the urgent flags. */
export const URGENT_KEYS: Record<string, UrgentFlag> = {
  'street-homelessness': 'urgent_street_homelessness',
  'care-home-eviction': 'urgent_care_home_eviction',
  'serious-risk': 'urgent_serious_risk',
  'domestic-abuse': 'urgent_domestic_abuse',
};

// The assessment clock -------------------------------------------------------------------------------

export interface AssessmentClock {
  elapsed: number;
  target: number;
  /** '12 of 20 working days' */
  text: string;
  /** 5 or more working days old: assessed first among cases of equal urgency. */
  aged: boolean;
  overTarget: boolean;
}

export const AGED_AFTER_WORKING_DAYS = 5;

export function assessmentClock(elapsedWorkingDays: number, target: number): AssessmentClock {
  const elapsed = Math.max(0, elapsedWorkingDays);
  return {
    elapsed,
    target,
    text: `${elapsed} of ${target} working day${target === 1 ? '' : 's'}`,
    aged: elapsed >= AGED_AFTER_WORKING_DAYS,
    overTarget: elapsed > target,
  };
}
