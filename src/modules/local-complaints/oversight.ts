import PDFDocument from 'pdfkit';
import { scaleMaximum } from '../privacy/chart.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { percent } from './domain.ts';

/**
 * The oversight dashboard and the annual self-assessment: figures from the counts by stage and
 * service area, bars drawn as SVG (no script) with a table of the same figures, and the draft
 * report as HTML and PDF.
 */

export interface OversightRow {
  stage: number;
  service_area: string;
  total: number;
  acknowledged_on_time: number;
  acknowledged: number;
  answered_on_time: number;
  answered: number;
  extended: number;
  escalated: number;
  to_ombudsman: number;
  ombudsman_upheld: number;
  ombudsman_not_upheld: number;
}

export interface Period {
  from: string;
  to: string;
  label: string;
}

const WIDTH = 720;
const LABEL = 230;
const ROW = 36;
const TOP = 10;

export interface Bars {
  width: number;
  height: number;
  left: number;
  right: number;
  bottom: number;
  ticks: { x: number; label: string }[];
  rows: { label: string; labelY: number; y: number; width: number; title: string }[];
}

/** Horizontal bars for counts, on a scale running to a round number above the largest. */
export function bars(items: readonly { label: string; value: number }[]): Bars {
  const top = scaleMaximum(items.reduce((m, i) => Math.max(m, i.value), 0));
  const right = WIDTH - 24;
  const span = right - LABEL;
  const bottom = TOP + Math.max(1, items.length) * ROW;
  return {
    width: WIDTH,
    height: bottom + 32,
    left: LABEL,
    right,
    bottom,
    ticks: Array.from({ length: 6 }, (_, k) => ({
      x: Math.round(LABEL + (span * k) / 5),
      label: ((top / 5) * k).toLocaleString('en-GB'),
    })),
    rows: items.map((i, n) => ({
      label: i.label,
      labelY: TOP + n * ROW + ROW / 2 + 5,
      y: TOP + n * ROW + ROW * 0.2,
      width: Math.round((Math.min(i.value, top) / top) * span),
      title: `${i.label}: ${i.value.toLocaleString('en-GB')}`,
    })),
  };
}

interface Totals {
  total: number;
  acknowledgedOnTime: number;
  answeredOnTime: number;
  answered: number;
  extended: number;
  escalated: number;
  toOmbudsman: number;
  ombudsmanUpheld: number;
  ombudsmanNotUpheld: number;
}

const sum = (rows: readonly OversightRow[]): Totals =>
  rows.reduce(
    (t, r) => ({
      total: t.total + r.total,
      acknowledgedOnTime: t.acknowledgedOnTime + r.acknowledged_on_time,
      answeredOnTime: t.answeredOnTime + r.answered_on_time,
      answered: t.answered + r.answered,
      extended: t.extended + r.extended,
      escalated: t.escalated + r.escalated,
      toOmbudsman: t.toOmbudsman + r.to_ombudsman,
      ombudsmanUpheld: t.ombudsmanUpheld + r.ombudsman_upheld,
      ombudsmanNotUpheld: t.ombudsmanNotUpheld + r.ombudsman_not_upheld,
    }),
    {
      total: 0,
      acknowledgedOnTime: 0,
      answeredOnTime: 0,
      answered: 0,
      extended: 0,
      escalated: 0,
      toOmbudsman: 0,
      ombudsmanUpheld: 0,
      ombudsmanNotUpheld: 0,
    },
  );

const areaName = (a: string) => SERVICE_AREA_NAMES[a as ServiceArea] ?? a;

export function oversightView(data: { period: Period; rows: readonly OversightRow[] }) {
  const stages = [...new Set(data.rows.map((r) => r.stage))].sort();
  const byStage = stages.map((s) => {
    const t = sum(data.rows.filter((r) => r.stage === s));
    return Object.assign(
      {
        stage: s,
        acknowledgedRate: percent(t.acknowledgedOnTime, t.total),
        answeredRate: percent(t.answeredOnTime, t.total),
      },
      t,
    );
  });
  const areas = [...new Set(data.rows.map((r) => r.service_area))].sort();
  const byArea = areas.map((a) => {
    const stage1 = sum(data.rows.filter((r) => r.service_area === a && r.stage === 1));
    const all = sum(data.rows.filter((r) => r.service_area === a));
    return {
      area: areaName(a),
      received: stage1.total,
      answeredOnTime: all.answeredOnTime,
      answeredRate: percent(all.answeredOnTime, all.total),
      escalated: stage1.escalated,
      toOmbudsman: stage1.toOmbudsman + sum(data.rows.filter((r) => r.service_area === a && r.stage > 1)).toOmbudsman,
    };
  });
  const s1 = byStage.find((s) => s.stage === 1);
  const all = sum(data.rows);
  const startYear = Number(data.period.from.slice(0, 4));
  return {
    period: data.period,
    years: [startYear - 2, startYear - 1, startYear, startYear + 1].map((y) => ({
      year: y,
      label: `${y} to ${y + 1}`,
      chosen: y === startYear,
    })),
    byStage,
    byArea,
    totals: {
      received: s1?.total ?? 0,
      escalated: s1?.escalated ?? 0,
      extended: all.extended,
      toOmbudsman: all.toOmbudsman,
      ombudsmanUpheld: all.ombudsmanUpheld,
      ombudsmanNotUpheld: all.ombudsmanNotUpheld,
    },
    areaChart: bars(byArea.map((a) => ({ label: a.area, value: a.received }))),
    stageChart: bars(
      byStage.flatMap((s) => [
        { label: `Stage ${s.stage}: received`, value: s.total },
        { label: `Stage ${s.stage}: acknowledged on time`, value: s.acknowledgedOnTime },
        { label: `Stage ${s.stage}: answered on time`, value: s.answeredOnTime },
      ]),
    ),
  };
}

export type OversightView = ReturnType<typeof oversightView>;

export function selfAssessmentView(
  data: { period: Period; rows: readonly OversightRow[] },
  text: Record<string, string>,
  authorityName: string,
) {
  const view = oversightView(data);
  const lines = [
    `${view.totals.received} complaints were received at stage 1 between ${data.period.from} and ${data.period.to}.`,
    ...view.byStage.map(
      (s) =>
        `Stage ${s.stage}: ${s.total} complaints; ${s.acknowledgedRate ?? '–'}% acknowledged on time and ${s.answeredRate ?? '–'}% answered on time; ${s.extended} extended.`,
    ),
    `${view.totals.escalated} complaints were escalated to stage 2.`,
    `${view.totals.toOmbudsman} went on to the ombudsman: ${view.totals.ombudsmanUpheld} upheld and ${view.totals.ombudsmanNotUpheld} not upheld so far.`,
  ];
  return { ...view, text, authorityName, performance: lines };
}

/** The draft annual report and self-assessment as a PDF, in the standard Helvetica (no font embedded). */
export function selfAssessmentPdf(
  view: ReturnType<typeof selfAssessmentView>,
  sections: readonly { key: string; title: string }[],
  createdAt: Date,
): Promise<Buffer> {
  const title = `Annual complaints performance and service improvement report ${view.period.label}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: title, Author: view.authorityName, CreationDate: createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(18).text(view.authorityName);
  doc.moveDown(0.3).fontSize(14).text(title);
  doc.moveDown(0.3).font('Helvetica').fontSize(10).fillColor('#505a5f').text('Draft');
  doc.fillColor('#0b0c0c').moveDown(1).font('Helvetica-Bold').fontSize(13).text('Performance');
  doc.font('Helvetica').fontSize(11);
  for (const l of view.performance) doc.moveDown(0.3).text(l);
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).text('By service area');
  doc.font('Helvetica').fontSize(11);
  for (const a of view.byArea)
    doc
      .moveDown(0.2)
      .text(
        `${a.area}: ${a.received} received, ${a.answeredRate ?? '–'}% answered on time, ${a.escalated} escalated, ${a.toOmbudsman} to the ombudsman`,
      );
  doc.moveDown(1).font('Helvetica-Bold').fontSize(13).text('Self-assessment against the Complaint Handling Code');
  for (const s of sections) {
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).text(s.title);
    doc
      .moveDown(0.2)
      .font('Helvetica')
      .fontSize(11)
      .text(view.text[s.key]?.trim() || 'Not yet written.');
  }
  doc.end();
  return done;
}
