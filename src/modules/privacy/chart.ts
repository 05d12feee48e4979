/**
 * The geometry of the staff analytics chart: page views and visitors per day as pairs of bars, with
 * a scale. Pure numbers; the template draws them as an SVG (no script, and no style attribute, which
 * the Content Security Policy refuses). The table beside it carries the same figures for anyone who
 * cannot see the chart.
 */
import type { DailyFigures } from './domain.ts';

export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 320;
const PLOT = { left: 56, right: CHART_WIDTH - 12, top: 48, bottom: CHART_HEIGHT - 40 };
const INTERVALS = 5;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartDay {
  views: Bar;
  visitors: Bar;
  /** What the pair shows, in words (the bars' tooltip). */
  title: string;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: typeof PLOT;
  /** Horizontal grid lines with their values, from zero up. */
  ticks: { y: number; label: string }[];
  /** A few days named along the bottom: the first, the last and some between. */
  dayLabels: { x: number; label: string; anchor: 'start' | 'middle' | 'end' }[];
  days: ChartDay[];
}

/** The scale's top: 5 for small counts, else the next of 1, 2, 2.5 or 5 × a power of ten, so that five steps are whole numbers. */
export function scaleMaximum(largest: number): number {
  if (largest <= 5) return 5;
  const power = 10 ** Math.floor(Math.log10(largest));
  for (const multiple of [1, 2, 2.5, 5, 10]) {
    const candidate = multiple * power;
    if (candidate >= largest && Number.isInteger(candidate / INTERVALS)) return candidate;
  }
  return 10 * power;
}

/** `2026-12-06` as "6 Dec". */
export function shortDay(day: string): string {
  const [, month, date] = day.split('-').map(Number);
  return `${date ?? ''} ${MONTHS[(month ?? 1) - 1] ?? ''}`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

export function chartGeometry(figures: readonly DailyFigures[]): ChartGeometry {
  const largest = figures.reduce((max, f) => Math.max(max, f.views, f.visitors), 0);
  const top = scaleMaximum(largest);
  const plotHeight = PLOT.bottom - PLOT.top;
  const heightOf = (value: number) => (value / top) * plotHeight;
  const slot = (PLOT.right - PLOT.left) / Math.max(figures.length, 1);
  const barWidth = Math.max(slot * 0.4, 0.5);
  const round = (n: number) => Math.round(n * 100) / 100;
  const bar = (x: number, value: number): Bar => ({
    x: round(x),
    y: round(PLOT.bottom - heightOf(value)),
    width: round(barWidth),
    height: round(heightOf(value)),
  });
  const days = figures.map((f, i) => {
    const start = PLOT.left + i * slot + slot * 0.1;
    return {
      views: bar(start, f.views),
      visitors: bar(start + barWidth, f.visitors),
      title: `${shortDay(f.day)}: ${plural(f.views, 'page view', 'page views')}, ${plural(f.visitors, 'visitor', 'visitors')}`,
    };
  });
  const ticks = Array.from({ length: INTERVALS + 1 }, (_, i) => {
    const value = (top / INTERVALS) * i;
    return { y: round(PLOT.bottom - heightOf(value)), label: value.toLocaleString('en-GB') };
  });
  const labelled = new Set<number>([0, figures.length - 1]);
  const between = Math.min(4, figures.length - 2);
  for (let k = 1; k <= between; k++) labelled.add(Math.round(((figures.length - 1) * k) / (between + 1)));
  const dayLabels = [...labelled]
    .filter((i) => i >= 0 && i < figures.length)
    .sort((a, b) => a - b)
    .map((i) => {
      const label = shortDay(figures[i]?.day ?? '');
      if (figures.length > 1 && i === 0) return { x: PLOT.left, label, anchor: 'start' as const };
      if (figures.length > 1 && i === figures.length - 1) return { x: PLOT.right, label, anchor: 'end' as const };
      return { x: round(PLOT.left + (i + 0.5) * slot), label, anchor: 'middle' as const };
    });
  return { width: CHART_WIDTH, height: CHART_HEIGHT, plot: PLOT, ticks, dayLabels, days };
}
