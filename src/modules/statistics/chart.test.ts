import { describe, expect, it } from 'vitest';
import { barChart } from './chart.ts';

describe('the bar chart', () => {
  it('draws rates on a scale from 0% to 100%, with the interval and the comparison', () => {
    const c = barChart([{ label: 'Uphold rate', value: 0.5, lower: 0.25, upper: 0.75, marker: 1, title: '50%' }], true);
    const [row] = c.rows;
    const span = c.plot.right - c.plot.left;
    expect(row?.bar.width).toBeCloseTo(span / 2, 1);
    expect(row?.whisker?.x1).toBeCloseTo(c.plot.left + span / 4, 1);
    expect(row?.marker?.x).toBeCloseTo(c.plot.right, 1);
    expect(c.ticks.map((t) => t.label)).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
  });

  it('scales counts to a round number above the largest', () => {
    const c = barChart(
      [
        { label: 'Housing', value: 12, title: '12' },
        { label: 'Planning', value: 3, title: '3' },
      ],
      false,
    );
    expect(c.ticks.at(-1)?.label).toBe('20');
    expect(c.rows[1]?.bar.width).toBeCloseTo(((c.plot.right - c.plot.left) * 3) / 20, 1);
  });
});
