import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  bankHolidays,
  isWorkingDay,
  londonDate,
  nonWorkingReason,
  workingCalendar,
  workingDaysBetween,
  addDays,
} from './calendar.ts';

describe('England and Wales bank holidays', () => {
  it('lists the 2026 bank holidays, with the Boxing Day substitute and not the Saturday itself', () => {
    expect(bankHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(bankHolidays(2026).find((h) => h.date === '2026-12-28')?.name).toBe('Boxing Day (substitute day)');
  });

  it('lists the 2027 bank holidays, with both Christmas substitutes', () => {
    expect(bankHolidays(2027).map((h) => h.date)).toEqual([
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-08-30',
      '2027-12-27',
      '2027-12-28',
    ]);
  });

  it('follows Easter: Good Friday and Easter Monday move with it', () => {
    expect(nonWorkingReason('2026-04-03')).toEqual({ date: '2026-04-03', reason: 'bank-holiday', name: 'Good Friday' });
    expect(nonWorkingReason('2027-03-29')?.name).toBe('Easter Monday');
    expect(isWorkingDay('2027-04-05')).toBe(true);
  });

  it('makes substitute days non-working and says why', () => {
    expect(nonWorkingReason('2027-12-27')).toEqual({
      date: '2027-12-27',
      reason: 'bank-holiday',
      name: 'Christmas Day (substitute day)',
    });
    expect(nonWorkingReason('2027-12-25')).toEqual({ date: '2027-12-25', reason: 'weekend', name: 'Saturday' });
  });
});

describe('working days', () => {
  it('counts 20 working days from 11 December 2026 to 13 January 2027 and shows the days skipped', () => {
    const result = addWorkingDays('2026-12-11', 20);
    expect(result.date).toBe('2027-01-13');
    const holidays = result.skipped.filter((d) => d.reason === 'bank-holiday');
    expect(holidays.map((d) => [d.date, d.name])).toEqual([
      ['2026-12-25', 'Christmas Day'],
      ['2026-12-28', 'Boxing Day (substitute day)'],
      ['2027-01-01', "New Year's Day"],
    ]);
    expect(result.skipped.filter((d) => d.reason === 'weekend')).toHaveLength(10);
    expect(workingDaysBetween('2026-12-11', '2027-01-13')).toBe(20);
  });

  it('starts counting the day after the start day, even when the start day is not a working day', () => {
    expect(addWorkingDays('2026-06-06', 1).date).toBe('2026-06-08'); // Saturday → Monday
    expect(addWorkingDays('2026-06-08', 0)).toEqual({ date: '2026-06-08', skipped: [] });
    expect(addWorkingDays('2026-06-05', 1)).toEqual({
      date: '2026-06-08',
      skipped: [
        { date: '2026-06-06', reason: 'weekend', name: 'Saturday' },
        { date: '2026-06-07', reason: 'weekend', name: 'Sunday' },
      ],
    });
  });

  it('skips extra closure days from the configuration', () => {
    const calendar = workingCalendar(['2026-12-29', '2026-12-30', '2026-12-31']);
    expect(calendar.isWorkingDay('2026-12-29')).toBe(false);
    expect(calendar.nonWorkingReason('2026-12-30')).toEqual({
      date: '2026-12-30',
      reason: 'closure',
      name: 'Office closed',
    });
    const result = calendar.addWorkingDays('2026-12-24', 1);
    expect(result.date).toBe('2027-01-04');
    expect(result.skipped.map((d) => d.reason)).toEqual([
      'bank-holiday',
      'weekend',
      'weekend',
      'bank-holiday',
      'closure',
      'closure',
      'closure',
      'bank-holiday',
      'weekend',
      'weekend',
    ]);
    expect(isWorkingDay('2026-12-29')).toBe(true); // without the closures
  });

  it('counts working days between two dates in either order', () => {
    expect(workingDaysBetween('2026-06-01', '2026-06-05')).toBe(4);
    expect(workingDaysBetween('2026-06-05', '2026-06-01')).toBe(-4);
    expect(workingDaysBetween('2026-06-05', '2026-06-05')).toBe(0);
  });

  it('agrees with walking the calendar day by day, across years, holidays and closures', () => {
    const closures = ['2026-12-29', '2026-12-30', '2027-06-05', '2025-08-26'];
    const walk = (start: string, end: string) => {
      let n = 0;
      for (let d = addDays(start, 1); d <= end; d = addDays(d, 1)) if (isWorkingDay(d, { closures })) n++;
      return n;
    };
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let i = 0; i < 300; i++) {
      const start = addDays('2024-01-01', next() % 1200);
      const end = addDays(start, next() % 500);
      expect(workingDaysBetween(start, end, { closures }), `${start} to ${end}`).toBe(walk(start, end));
    }
  });

  it('refuses dates that are not real calendar dates', () => {
    expect(() => addWorkingDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => workingCalendar(['31/12/2026'])).toThrow(RangeError);
  });
});

describe('London calendar date of an instant', () => {
  it('is the UTC date in winter (GMT)', () => {
    expect(londonDate(new Date('2026-01-15T23:59:59Z'))).toBe('2026-01-15');
    expect(londonDate(new Date('2026-01-16T00:00:00Z'))).toBe('2026-01-16');
  });

  it('moves to the next day at 23:00 UTC in summer (BST)', () => {
    expect(londonDate(new Date('2026-07-15T22:59:59Z'))).toBe('2026-07-15');
    expect(londonDate(new Date('2026-07-15T23:00:00Z'))).toBe('2026-07-16');
  });

  it('handles the nights the clocks change', () => {
    // Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October 2026.
    expect(londonDate(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-28');
    expect(londonDate(new Date('2026-03-29T23:30:00Z'))).toBe('2026-03-30');
    expect(londonDate(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25');
    expect(londonDate(new Date('2026-10-25T23:30:00Z'))).toBe('2026-10-25');
  });

  it('gives the same answers when asked again, minute by minute through a day in summer', () => {
    const start = Date.parse('2026-07-15T00:00:00Z');
    for (let pass = 0; pass < 2; pass++) {
      for (let minute = 0; minute < 24 * 60; minute += 7) {
        const instant = new Date(start + minute * 60_000);
        expect(londonDate(instant)).toBe(instant.getUTCHours() >= 23 ? '2026-07-16' : '2026-07-15');
      }
    }
  });
});
