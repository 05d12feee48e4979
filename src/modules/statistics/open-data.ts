/**
 * The open data: an authority's year as the JSON object the API and the downloads give, and a year of
 * every authority as CSV. Pure shaping of figures already counted.
 */
import { stringify } from 'csv-stringify/sync';
import { SERVICE_AREAS } from '../authorities/domain.ts';
import {
  DATA_DICTIONARY,
  LICENCE,
  ratesOf,
  statisticsYear,
  type Counts,
  type Interval,
  type SimilarAuthorities,
} from './domain.ts';

export interface AuthorityYearObject {
  authorityId: string;
  name: string;
  kind: string;
  year: number;
  period: { from: string; to: string };
  published: boolean;
  received: number;
  receivedByServiceArea: Record<string, number>;
  decided: number;
  notForUs: number;
  assessedAndClosed: number;
  investigated: number;
  upheld: number;
  upheldRate: number | null;
  upheldRateInterval: Interval | null;
  satisfactoryRemedy: number;
  satisfactoryRemedyRate: number | null;
  satisfactoryRemedyRateInterval: Interval | null;
  remediesDue: number;
  remediesComplied: number;
  remediesCompliedLate: number;
  complianceRate: number | null;
  complianceRateInterval: Interval | null;
  publicReports: number;
  similarAuthorities: SimilarAuthorities;
}

const round4 = (n: number | null) => (n === null ? null : Math.round(n * 10_000) / 10_000);
const roundInterval = (i: Interval | null) =>
  i === null ? null : { lower: round4(i.lower) ?? 0, upper: round4(i.upper) ?? 0 };

export function authorityYearObject(
  authority: { id: string; name: string; kind: string },
  year: number,
  published: boolean,
  counts: Counts,
  similar: SimilarAuthorities,
): AuthorityYearObject {
  const y = statisticsYear(year);
  const rates = ratesOf(counts);
  const byArea: Record<string, number> = {};
  for (const area of SERVICE_AREAS) byArea[area] = counts.receivedByArea[area] ?? 0;
  return {
    authorityId: authority.id,
    name: authority.name,
    kind: authority.kind,
    year,
    period: { from: y.from, to: y.to },
    published,
    received: counts.received,
    receivedByServiceArea: byArea,
    decided: counts.decided,
    notForUs: counts.notForUs,
    assessedAndClosed: counts.assessedAndClosed,
    investigated: counts.investigated,
    upheld: counts.upheld,
    upheldRate: round4(rates.upheld.value),
    upheldRateInterval: roundInterval(rates.upheld.interval),
    satisfactoryRemedy: counts.satisfactoryRemedy,
    satisfactoryRemedyRate: round4(rates.satisfactoryRemedy.value),
    satisfactoryRemedyRateInterval: roundInterval(rates.satisfactoryRemedy.interval),
    remediesDue: counts.remediesDue,
    remediesComplied: counts.remediesComplied,
    remediesCompliedLate: counts.remediesCompliedLate,
    complianceRate: round4(rates.compliance.value),
    complianceRateInterval: roundInterval(rates.compliance.interval),
    publicReports: counts.publicReports,
    similarAuthorities: {
      kind: similar.kind,
      authorities: similar.authorities,
      upheldRate: round4(similar.upheldRate),
      satisfactoryRemedyRate: round4(similar.satisfactoryRemedyRate),
      complianceRate: round4(similar.complianceRate),
    },
  };
}

/** The dictionary and licence that go with every download. */
export const openDataNotes = () => ({
  licence: LICENCE,
  dictionary: DATA_DICTIONARY.map((d) => ({
    field: d.field,
    name: d.name,
    counts: d.counts,
    excludes: d.excludes,
    date: d.date,
  })),
});

const CSV_COLUMNS = [
  'authority_id',
  'name',
  'kind',
  'year',
  'period_from',
  'period_to',
  'received',
  ...SERVICE_AREAS.map((a) => `received_${a.replace(/-/g, '_')}`),
  'decided',
  'not_for_us',
  'assessed_and_closed',
  'investigated',
  'upheld',
  'upheld_rate',
  'upheld_rate_lower',
  'upheld_rate_upper',
  'satisfactory_remedy',
  'satisfactory_remedy_rate',
  'remedies_due',
  'remedies_complied',
  'remedies_complied_late',
  'compliance_rate',
  'compliance_rate_lower',
  'compliance_rate_upper',
  'public_reports',
  'similar_kind_upheld_rate',
  'similar_kind_compliance_rate',
];

/** A spreadsheet would run a cell starting with one of these as a formula: such a name is written with a quote first. */
const safeText = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
const cell = (n: number | null) => (n === null ? '' : String(n));

/** A year of every authority as CSV: a header row, then one row per authority; the licence is the last line's comment. */
export function yearCsv(objects: readonly AuthorityYearObject[]): string {
  const rows = objects.map((o) => [
    o.authorityId,
    safeText(o.name),
    o.kind,
    String(o.year),
    o.period.from,
    o.period.to,
    String(o.received),
    ...SERVICE_AREAS.map((a) => String(o.receivedByServiceArea[a] ?? 0)),
    String(o.decided),
    String(o.notForUs),
    String(o.assessedAndClosed),
    String(o.investigated),
    String(o.upheld),
    cell(o.upheldRate),
    cell(o.upheldRateInterval?.lower ?? null),
    cell(o.upheldRateInterval?.upper ?? null),
    String(o.satisfactoryRemedy),
    cell(o.satisfactoryRemedyRate),
    String(o.remediesDue),
    String(o.remediesComplied),
    String(o.remediesCompliedLate),
    cell(o.complianceRate),
    cell(o.complianceRateInterval?.lower ?? null),
    cell(o.complianceRateInterval?.upper ?? null),
    String(o.publicReports),
    cell(o.similarAuthorities.upheldRate),
    cell(o.similarAuthorities.complianceRate),
  ]);
  // Written line by line: csv-stringify's quoting rule (a cell with a comma, quote or line break is
  // quoted, its quotes doubled) at a fraction of its cost for 30,000 rows of mostly numbers.
  return [CSV_COLUMNS, ...rows].map(csvLine).join('');
}

const csvLine = (cells: readonly string[]) =>
  `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')}\n`;

/** The data dictionary as CSV, downloaded beside the figures. */
export function dictionaryCsv(): string {
  return stringify(
    [...DATA_DICTIONARY.map((d) => [d.field, d.name, d.counts, d.excludes, d.date]), ['licence', LICENCE, '', '', '']],
    { header: true, columns: ['field', 'name', 'counts', 'excludes', 'date'] },
  );
}
