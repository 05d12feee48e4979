/**
 * The open data: an authority's year as the JSON object the API and the downloads give, and a year of
 * every authority as CSV. Pure shaping of figures already counted.
 */
import { csvText } from '../../platform/csv.ts';
import { SERVICE_AREAS } from '../authorities/domain.ts';
import {
  DATA_DICTIONARY,
  LICENCE,
  ratesOf,
  statisticsYear,
  type Counts,
  type Interval,
  type SimilarAuthorities,
  type StatisticsYear,
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

const cell = (n: number | null) => (n === null ? '' : n);

/**
 * A year of every authority as CSV (through the platform's CSV writer: a byte-order mark, and a name
 * a spreadsheet would run as a formula written with a quote first): a header row, then one row per
 * authority. Written once per refresh for a published year's download (the statistics service).
 */
export function yearCsv(objects: readonly AuthorityYearObject[]): string {
  const rows = objects.map((o) => [
    o.authorityId,
    o.name,
    o.kind,
    o.year,
    o.period.from,
    o.period.to,
    o.received,
    ...SERVICE_AREAS.map((a) => o.receivedByServiceArea[a] ?? 0),
    o.decided,
    o.notForUs,
    o.assessedAndClosed,
    o.investigated,
    o.upheld,
    cell(o.upheldRate),
    cell(o.upheldRateInterval?.lower ?? null),
    cell(o.upheldRateInterval?.upper ?? null),
    o.satisfactoryRemedy,
    cell(o.satisfactoryRemedyRate),
    o.remediesDue,
    o.remediesComplied,
    o.remediesCompliedLate,
    cell(o.complianceRate),
    cell(o.complianceRateInterval?.lower ?? null),
    cell(o.complianceRateInterval?.upper ?? null),
    o.publicReports,
    cell(o.similarAuthorities.upheldRate),
    cell(o.similarAuthorities.complianceRate),
  ]);
  return csvText([CSV_COLUMNS, ...rows]);
}

/** A year of every authority as the JSON download: the period, the licence and dictionary, the objects. */
export function yearJson(year: StatisticsYear, objects: readonly AuthorityYearObject[]): string {
  return JSON.stringify({
    year: year.year,
    period: { from: year.from, to: year.to },
    ...openDataNotes(),
    authorities: objects,
  });
}

/** The data dictionary as CSV, downloaded beside the figures. */
export function dictionaryCsv(): string {
  return csvText([
    ['field', 'name', 'counts', 'excludes', 'date'],
    ...DATA_DICTIONARY.map((d) => [d.field, d.name, d.counts, d.excludes, d.date]),
    ['licence', LICENCE, '', '', ''],
  ]);
}
