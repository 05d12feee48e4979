import { describe, expect, it } from 'vitest';
import { workingCalendar } from '../../platform/calendar/calendar.ts';
import {
  CODE_STAGES,
  STATUTORY_STAGES,
  dueState,
  nextDue,
  stageClock,
  stagesFor,
  working,
  type RecordState,
} from './domain.ts';
import { applyEvent, openedStage, stageFinding, type Applied } from './events.ts';

const cal = workingCalendar();
const STAGE1 = CODE_STAGES[0] ?? { name: 'Stage 1', acknowledgeDays: 5, respondDays: 10, maxExtensionDays: 10 };
const first = <T>(list: readonly T[]): T => {
  const [head] = list;
  if (head === undefined) throw new Error('empty');
  return head;
};
const fresh = (receivedOn: string, handler: string | null = 'Ann'): RecordState => ({
  receivedOn,
  stage: 1,
  closedOn: null,
  stages: [openedStage(1, receivedOn, handler)],
});
const must = (r: Applied | { errors: { message: string }[] }): Applied => {
  if ('errors' in r) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r;
};

describe('the Code’s clocks', () => {
  it('counts working days past weekends and bank holidays, and shows the days skipped', () => {
    // Received Wednesday 22 December 2027: Christmas and Boxing Day fall at a weekend, with substitute days.
    const clock = stageClock(cal, STAGE1, openedStage(1, '2027-12-22', null));
    expect(clock.acknowledge.date).toBe('2027-12-31');
    expect(working(clock.acknowledge)).toContain('not counted: Saturday 25 December 2027, Sunday 26 December 2027');
    expect(working(clock.acknowledge)).toContain('Christmas Day (substitute day) 27 December 2027');
  });

  it('counts the response from the acknowledgement, and adds the extension', () => {
    let r = fresh('2027-02-01');
    const acked = must(applyEvent(CODE_STAGES, r, { type: 'acknowledged', on: '2027-02-03' }, '2027-03-01'));
    r = { ...r, stages: acked.stages };
    expect(stageClock(cal, STAGE1, first(r.stages)).respond.date).toBe('2027-02-17');
    const ext = must(
      applyEvent(
        CODE_STAGES,
        r,
        { type: 'extended', on: '2027-02-10', extensionWorkingDays: 10, reason: 'x' },
        '2027-03-01',
      ),
    );
    expect(stageClock(cal, STAGE1, first(ext.stages)).respond.date).toBe('2027-03-03');
    expect(nextDue(cal, CODE_STAGES, { ...r, stages: ext.stages })).toBe('2027-03-03');
  });

  it('refuses what the Code does not allow', () => {
    const r = fresh('2027-02-01');
    const fail = (e: Parameters<typeof applyEvent>[2], state = r) => {
      const out = applyEvent(CODE_STAGES, state, e, '2027-03-01');
      return 'errors' in out ? out.errors[0]?.message : 'allowed';
    };
    expect(fail({ type: 'acknowledged', on: '2027-01-31' })).toContain(
      'on or after the day the complaint was received',
    );
    expect(fail({ type: 'acknowledged', on: '2027-03-02' })).toContain('today or in the past');
    expect(fail({ type: 'extended', on: '2027-02-02', extensionWorkingDays: 11, reason: 'x' })).toContain('at most 10');
    expect(fail({ type: 'extended', on: '2027-02-02', extensionWorkingDays: 5, reason: ' ' })).toContain('reason');
    expect(fail({ type: 'escalated', on: '2027-02-02', handler: 'Bo' })).toContain('only after the stage 1 response');
    const answered = {
      ...r,
      stages: must(applyEvent(CODE_STAGES, r, { type: 'responded', on: '2027-02-10' }, '2027-03-01')).stages,
    };
    expect(fail({ type: 'escalated', on: '2027-02-11', handler: 'ANN' }, answered)).toContain('different person');
    expect(fail({ type: 'escalated', on: '2027-02-11' }, answered)).toContain('Enter the stage 2 handler');
    expect(fail({ type: 'escalated', on: '2027-02-11', handler: 'Bo' }, answered)).toBe('allowed');
    const closed = { ...r, closedOn: '2027-02-20' };
    expect(fail({ type: 'acknowledged', on: '2027-02-21' }, closed)).toContain('closed');
  });

  it('uses the statutory routes and the kind of authority', () => {
    expect(stagesFor('london-borough', null)).toBe(CODE_STAGES);
    expect(stagesFor('care-provider', null)).toHaveLength(1);
    expect(stagesFor('county', 'childrens-social-care')).toBe(STATUTORY_STAGES['childrens-social-care']);
    expect(STATUTORY_STAGES['childrens-social-care']).toHaveLength(3);
    const r = fresh('2027-02-01');
    const answered = {
      ...r,
      stages: must(
        applyEvent(STATUTORY_STAGES['adult-social-care'], r, { type: 'responded', on: '2027-02-10' }, '2027-03-01'),
      ).stages,
    };
    const out = applyEvent(
      STATUTORY_STAGES['adult-social-care'],
      answered,
      { type: 'escalated', on: '2027-02-11', handler: 'Bo' },
      '2027-03-01',
    );
    expect('errors' in out).toBe(true);
  });
});

describe('findings and badges', () => {
  it('says where the process stands for the premature check', () => {
    const r = fresh('2027-02-01');
    expect(stageFinding(cal, CODE_STAGES, r, '2027-03-01').text).toBe(
      'Stage 1 acknowledgement overdue by 15 working days (due 8 February 2027).',
    );
    const answered: RecordState = {
      ...r,
      stage: 2,
      stages: [
        { ...openedStage(1, '2027-02-01', 'Ann'), respondedOn: '2027-02-10' },
        { ...openedStage(2, '2027-02-11', 'Bo'), acknowledgedOn: '2027-02-12', respondedOn: '2027-03-03' },
      ],
    };
    expect(stageFinding(cal, CODE_STAGES, answered, '2027-03-10')).toEqual({
      finished: true,
      text: 'Stage 2 response sent 3 March 2027: the authority’s process has finished.',
    });
  });

  it('badges due soon within three working days and overdue after the day', () => {
    expect(dueState(cal, '2027-03-04', '2027-03-01')).toBe('due-soon');
    expect(dueState(cal, '2027-03-10', '2027-03-01')).toBe('on-track');
    expect(dueState(cal, '2027-02-26', '2027-03-01')).toBe('overdue');
    expect(dueState(cal, null, '2027-03-01')).toBeNull();
  });
});
