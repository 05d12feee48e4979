import { describe, expect, it } from 'vitest';
import { workingCalendar } from '../../platform/calendar/calendar.ts';
import { agreedDueDate, checkProposals, complianceRates, remindersDue, sweepThresholds } from './domain.ts';

const calendar = workingCalendar();

describe('checking proposed remedies', () => {
  it('accepts a due date of today, a number of working days, or neither (the default applies)', () => {
    expect(
      checkProposals(
        [
          { type: 'apology', description: 'Apologise in writing to Mrs B.', dueDate: '2026-12-11' },
          { type: 'financial', description: 'Pay Mrs B £300 for distress.', amountPence: 30_000, dueInWorkingDays: 20 },
          { type: 'service-improvement', description: 'Review the damp reporting procedure.' },
        ],
        '2026-12-11',
      ),
    ).toEqual([]);
  });

  it('refuses both a date and working days, an amount on an apology, and an impossible date', () => {
    const problems = checkProposals(
      [
        { type: 'apology', description: 'Apologise in writing to Mrs B.', dueDate: '2027-01-08', dueInWorkingDays: 5 },
        { type: 'apology', description: 'Apologise in writing to Mrs B.', amountPence: 100 },
        { type: 'other-action', description: 'Reassess the housing need.', dueDate: '2027-02-30' },
        { type: 'other-action', description: 'Reassess the housing need.', dueInWorkingDays: 0 },
      ],
      '2026-12-11',
    );
    expect(problems.map((p) => p.field)).toEqual([
      'remedies.0.dueDate',
      'remedies.1.amount',
      'remedies.2.dueDate',
      'remedies.3.dueInWorkingDays',
    ]);
  });
});

describe('due dates and reminders', () => {
  it('counts working days from the decision, skipping Christmas and New Year', () => {
    expect(agreedDueDate(calendar, '2026-12-11', { dueOn: null, workingDays: null }, 20).dueOn).toBe('2027-01-13');
    expect(agreedDueDate(calendar, '2026-12-11', { dueOn: '2027-02-01', workingDays: null }, 20).dueOn).toBe(
      '2027-02-01',
    );
  });

  it('reminds within five working days before, then when late, and escalates ten working days late', () => {
    const settings = { reminderWorkingDays: 5, escalationWorkingDays: 10 };
    expect(remindersDue('2027-01-13', sweepThresholds(calendar, '2027-01-05', settings))).toEqual([]);
    expect(remindersDue('2027-01-13', sweepThresholds(calendar, '2027-01-06', settings))).toEqual(['before-due']);
    expect(remindersDue('2027-01-13', sweepThresholds(calendar, '2027-01-13', settings))).toEqual([]);
    expect(remindersDue('2027-01-13', sweepThresholds(calendar, '2027-01-14', settings))).toEqual(['overdue']);
    expect(remindersDue('2027-01-13', sweepThresholds(calendar, '2027-01-27', settings))).toEqual([
      'overdue',
      'escalated-manager',
    ]);
  });
});

describe('rates', () => {
  it('are whole percentages of the remedies counted, or none when nothing fell due', () => {
    expect(complianceRates({ counted: 3, complied: 2, onTime: 1 })).toMatchObject({
      complianceRate: 67,
      onTimeRate: 33,
    });
    expect(complianceRates({ counted: 0, complied: 0, onTime: 0 })).toMatchObject({
      complianceRate: null,
      onTimeRate: null,
    });
  });
});
