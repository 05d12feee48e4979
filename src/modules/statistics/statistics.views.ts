/**
 * What the performance pages show, shaped from the figures: the counts with their change on the year
 * before, the charts' geometry and the rows of the tables that follow them.
 */
import { KIND_NAMES, SERVICE_AREAS, SERVICE_AREA_NAMES, isAuthorityKind } from '../authorities/domain.ts';
import { barChart } from './chart.ts';
import {
  changeInWords,
  DATA_DICTIONARY,
  MINIMUM_VOLUME,
  percent,
  type Counts,
  type Rate,
  type SimilarAuthorities,
} from './domain.ts';
import type { YearFigures } from './statistics.service.ts';

export const kindName = (kind: string): string => (isAuthorityKind(kind) ? KIND_NAMES[kind] : kind);

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

export interface CountRow {
  id: string;
  name: string;
  value: number;
  change: string;
}

function countRows(c: Counts, previous: Counts | null): CountRow[] {
  const row = (id: keyof Counts, name: string): CountRow => {
    const value = c[id] as number;
    return { id, name, value, change: changeInWords(value, previous ? (previous[id] as number) : null) };
  };
  return [
    row('received', 'Complaints and enquiries received'),
    row('decided', 'Decisions made'),
    row('notForUs', '“Not for us” (premature, invalid or outside our remit)'),
    row('assessedAndClosed', 'Assessed and closed'),
    row('investigated', 'Detailed investigations'),
    row('upheld', 'Upheld'),
    row('satisfactoryRemedy', 'Already put right by the authority'),
    row('remediesDue', 'Remedies due'),
    row('remediesComplied', 'Remedies complied with'),
    row('remediesCompliedLate', 'Of which complied with late'),
    row('publicReports', 'Public reports'),
  ];
}

export interface RateRow {
  id: string;
  name: string;
  numbers: string;
  /** "83%", or null under the minimum volume. */
  percentText: string | null;
  intervalText: string | null;
  similarText: string;
}

function rateRow(id: string, name: string, rate: Rate, similar: number | null): RateRow {
  return {
    id,
    name,
    numbers: `${rate.numerator.toLocaleString('en-GB')} of ${rate.denominator.toLocaleString('en-GB')}`,
    percentText: rate.value === null ? null : percent(rate.value),
    intervalText: rate.interval === null ? null : `${percent(rate.interval.lower)} to ${percent(rate.interval.upper)}`,
    similarText: similar === null ? 'No cases' : percent(similar),
  };
}

/** The authority's performance page for one year. */
export function authorityPageView(figures: YearFigures) {
  const { counts, rates, similar } = figures;
  const areas = SERVICE_AREAS.map((area) => ({
    area,
    name: SERVICE_AREA_NAMES[area],
    value: counts.receivedByArea[area] ?? 0,
    previous: figures.previous ? (figures.previous.receivedByArea[area] ?? 0) : null,
  })).filter((a) => a.value > 0 || (a.previous ?? 0) > 0);
  const areaChart = barChart(
    areas.map((a) => ({
      label: a.name,
      value: a.value,
      title: `${a.name}: ${plural(a.value, 'complaint', 'complaints')}`,
    })),
    false,
  );
  const rateRows = [
    rateRow('upheld', 'Uphold rate (upheld ÷ detailed investigations)', rates.upheld, similar.upheldRate),
    rateRow(
      'satisfactory-remedy',
      'Satisfactory remedy by the authority (of upheld cases)',
      rates.satisfactoryRemedy,
      similar.satisfactoryRemedyRate,
    ),
    rateRow('compliance', 'Compliance with recommendations', rates.compliance, similar.complianceRate),
  ];
  const rateList = [
    [rates.upheld, similar.upheldRate, 'Uphold rate'],
    [rates.satisfactoryRemedy, similar.satisfactoryRemedyRate, 'Satisfactory remedy'],
    [rates.compliance, similar.complianceRate, 'Compliance'],
  ] as const;
  const rateChart = barChart(
    rateList.map(([rate, similarValue, label]) => ({
      label: rate.value === null ? `${label} (too few cases)` : label,
      value: rate.value ?? 0,
      lower: rate.interval?.lower ?? null,
      upper: rate.interval?.upper ?? null,
      marker: similarValue,
      title:
        rate.value === null
          ? `${label}: ${rate.numerator} of ${rate.denominator}, too few for a percentage`
          : `${label}: ${percent(rate.value)}; similar authorities ${similarValue === null ? 'no cases' : percent(similarValue)}`,
    })),
    true,
  );
  return {
    counts: countRows(counts, figures.previous),
    areas,
    areaChart,
    rateRows,
    rateChart,
    similarKind: kindName(similar.kind),
    similarAuthorities: similar.authorities,
    anyUnderMinimum: [rates.upheld, rates.satisfactoryRemedy, rates.compliance].some((r) => r.value === null),
    minimumVolume: MINIMUM_VOLUME,
    dictionary: DATA_DICTIONARY,
  };
}

/** The national summary: each kind of authority's totals, with its pooled rates charted. */
export function nationalView(
  kinds: (SimilarAuthorities & {
    received: number;
    decided: number;
    investigated: number;
    upheld: number;
    remediesDue: number;
    remediesComplied: number;
    publicReports: number;
  })[],
) {
  const shown = kinds.filter((k) => k.received > 0 || k.decided > 0 || k.remediesDue > 0);
  const rows = shown.map((k) => ({
    kind: k.kind,
    name: kindName(k.kind),
    authorities: k.authorities,
    received: k.received,
    decided: k.decided,
    investigated: k.investigated,
    upheld: k.upheld,
    upheldRate: k.upheldRate === null ? '–' : percent(k.upheldRate),
    remediesDue: k.remediesDue,
    complianceRate: k.complianceRate === null ? '–' : percent(k.complianceRate),
    publicReports: k.publicReports,
  }));
  const withInvestigations = shown.filter((k) => k.investigated > 0);
  const chart = barChart(
    withInvestigations.map((k) => ({
      label: kindName(k.kind),
      value: k.upheldRate ?? 0,
      title: `${kindName(k.kind)}: ${k.upheldRate === null ? 'no investigations' : percent(k.upheldRate)} upheld of ${plural(k.investigated, 'investigation', 'investigations')}`,
    })),
    true,
  );
  const totals = shown.reduce(
    (t, k) => ({
      received: t.received + k.received,
      decided: t.decided + k.decided,
      investigated: t.investigated + k.investigated,
      upheld: t.upheld + k.upheld,
      publicReports: t.publicReports + k.publicReports,
    }),
    { received: 0, decided: 0, investigated: 0, upheld: 0, publicReports: 0 },
  );
  return { rows, chart, chartRows: withInvestigations.length, totals, dictionary: DATA_DICTIONARY };
}
