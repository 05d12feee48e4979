import { describe, expect, it } from 'vitest';
import { workingCalendar } from '../../platform/calendar/calendar.ts';
import {
  deadlineAfter,
  extendedDeadline,
  onTimeRate,
  remindersDue,
  showWorking,
  sweepThresholds,
  urgency,
  workingDaysBefore,
} from './domain.ts';

const calendar = workingCalendar();
const settings = {
  dueWorkingDays: { enquiry: 20, 'document-request': 10 },
  reminderWorkingDays: 5,
  escalationWorkingDays: 5,
};

describe('enquiry deadlines', () => {
  it('sent on Friday 11 December 2026, 20 working days on is Wednesday 13 January 2027', () => {
    const d = deadlineAfter(calendar, '2026-12-11', 20, 'default');
    expect(d.dueDate).toBe('2027-01-13');
    expect(d.rule).toEqual({
      ruleId: 'working-days-after-start',
      basis: 'default',
      workingDays: 20,
      startDate: '2026-12-11',
      holidaySet: 'england-and-wales',
      closures: [],
    });
    const holidays = d.skipped.filter((s) => s.reason === 'bank-holiday');
    expect(holidays.map((h) => [h.date, h.name])).toEqual([
      ['2026-12-25', 'Christmas Day'],
      ['2026-12-28', 'Boxing Day (substitute day)'],
      ['2027-01-01', "New Year's Day"],
    ]);
    expect(d.skipped.filter((s) => s.reason === 'weekend')).toHaveLength(10);
  });

  it('shows closures as skipped days and moves the date on', () => {
    const closed = workingCalendar(['2026-12-29', '2026-12-30', '2026-12-31']);
    const d = deadlineAfter(closed, '2026-12-11', 20, 'default');
    expect(d.dueDate).toBe('2027-01-18');
    expect(d.rule.closures).toEqual(['2026-12-29', '2026-12-30', '2026-12-31']);
    expect(showWorking(closed, d.rule).filter((s) => s.reason === 'closure')).toHaveLength(3);
  });

  it('a document request defaults to fewer working days', () => {
    expect(deadlineAfter(calendar, '2026-12-11', 10, 'default').dueDate).toBe('2026-12-29');
  });
});

describe('extensions', () => {
  it('adds working days to the current due date', () => {
    const r = extendedDeadline(calendar, '2027-01-13', { kind: 'working-days', workingDays: 10 });
    expect(r.ok && r.deadline.dueDate).toBe('2027-01-27');
    expect(r.ok && r.deadline.rule.basis).toBe('extension-working-days');
  });

  it('accepts a given working day after the current date and records the working days it gives', () => {
    const r = extendedDeadline(calendar, '2027-01-13', { kind: 'date', date: '2027-01-20' });
    expect(r.ok && r.deadline.dueDate).toBe('2027-01-20');
    expect(r.ok && r.deadline.rule.workingDays).toBe(5);
  });

  it('refuses a date on or before the current due date, a weekend or a bank holiday, and silly numbers', () => {
    expect(extendedDeadline(calendar, '2027-01-13', { kind: 'date', date: '2027-01-13' })).toMatchObject({
      ok: false,
      field: 'newDate',
    });
    expect(extendedDeadline(calendar, '2027-01-13', { kind: 'date', date: '2027-01-16' })).toMatchObject({
      ok: false,
      message: 'The new due date must be a working day (Saturday)',
    });
    expect(extendedDeadline(calendar, '2027-03-20', { kind: 'date', date: '2027-03-26' })).toMatchObject({
      ok: false,
      message: 'The new due date must be a working day (Good Friday)',
    });
    expect(extendedDeadline(calendar, '2027-01-13', { kind: 'working-days', workingDays: 0 })).toMatchObject({
      ok: false,
      field: 'workingDays',
    });
  });
});

describe('reminders and escalation', () => {
  it('counts working days backwards over a bank holiday', () => {
    expect(workingDaysBefore(calendar, '2027-01-04', 2)).toBe('2026-12-30');
    expect(workingDaysBefore(calendar, '2027-01-13', 0)).toBe('2027-01-13');
  });

  it('reminds five working days before, on the day, then escalates to link officers and the chief executive', () => {
    const enquiry = { dueDate: '2027-01-13', workingDays: 20 };
    const on = (day: string) => remindersDue(enquiry, sweepThresholds(calendar, day, settings));
    expect(on('2027-01-05')).toEqual([]);
    expect(on('2027-01-06')).toEqual(['before-due']);
    expect(on('2027-01-13')).toEqual(['due-today']);
    expect(on('2027-01-14')).toEqual(['overdue']);
    expect(on('2027-01-19')).toEqual(['overdue']);
    expect(on('2027-01-20')).toEqual(['overdue', 'escalated-chief-executive']);
  });

  it('sends no "due soon" reminder for an enquiry given fewer working days than the window', () => {
    const t = sweepThresholds(calendar, '2027-01-11', settings);
    expect(remindersDue({ dueDate: '2027-01-13', workingDays: 3 }, t)).toEqual([]);
  });

  it('tags urgency and rates on-time work', () => {
    expect(urgency('2027-01-12', '2027-01-13', '2027-01-20')).toBe('overdue');
    expect(urgency('2027-01-13', '2027-01-13', '2027-01-20')).toBe('due-today');
    expect(urgency('2027-01-18', '2027-01-13', '2027-01-20')).toBe('due-soon');
    expect(urgency('2027-02-18', '2027-01-13', '2027-01-20')).toBe('on-track');
    expect(onTimeRate(0, 0)).toBeNull();
    expect(onTimeRate(3, 2)).toBe(67);
  });
});
