import { describe, expect, it } from 'vitest';
import {
  canMove,
  firstStatus,
  formatReference,
  normaliseReference,
  stepReason,
  STATUSES,
  toldToAuthority,
  stepsTo,
} from './domain.ts';
import { assessmentClock, lateRule, monthsBefore, prematureRule } from './rules.ts';
import { shownActor } from './status-actors.ts';

describe('references', () => {
  it('are the two-digit year and a six-digit sequence in threes', () => {
    expect(formatReference(26, 1234)).toBe('26 001 234');
    expect(formatReference(2031, 999_999)).toBe('31 999 999');
    expect(() => formatReference(26, 1_000_000)).toThrow(RangeError);
    expect(normaliseReference('26001234')).toBe('26 001 234');
    expect(normaliseReference('26-001-234')).toBe('26 001 234');
    expect(normaliseReference('2600123')).toBeNull();
  });
});

describe('the premature rule', () => {
  const base = { receivedOn: '2026-06-10', authorityProcessFinished: false, awareOn: null, careProvider: false };
  it('applies while the authority’s 12 weeks are running, and not once they have passed or the process finished', () => {
    expect(prematureRule({ ...base, authorityComplainedOn: '2026-05-01' }).applies).toBe(true);
    expect(prematureRule({ ...base, authorityComplainedOn: '2026-03-18' }).applies).toBe(false);
    expect(prematureRule({ ...base, authorityComplainedOn: null }).applies).toBe(true);
    expect(prematureRule({ ...base, authorityProcessFinished: true, authorityComplainedOn: null }).applies).toBe(false);
  });
  it('speaks of the referral back for a care provider', () => {
    expect(prematureRule({ ...base, careProvider: true, authorityComplainedOn: '2026-05-01' }).explanation).toContain(
      'referred back',
    );
  });
});

describe('the late rule', () => {
  it('applies more than 12 months after they knew of the matter', () => {
    expect(lateRule({ receivedOn: '2026-06-10', awareOn: '2025-06-09' }).applies).toBe(true);
    expect(lateRule({ receivedOn: '2026-06-10', awareOn: '2025-06-10' }).applies).toBe(false);
    expect(lateRule({ receivedOn: '2026-06-10', awareOn: null }).applies).toBe(false);
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
  });
});

describe('statuses and the assessment clock', () => {
  it('moves forward and closes from any open status, never reopens', () => {
    expect(canMove('intake', 'assessment')).toBe(true);
    expect(canMove('assessment', 'closed')).toBe(true);
    expect(canMove('investigation', 'assessment')).toBe(false);
    expect(canMove('closed', 'investigation')).toBe(false);
  });
  it('never skips intake: a received case passes through it on the way to any later status', () => {
    expect(canMove('received', 'intake')).toBe(true);
    expect(canMove('received', 'assessment')).toBe(false);
    expect(stepsTo('received', 'intake')).toEqual(['intake']);
    expect(stepsTo('received', 'assessment')).toEqual(['intake', 'assessment']);
    expect(stepsTo('received', 'closed')).toEqual(['intake', 'closed']);
    expect(stepsTo('intake', 'assessment')).toEqual(['assessment']);
    expect(stepsTo('received', 'decision')).toBeNull();
    expect(stepsTo('assessment', 'intake')).toBeNull();
  });
  it('never skips assessment on the way to investigation, nor when an assessment decision closes a case', () => {
    expect(canMove('intake', 'investigation')).toBe(false);
    expect(stepsTo('intake', 'investigation')).toEqual(['assessment', 'investigation']);
    expect(stepsTo('received', 'investigation')).toEqual(['intake', 'assessment', 'investigation']);
    expect(stepsTo('assessment', 'investigation')).toEqual(['investigation']);
    // Intake itself closes a case (as premature) without assessment; an assessment decision goes through it.
    expect(stepsTo('intake', 'closed')).toEqual(['closed']);
    expect(stepsTo('intake', 'closed', 'assessment')).toEqual(['assessment', 'closed']);
    expect(stepsTo('received', 'closed', 'assessment')).toEqual(['intake', 'assessment', 'closed']);
    expect(stepsTo('assessment', 'closed', 'assessment')).toEqual(['closed']);
    expect(stepsTo('intake', 'assessment', 'assessment')).toEqual(['assessment']);
    expect(stepsTo('investigation', 'closed', 'assessment')).toBeNull();
    // Later stages are untouched: decisions move a case on one status at a time.
    expect(stepsTo('investigation', 'decision')).toEqual(['decision']);
    expect(stepsTo('decision', 'remedy')).toEqual(['remedy']);
    expect(stepsTo('remedy', 'closed')).toEqual(['closed']);
    expect(stepsTo('intake', 'decision')).toBeNull();
    expect(stepReason('intake')).toBe('Intake checks started');
    expect(stepReason('assessment')).toBe('Assessment started');
  });
  it('starts a complaint an intake officer records at intake, and one that arrives on its own at received', () => {
    expect(firstStatus(true)).toBe('intake');
    expect(firstStatus(false)).toBe('received');
  });
  it('counts working days against the target', () => {
    expect(assessmentClock(12, 20)).toMatchObject({ text: '12 of 20 working days', aged: true, overTarget: false });
    expect(assessmentClock(3, 20).aged).toBe(false);
    expect(assessmentClock(21, 20).overTarget).toBe(true);
  });
});

describe('who made a status change', () => {
  const row = {
    changed_by_type: null,
    changed_by: null,
    changed_by_name: null,
    changed_by_token_name: null,
  } as const;
  it('shows a person by name, a token by its name and the system as the system, to staff only', () => {
    expect(shownActor({ ...row, changed_by_type: 'user', changed_by: 'u1', changed_by_name: 'Iris Intake' })).toEqual({
      role: 'Ombudsman',
      by: 'Iris Intake',
    });
    expect(shownActor({ ...row, changed_by_type: 'token', changed_by_token_name: 'Case system' })).toEqual({
      role: 'Ombudsman',
      by: 'API token ‘Case system’',
    });
    expect(shownActor({ ...row, changed_by_type: 'token' })).toEqual({ role: 'Ombudsman', by: 'API token' });
    expect(shownActor({ ...row, changed_by_type: 'system' })).toEqual({ role: 'Ombudsman', by: 'System' });
    // A person whose account has since been deleted is still not the online form.
    expect(shownActor({ ...row, changed_by_type: 'user' })).toEqual({ role: 'Ombudsman', by: null });
  });
  it('shows only the public form as the online form, and older rows as they always were', () => {
    expect(shownActor({ ...row, changed_by_type: 'public-form' })).toEqual({ role: 'Online form', by: 'Online form' });
    expect(shownActor(row)).toEqual({ role: 'Online form', by: 'Online form' });
    expect(shownActor({ ...row, changed_by: 'u1', changed_by_name: 'Iris Intake' })).toEqual({
      role: 'Ombudsman',
      by: 'Iris Intake',
    });
  });
});

describe('toldToAuthority', () => {
  it('tells the authority of a case from investigation on, or once documents were asked of it, never of an invalid or out-of-jurisdiction one', () => {
    const told = (status: (typeof STATUSES)[number], documentsRequested = false) =>
      toldToAuthority({ status, outcome: status === 'closed' ? 'premature' : null, documentsRequested });
    expect(STATUSES.filter((s) => told(s))).toEqual(['investigation', 'decision', 'remedy', 'closed']);
    expect(STATUSES.filter((s) => told(s, true))).toEqual(STATUSES);
    for (const outcome of ['invalid', 'out-of-jurisdiction'] as const)
      for (const documentsRequested of [false, true])
        expect(toldToAuthority({ status: 'closed', outcome, documentsRequested })).toBe(false);
    expect(toldToAuthority({ status: 'closed', outcome: 'not-investigated', documentsRequested: false })).toBe(true);
  });
});
