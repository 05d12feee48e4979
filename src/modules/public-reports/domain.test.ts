import { describe, expect, it } from 'vitest';
import {
  addMonths,
  planSteps,
  reminderThresholds,
  remindersOwed,
  satisfactionBlocker,
  sectionsFromText,
} from './domain.ts';

describe('statutory steps', () => {
  it('are due two weeks, then three weeks of inspection, then three months after the report', () => {
    expect(planSteps('2027-02-15').map((s) => [s.kind, s.dueOn])).toEqual([
      ['public-notice', '2027-03-01'],
      ['public-inspection', '2027-03-22'],
      ['consideration', '2027-05-15'],
      ['notification', '2027-05-15'],
    ]);
    expect(planSteps('2027-02-15', { noticeDays: 7, inspectionDays: 21, responseMonths: 3 })[0]?.dueOn).toBe(
      '2027-02-22',
    );
  });

  it('three months after 30 November is the last day of February', () => {
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2027-10-31', 3)).toBe('2028-01-31');
  });

  it('a letter of satisfaction waits for every step of the round', () => {
    expect(satisfactionBlocker('draft', [])).toBe('The final report has not been issued yet');
    expect(
      satisfactionBlocker('final', [
        { kind: 'public-notice', dueOn: '2027-03-01', completedOn: '2027-03-02' },
        { kind: 'consideration', dueOn: '2027-05-15', completedOn: null },
      ]),
    ).toBe('Statutory steps are still outstanding: Consideration by the authority');
  });

  it('reminds in the week before, then overdue, then escalates after two weeks', () => {
    const t = (today: string) => reminderThresholds(today, 7, 14);
    expect(remindersOwed('2027-03-01', t('2027-02-21'))).toEqual([]);
    expect(remindersOwed('2027-03-01', t('2027-02-22'))).toEqual(['before-due']);
    expect(remindersOwed('2027-03-01', t('2027-03-02'))).toEqual(['overdue']);
    expect(remindersOwed('2027-03-01', t('2027-03-15'))).toEqual(['overdue', 'escalated']);
  });
});

describe('a report given as one text', () => {
  it('is split at the section headings', () => {
    expect(
      sectionsFromText('The complaint\nDamp.\nWhat I found\nFault.\nProposed remedy\nSorry.\nDraft decision\nUpheld.'),
    ).toEqual({
      complaint: 'Damp.',
      findings: 'Fault.',
      proposedRemedy: 'Sorry.',
      decision: 'Upheld.',
    });
  });
  it('without headings is the findings', () => {
    expect(sectionsFromText('All of it.').findings).toBe('All of it.');
  });
});
