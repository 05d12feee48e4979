import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime } from './dates.ts';

describe('dates in the GOV.UK style', () => {
  it('shows calendar dates and London times, with 12pm for noon and 12am for midnight', () => {
    expect(formatDate('2026-12-18')).toBe('18 December 2026');
    expect(formatDate(new Date('2026-12-18T23:30:00Z'))).toBe('18 December 2026');
    expect(formatDate(new Date('2026-06-18T23:30:00Z'))).toBe('19 June 2026');
    expect(formatTime(new Date('2026-12-18T09:30:00Z'))).toBe('9:30am');
    expect(formatTime(new Date('2026-12-18T12:00:00Z'))).toBe('12pm');
    expect(formatTime(new Date('2026-12-18T00:00:00Z'))).toBe('12am');
    expect(formatTime(new Date('2026-06-18T11:05:00Z'))).toBe('12:05pm');
    expect(formatDateTime(new Date('2026-12-18T00:00:00Z'))).toBe('18 December 2026, 12am');
    expect(formatDate('not a date')).toBe('');
  });
});
