import { describe, expect, it } from 'vitest';
import { averageRating, bookingRefusal, londonInstant, londonTime, priceText } from './domain.ts';

describe('London times', () => {
  it('reads a wall-clock time in winter and in summer', () => {
    expect(londonInstant('2027-01-15', '09:30')?.toISOString()).toBe('2027-01-15T09:30:00.000Z');
    expect(londonInstant('2027-07-15', '09:30')?.toISOString()).toBe('2027-07-15T08:30:00.000Z');
  });

  it('has no time in the hour the clocks skip, and takes the first of the hour they repeat', () => {
    expect(londonInstant('2027-03-28', '01:30')).toBeNull();
    expect(londonInstant('2027-10-31', '01:30')?.toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });

  it('refuses times that are not times', () => {
    expect(londonInstant('2027-01-15', '25:00')).toBeNull();
    expect(londonInstant('2027-01-15', 'noon')).toBeNull();
  });

  it('shows an instant as London time', () => {
    expect(londonTime(new Date('2027-07-15T08:30:00Z'))).toBe('09:30');
  });
});

describe('booking rules', () => {
  const session = {
    startsAt: new Date('2027-02-01T10:00:00Z'),
    bookingClosesAt: new Date('2027-01-25T17:00:00Z'),
    cancelledAt: null,
  };

  it('takes bookings until booking closes', () => {
    expect(bookingRefusal(session, new Date('2027-01-20T10:00:00Z'))).toBeNull();
    expect(bookingRefusal(session, new Date('2027-01-26T10:00:00Z'))).toBe('Booking for this session has closed');
    expect(bookingRefusal(session, new Date('2027-02-02T10:00:00Z'))).toBe('This session has already taken place');
    expect(bookingRefusal({ ...session, cancelledAt: new Date() }, new Date('2027-01-20T10:00:00Z'))).toBe(
      'This session has been cancelled',
    );
  });

  it('shows prices and ratings as people read them', () => {
    expect(priceText(0)).toBe('Free');
    expect(priceText(4500)).toBe('£45.00');
    expect(averageRating([])).toBeNull();
    expect(averageRating([5, 4, 4])).toBe(4.3);
  });
});
