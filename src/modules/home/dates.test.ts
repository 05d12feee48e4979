import { describe, expect, it } from 'vitest';
import { mondayOf, yearStart } from './dates.ts';

describe("the home page's dates", () => {
  it('counts the year from 1 April', () => {
    expect(yearStart('2026-12-11')).toBe('2026-04-01');
    expect(yearStart('2027-03-31')).toBe('2026-04-01');
    expect(yearStart('2027-04-01')).toBe('2027-04-01');
  });

  it("puts a day in its week's Monday", () => {
    expect(mondayOf('2026-12-14')).toBe('2026-12-14');
    expect(mondayOf('2026-12-20')).toBe('2026-12-14');
    expect(mondayOf('2026-12-13')).toBe('2026-12-07');
  });
});
