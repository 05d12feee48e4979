import { describe, expect, it } from 'vitest';
import {
  changeInWords,
  figuresFrom,
  rateInWords,
  rateOf,
  statisticsYear,
  wilson,
  yearLabel,
  yearOfDate,
  type CaseworkRows,
} from './domain.ts';

describe('the statistics year', () => {
  it('runs from 1 April to 31 March, starting at midnight in London (summer time)', () => {
    const y = statisticsYear(2026);
    expect(y.from).toBe('2026-04-01');
    expect(y.to).toBe('2027-03-31');
    expect(y.startsAt.toISOString()).toBe('2026-03-31T23:00:00.000Z');
    expect(y.endsBefore.toISOString()).toBe('2027-03-31T23:00:00.000Z');
    expect(y.label).toBe('2026–27');
    expect(yearLabel(2099)).toBe('2099–00');
  });

  it('places a date in the year that holds it', () => {
    expect(yearOfDate('2026-03-31')).toBe(2025);
    expect(yearOfDate('2026-04-01')).toBe(2026);
    expect(yearOfDate('2027-01-15')).toBe(2026);
  });
});

describe('Wilson intervals', () => {
  it('matches hand-worked values', () => {
    // 8 of 10: p = 0.8, z² = 3.8415; centre 0.7167, half-width 0.2266.
    const eight = wilson(8, 10);
    expect(eight?.lower).toBeCloseTo(0.4902, 4);
    expect(eight?.upper).toBeCloseTo(0.9433, 4);
    // 0 of 10: from 0 to z²/(n + z²) = 0.2775.
    const none = wilson(0, 10);
    expect(none?.lower).toBe(0);
    expect(none?.upper).toBeCloseTo(0.2775, 4);
    // 10 of 10 mirrors it.
    expect(wilson(10, 10)?.lower).toBeCloseTo(0.7225, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('gives no rate under the minimum volume, only the numbers', () => {
    const few = rateOf(7, 9);
    expect(few.value).toBeNull();
    expect(few.interval).toBeNull();
    expect(rateInWords(few)).toBe('7 of 9 (too few for a percentage)');
    const enough = rateOf(8, 10);
    expect(enough.value).toBe(0.8);
    expect(rateInWords(enough)).toBe('80% (8 of 10; 95% interval 49% to 94%)');
  });
});

describe('the counts of a year', () => {
  const rows: CaseworkRows = {
    complaints: [
      { receivedOn: '2026-03-31', serviceArea: 'housing' }, // the year before
      { receivedOn: '2026-04-01', serviceArea: 'housing' },
      { receivedOn: '2026-09-10', serviceArea: 'planning' },
      { receivedOn: '2027-03-31', serviceArea: 'housing' },
    ],
    decisions: [
      { decidedOn: '2026-05-01', outcome: 'premature' },
      { decidedOn: '2026-05-02', outcome: 'out-of-jurisdiction' },
      { decidedOn: '2026-05-03', outcome: 'not-investigated' },
      { decidedOn: '2026-06-01', outcome: 'upheld-injustice' },
      { decidedOn: '2026-06-02', outcome: 'upheld-no-injustice' },
      { decidedOn: '2026-06-03', outcome: 'remedied-by-authority' },
      { decidedOn: '2026-06-04', outcome: 'not-upheld' },
      { decidedOn: '2026-06-05', outcome: 'withdrawn' },
      { decidedOn: '2027-04-01', outcome: 'upheld-injustice' }, // the year after
    ],
    remedies: [
      { dueOn: '2026-07-01', status: 'complied', compliedOnTime: true },
      { dueOn: '2026-07-02', status: 'complied', compliedOnTime: false },
      { dueOn: '2026-07-03', status: 'agreed', compliedOnTime: null }, // overdue
      { dueOn: '2026-12-20', status: 'agreed', compliedOnTime: null }, // not yet due on 1 December
      { dueOn: '2026-12-21', status: 'complied', compliedOnTime: true }, // early, counts
    ],
    publicReports: [{ finalIssuedOn: '2026-11-11' }, { finalIssuedOn: null }],
  };

  it('counts each figure as the data dictionary says', () => {
    const c = figuresFrom(rows, 2026, '2026-12-01');
    expect(c).toEqual({
      received: 3,
      receivedByArea: { housing: 2, planning: 1 },
      decided: 7,
      notForUs: 2,
      assessedAndClosed: 1,
      investigated: 4,
      upheld: 3,
      satisfactoryRemedy: 1,
      remediesDue: 4,
      remediesComplied: 3,
      remediesCompliedLate: 1,
      publicReports: 1,
    });
  });

  it('says how a count changed on the year before', () => {
    expect(changeInWords(12, 9)).toBe('up 3 from 9');
    expect(changeInWords(2, 9)).toBe('down 7 from 9');
    expect(changeInWords(5, 5)).toBe('same as the year before (5)');
    expect(changeInWords(5, null)).toBe('no figures for the year before');
  });
});
