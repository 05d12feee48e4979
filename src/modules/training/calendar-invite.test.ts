import { describe, expect, it } from 'vitest';
import { sessionInvite } from './calendar-invite.ts';
import { londonInstant } from './domain.ts';

const invite = (date: string, start: string, end: string, cancelled = false) =>
  sessionInvite(
    {
      uid: 'session-1@liaison',
      title: 'Effective complaint handling',
      startsAt: londonInstant(date, start) as Date,
      endsAt: londonInstant(date, end) as Date,
      location: 'Online',
      description: 'Joining instructions',
      organiser: { name: 'Ombudsman training', email: 'training@ombudsman.example' },
    },
    { now: new Date('2027-01-04T09:00:00Z'), cancelled },
  );

const line = (text: string, name: string) => text.split('\r\n').find((l) => l.startsWith(`${name}:`));

describe('the calendar file of a session', () => {
  it('puts a winter session at its London time, which is UTC', () => {
    const text = invite('2027-03-26', '10:00', '12:30');
    expect(line(text, 'DTSTART')).toBe('DTSTART:20270326T100000Z');
    expect(line(text, 'DTEND')).toBe('DTEND:20270326T123000Z');
  });

  it('puts a session after the clocks go forward an hour earlier in UTC', () => {
    const text = invite('2027-03-29', '10:00', '12:30');
    expect(line(text, 'DTSTART')).toBe('DTSTART:20270329T090000Z');
    expect(line(text, 'DTEND')).toBe('DTEND:20270329T113000Z');
  });

  it('puts a session after the clocks go back at its London time again', () => {
    expect(line(invite('2027-10-29', '09:30', '11:00'), 'DTSTART')).toBe('DTSTART:20271029T083000Z');
    expect(line(invite('2027-11-01', '09:30', '11:00'), 'DTSTART')).toBe('DTSTART:20271101T093000Z');
  });

  it('describes the session and marks a cancellation as one', () => {
    const text = invite('2027-03-29', '10:00', '12:30');
    expect(line(text, 'SUMMARY')).toBe('SUMMARY:Effective complaint handling');
    expect(line(text, 'METHOD')).toBe('METHOD:PUBLISH');
    const cancelled = invite('2027-03-29', '10:00', '12:30', true);
    expect(line(cancelled, 'METHOD')).toBe('METHOD:CANCEL');
    expect(line(cancelled, 'STATUS')).toBe('STATUS:CANCELLED');
  });
});
