import { describe, expect, it } from 'vitest';
import { chartGeometry, scaleMaximum, shortDay } from './chart.ts';

describe('the analytics chart', () => {
  it('scales to a round number that five steps divide', () => {
    expect([0, 1, 5, 6, 10, 11, 21, 26, 51, 101, 240, 1234].map(scaleMaximum)).toEqual([
      5, 5, 5, 10, 10, 20, 25, 50, 100, 200, 250, 2000,
    ]);
  });

  it('draws each day as a pair of bars in proportion, with the scale and the first and last days named', () => {
    const chart = chartGeometry([
      { day: '2026-12-05', views: 10, visitors: 5 },
      { day: '2026-12-06', views: 0, visitors: 0 },
    ]);
    const [first, second] = chart.days;
    expect(first?.views.height).toBeCloseTo(((chart.plot.bottom - chart.plot.top) * 10) / 10);
    expect(first?.visitors.height).toBeCloseTo((chart.plot.bottom - chart.plot.top) / 2);
    expect((first?.views.y ?? 0) + (first?.views.height ?? 0)).toBeCloseTo(chart.plot.bottom);
    expect(second?.views.height).toBe(0);
    expect(first?.title).toBe('5 Dec: 10 page views, 5 visitors');
    expect(chart.ticks.map((t) => t.label)).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(chart.dayLabels.map((l) => l.label)).toEqual(['5 Dec', '6 Dec']);
    expect(shortDay('2027-01-31')).toBe('31 Jan');
  });
});
