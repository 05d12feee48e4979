/**
 * Performance statistics: what each published figure counts, the year it falls in, rates with their
 * 95% intervals and the minimum volume below which a rate is not given. Pure: no I/O. The SQL that
 * fills the summary table (`statistics.repository.ts`) counts exactly what `figuresFrom` counts here
 * over plain rows; the tests hold the two to the same answers.
 */

/** A rate over fewer cases than this is shown as its numbers, not a percentage, and never compared. */
export const MINIMUM_VOLUME = 10;
/** The normal quantile of a two-sided 95% interval. */
const Z95 = 1.959963984540054;

export const OUTCOMES = [
  'premature',
  'invalid',
  'out-of-jurisdiction',
  'not-investigated',
  'closed-after-initial-enquiries',
  'upheld-injustice',
  'upheld-no-injustice',
  'not-upheld',
  'remedied-by-authority',
  'withdrawn',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** "Not for us": referred back as premature, or not ours to look at (invalid, out of jurisdiction). */
export const NOT_FOR_US: readonly Outcome[] = ['premature', 'invalid', 'out-of-jurisdiction'];
/** Assessed and closed without a detailed investigation. */
export const ASSESSED_AND_CLOSED: readonly Outcome[] = ['not-investigated', 'closed-after-initial-enquiries'];
/** Detailed investigations: a final decision that finds fault or not. */
export const INVESTIGATED: readonly Outcome[] = [
  'upheld-injustice',
  'upheld-no-injustice',
  'not-upheld',
  'remedied-by-authority',
];
/** Upheld: fault found, including fault the authority had already put right. */
export const UPHELD: readonly Outcome[] = ['upheld-injustice', 'upheld-no-injustice', 'remedied-by-authority'];
export const SATISFACTORY_REMEDY: readonly Outcome[] = ['remedied-by-authority'];

/** A statistics year: 1 April to 31 March, London dates. `year` is the year it starts in. */
export interface StatisticsYear {
  year: number;
  /** First and last London dates. */
  from: string;
  to: string;
  /** The instants it starts at and ends before. */
  startsAt: Date;
  endsBefore: Date;
  /** "2026–27". */
  label: string;
}

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;

/**
 * The year from 1 April `year` to 31 March `year + 1`. Summer time always begins on the last Sunday
 * of March, so midnight on 1 April in London is always 23:00 UTC the day before.
 */
export function statisticsYear(year: number): StatisticsYear {
  const startsAt = new Date(Date.UTC(year, 3, 1) - 3_600_000);
  const endsBefore = new Date(Date.UTC(year + 1, 3, 1) - 3_600_000);
  return {
    year,
    from: `${year}-04-01`,
    to: `${year + 1}-03-31`,
    startsAt,
    endsBefore,
    label: yearLabel(year),
  };
}

export const yearLabel = (year: number): string => `${year}–${String((year + 1) % 100).padStart(2, '0')}`;

/** The statistics year a London date (`YYYY-MM-DD`) falls in. */
export function yearOfDate(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month >= 4 ? year : year - 1;
}

export interface Interval {
  lower: number;
  upper: number;
}

/** The Wilson score interval (95%) of `successes` out of `n`; null when there is nothing to measure. */
export function wilson(successes: number, n: number): Interval | null {
  if (n <= 0 || successes < 0 || successes > n) return null;
  const p = successes / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface Rate {
  numerator: number;
  denominator: number;
  /** From 0 to 1; null under the minimum volume (the numbers are still given). */
  value: number | null;
  interval: Interval | null;
}

export function rateOf(numerator: number, denominator: number): Rate {
  if (denominator < MINIMUM_VOLUME) return { numerator, denominator, value: null, interval: null };
  return { numerator, denominator, value: numerator / denominator, interval: wilson(numerator, denominator) };
}

/** A pooled rate for a group of authorities (all their cases together), with no minimum: the group is large. */
export const pooledRate = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** The counts kept for an authority's year (one row of the summary table). */
export interface Counts {
  received: number;
  receivedByArea: Record<string, number>;
  decided: number;
  notForUs: number;
  assessedAndClosed: number;
  investigated: number;
  upheld: number;
  satisfactoryRemedy: number;
  remediesDue: number;
  remediesComplied: number;
  remediesCompliedLate: number;
  publicReports: number;
}

export const ZERO_COUNTS: Counts = {
  received: 0,
  receivedByArea: {},
  decided: 0,
  notForUs: 0,
  assessedAndClosed: 0,
  investigated: 0,
  upheld: 0,
  satisfactoryRemedy: 0,
  remediesDue: 0,
  remediesComplied: 0,
  remediesCompliedLate: 0,
  publicReports: 0,
};

/** Plain rows of the casework, as `figuresFrom` reads them. */
export interface CaseworkRows {
  complaints: { receivedOn: string; serviceArea: string }[];
  /** Each case's decision: its London date and outcome (after any review that changed it). */
  decisions: { decidedOn: string; outcome: Outcome }[];
  remedies: {
    dueOn: string;
    status: 'agreed' | 'complied' | 'not-satisfied';
    compliedOnTime: boolean | null;
  }[];
  publicReports: { finalIssuedOn: string | null }[];
}

const inYear = (date: string, y: StatisticsYear) => date >= y.from && date <= y.to;

/**
 * The counts for one authority's year from its casework. `today` is the London date of the count: a
 * remedy falling due later this year counts as due only once complied with (or once its day has come).
 */
export function figuresFrom(rows: CaseworkRows, year: number, today: string): Counts {
  const y = statisticsYear(year);
  const counts: Counts = { ...ZERO_COUNTS, receivedByArea: {} };
  for (const c of rows.complaints) {
    if (!inYear(c.receivedOn, y)) continue;
    counts.received += 1;
    counts.receivedByArea[c.serviceArea] = (counts.receivedByArea[c.serviceArea] ?? 0) + 1;
  }
  for (const d of rows.decisions) {
    if (!inYear(d.decidedOn, y) || d.outcome === 'withdrawn') continue;
    counts.decided += 1;
    if (NOT_FOR_US.includes(d.outcome)) counts.notForUs += 1;
    if (ASSESSED_AND_CLOSED.includes(d.outcome)) counts.assessedAndClosed += 1;
    if (INVESTIGATED.includes(d.outcome)) counts.investigated += 1;
    if (UPHELD.includes(d.outcome)) counts.upheld += 1;
    if (SATISFACTORY_REMEDY.includes(d.outcome)) counts.satisfactoryRemedy += 1;
  }
  for (const r of rows.remedies) {
    if (!inYear(r.dueOn, y)) continue;
    if (r.status !== 'complied' && r.dueOn > today) continue;
    counts.remediesDue += 1;
    if (r.status === 'complied') {
      counts.remediesComplied += 1;
      if (r.compliedOnTime === false) counts.remediesCompliedLate += 1;
    }
  }
  for (const p of rows.publicReports)
    if (p.finalIssuedOn !== null && inYear(p.finalIssuedOn, y)) counts.publicReports += 1;
  return counts;
}

export interface Rates {
  upheld: Rate;
  satisfactoryRemedy: Rate;
  compliance: Rate;
}

export const ratesOf = (c: Counts): Rates => ({
  upheld: rateOf(c.upheld, c.investigated),
  satisfactoryRemedy: rateOf(c.satisfactoryRemedy, c.upheld),
  compliance: rateOf(c.remediesComplied, c.remediesDue),
});

/** Totals of a kind of authority for a year. */
export interface KindTotals {
  kind: string;
  authorities: number;
  investigated: number;
  upheld: number;
  satisfactoryRemedy: number;
  remediesDue: number;
  remediesComplied: number;
}

export interface SimilarAuthorities {
  kind: string;
  authorities: number;
  upheldRate: number | null;
  satisfactoryRemedyRate: number | null;
  complianceRate: number | null;
}

export const similarFrom = (t: KindTotals): SimilarAuthorities => ({
  kind: t.kind,
  authorities: t.authorities,
  upheldRate: pooledRate(t.upheld, t.investigated),
  satisfactoryRemedyRate: pooledRate(t.satisfactoryRemedy, t.upheld),
  complianceRate: pooledRate(t.remediesComplied, t.remediesDue),
});

/** A change against the previous year in words: "up 3 from 12", "down 2 from 9", "same as last year (5)". */
export function changeInWords(current: number, previous: number | null): string {
  if (previous === null) return 'no figures for the year before';
  if (current === previous) return `same as the year before (${previous})`;
  return `${current > previous ? 'up' : 'down'} ${Math.abs(current - previous)} from ${previous}`;
}

/** A rate as a whole percentage: 0.8333 → "83%". */
export const percent = (value: number): string => `${Math.round(value * 100)}%`;

/** A rate in words for a page or a letter: the percentage with its interval, or the numbers under the minimum. */
export function rateInWords(rate: Rate): string {
  if (rate.value === null || rate.interval === null)
    return `${rate.numerator} of ${rate.denominator} (too few for a percentage)`;
  return `${percent(rate.value)} (${rate.numerator} of ${rate.denominator}; 95% interval ${percent(rate.interval.lower)} to ${percent(rate.interval.upper)})`;
}

/** The address part of an authority's name: "London Borough of Camden" → "london-borough-of-camden". */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}

export interface DictionaryEntry {
  field: string;
  name: string;
  counts: string;
  excludes: string;
  date: string;
}

/** The data dictionary: shown on every performance page and shipped with the open data. */
export const DATA_DICTIONARY: readonly DictionaryEntry[] = [
  {
    field: 'received',
    name: 'Complaints and enquiries received',
    counts: 'Every complaint or enquiry recorded about the authority, by service area.',
    excludes: 'Nothing is left out: withdrawn and invalid complaints count too.',
    date: 'The day it reached the ombudsman.',
  },
  {
    field: 'decided',
    name: 'Decisions made',
    counts: 'Every case closed with a decision: not for us, assessed and closed, and detailed investigations.',
    excludes: 'Complaints withdrawn by the complainant.',
    date: 'The day of the final decision (for a case closed without one, the day it was closed).',
  },
  {
    field: 'notForUs',
    name: '“Not for us”',
    counts: 'Referred back to the authority as premature, invalid or incomplete, or outside our jurisdiction.',
    excludes: 'Cases we assessed on their merits.',
    date: 'The day the case was closed.',
  },
  {
    field: 'assessedAndClosed',
    name: 'Assessed and closed',
    counts: 'Cases we decided not to investigate, or closed after initial enquiries.',
    excludes: 'Detailed investigations and “not for us”.',
    date: 'The day of the decision.',
  },
  {
    field: 'investigated',
    name: 'Detailed investigations',
    counts: 'Final decisions that found fault (upheld, with or without injustice, or already put right) or found none.',
    excludes: 'Cases closed at assessment, after initial enquiries, or withdrawn.',
    date: 'The day of the final decision; a review that changed the outcome changes what it counts as, not its day.',
  },
  {
    field: 'upheld',
    name: 'Upheld',
    counts: 'Detailed investigations that found fault, including fault the authority had already put right.',
    excludes: 'Investigations that found no fault.',
    date: 'The day of the final decision.',
  },
  {
    field: 'upheldRate',
    name: 'Uphold rate',
    counts: `Upheld ÷ detailed investigations, with its 95% (Wilson) interval. Under ${MINIMUM_VOLUME} investigations only the numbers are given.`,
    excludes: 'Everything not investigated in detail.',
    date: 'The day of the final decision.',
  },
  {
    field: 'satisfactoryRemedyRate',
    name: 'Satisfactory remedy by the authority',
    counts: `Of the upheld cases, those where the authority had already put things right before we decided. Under ${MINIMUM_VOLUME} upheld cases only the numbers are given.`,
    excludes: 'Cases not upheld.',
    date: 'The day of the final decision.',
  },
  {
    field: 'complianceRate',
    name: 'Compliance with recommendations',
    counts: `Remedies with evidence of compliance accepted ÷ remedies due in the year; remedies complied with after their due date are also counted on their own (“late”). Under ${MINIMUM_VOLUME} remedies due only the numbers are given.`,
    excludes:
      'Remedies proposed but not agreed, withdrawn or superseded; remedies due later that have not yet been complied with.',
    date: 'The remedy’s due date (the latest agreed).',
  },
  {
    field: 'publicReports',
    name: 'Public reports',
    counts: 'Final public reports issued about the authority.',
    excludes: 'Draft reports and further reports on the same case.',
    date: 'The day the final report was issued.',
  },
  {
    field: 'similarAuthorities',
    name: 'Similar authorities',
    counts:
      'All authorities of the same kind (county, district, unitary, metropolitan borough, London borough, and so on) taken together: their upheld cases over their investigations, and so on.',
    excludes: 'Nothing; it is a pooled rate, not an average of each authority’s rate.',
    date: 'As for each figure.',
  },
];

export const LICENCE =
  'Contains public sector information licensed under the Open Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).';

/** Who an annual review letter goes to, by role, as letters and pages name them. */
export const LETTER_ROLE_NAMES = {
  'chief-executive': 'Chief executive',
  'link-officer': 'Link officer',
  'monitoring-officer': 'Monitoring officer',
  leader: 'Leader of the council',
  'scrutiny-chair': 'Chair of scrutiny',
} as const;

/** A recipient's role as pages name it (the role itself when it has no name). */
export function roleName(role: string): string {
  const names: Readonly<Record<string, string>> = LETTER_ROLE_NAMES;
  return Object.hasOwn(names, role) ? (names[role] ?? role) : role;
}
