/**
 * The geometry of the performance pages' charts: horizontal bars with a scale, an optional 95%
 * interval drawn as a line across each bar's end, and an optional marker (similar authorities).
 * Pure numbers; the template draws them as SVG with no script and no style attribute, and the table
 * after each chart gives the same figures.
 */
import { scaleMaximum } from '../privacy/chart.ts';

export const CHART_WIDTH = 720;
const LABEL_WIDTH = 230;
const ROW_HEIGHT = 36;
const TOP = 40;
const BOTTOM = 36;
const RIGHT = 24;
const INTERVALS = 5;

export interface BarItem {
  label: string;
  value: number;
  /** The interval around the value (same units), drawn as a whisker. */
  lower?: number | null;
  upper?: number | null;
  /** A comparison value drawn as a marker (similar authorities). */
  marker?: number | null;
  /** What the bar shows, in words (its tooltip). */
  title: string;
}

export interface BarRow {
  label: string;
  labelY: number;
  bar: { x: number; y: number; width: number; height: number };
  whisker: { x1: number; x2: number; y: number } | null;
  marker: { x: number; y1: number; y2: number } | null;
  title: string;
}

export interface BarChart {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  ticks: { x: number; label: string }[];
  rows: BarRow[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Bars for `items`. `percent` draws the scale from 0% to 100% (values from 0 to 1); otherwise the
 * scale runs to a round number above the largest value.
 */
export function barChart(items: readonly BarItem[], percent: boolean): BarChart {
  const top = percent
    ? 1
    : scaleMaximum(items.reduce((max, i) => Math.max(max, i.value, i.upper ?? 0, i.marker ?? 0), 0));
  const plot = {
    left: LABEL_WIDTH,
    right: CHART_WIDTH - RIGHT,
    top: TOP,
    bottom: TOP + Math.max(items.length, 1) * ROW_HEIGHT,
  };
  const span = plot.right - plot.left;
  const xOf = (v: number) => round(plot.left + (Math.min(Math.max(v, 0), top) / top) * span);
  const rows = items.map((item, i) => {
    const y = plot.top + i * ROW_HEIGHT;
    const barY = round(y + ROW_HEIGHT * 0.2);
    const height = round(ROW_HEIGHT * 0.6);
    const hasInterval =
      item.lower !== undefined && item.lower !== null && item.upper !== undefined && item.upper !== null;
    return {
      label: item.label,
      labelY: round(y + ROW_HEIGHT * 0.5 + 5),
      bar: { x: plot.left, y: barY, width: round(xOf(item.value) - plot.left), height },
      whisker: hasInterval
        ? { x1: xOf(item.lower ?? 0), x2: xOf(item.upper ?? 0), y: round(y + ROW_HEIGHT * 0.5) }
        : null,
      marker:
        item.marker !== undefined && item.marker !== null
          ? { x: xOf(item.marker), y1: round(y + 2), y2: round(y + ROW_HEIGHT - 2) }
          : null,
      title: item.title,
    };
  });
  const ticks = Array.from({ length: INTERVALS + 1 }, (_, k) => {
    const value = (top / INTERVALS) * k;
    return { x: xOf(value), label: percent ? `${Math.round(value * 100)}%` : value.toLocaleString('en-GB') };
  });
  return { width: CHART_WIDTH, height: plot.bottom + BOTTOM, plot, ticks, rows };
}
