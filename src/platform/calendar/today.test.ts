import { describe, expect, it } from 'vitest';
import { FixedClock } from '../clock.ts';
import { workingCalendar } from './calendar.ts';
import { londonToday } from './today.ts';

describe('londonToday', () => {
  it('is the date in London by the clock, in summer time and in winter', () => {
    expect(londonToday({ clock: new FixedClock(new Date('2026-06-30T23:30:00Z')) })).toBe('2026-07-01');
    expect(londonToday({ clock: new FixedClock(new Date('2026-12-31T23:30:00Z')) })).toBe('2026-12-31');
  });

  it("asks the caller's calendar when it has one", () => {
    const clock = new FixedClock(new Date('2026-06-30T23:30:00Z'));
    expect(londonToday({ clock, calendar: workingCalendar() })).toBe('2026-07-01');
    expect(londonToday({ clock, calendar: { londonDate: () => '2000-01-01' } })).toBe('2000-01-01');
  });
});
