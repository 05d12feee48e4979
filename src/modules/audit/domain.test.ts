import { describe, expect, it } from 'vitest';
import { auditRole } from './acting-role.ts';
import { auditActorText, endOfLondonDay, readDateParts, startOfLondonDay } from './domain.ts';

describe('London days', () => {
  it('start at midnight London time, in winter and in summer', () => {
    expect(startOfLondonDay('2026-01-15').toISOString()).toBe('2026-01-15T00:00:00.000Z');
    expect(startOfLondonDay('2026-06-15').toISOString()).toBe('2026-06-14T23:00:00.000Z');
  });

  it('end where the next day starts, across the clock changes', () => {
    // Clocks go forward on 29 March 2026 and back on 25 October 2026.
    expect(endOfLondonDay('2026-03-28').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(endOfLondonDay('2026-03-29').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(endOfLondonDay('2026-10-25').toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(endOfLondonDay('2026-12-31').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('reading a GOV.UK date input', () => {
  const read = (day: string, month: string, year: string) => readDateParts({ day, month, year }, 'Date from', 'from');

  it('reads a real date, and nothing from three empty boxes', () => {
    expect(read('5', '4', '2026')).toEqual({ date: '2026-04-05', error: null });
    expect(read(' 29', '02 ', '2028')).toEqual({ date: '2028-02-29', error: null });
    expect(read('', '', '')).toEqual({ date: null, error: null });
  });

  it('says which part is missing, against the first box to fix', () => {
    expect(read('', '4', '2026').error).toEqual({ field: 'from-day', message: 'Date from must include a day' });
    expect(read('5', '', '').error).toEqual({
      field: 'from-month',
      message: 'Date from must include a month and year',
    });
  });

  it('refuses dates that do not exist and years that are not four digits', () => {
    expect(read('29', '2', '2026').error?.message).toBe('Date from must be a real date');
    expect(read('1', '13', '2026').error?.message).toBe('Date from must be a real date');
    expect(read('x', '1', '2026').error?.message).toBe('Date from must be a real date');
    expect(read('1', '1', '26').error).toEqual({ field: 'from-year', message: 'Year must include 4 numbers' });
  });
});

describe('who acted, on the audit log page', () => {
  it('names the person and the role they acted in, with their authority for its people', () => {
    const user = { type: 'user' as const, authority: null };
    expect(auditActorText({ ...user, name: 'Eleanor Price', roleName: 'Casework manager' })).toBe(
      'Eleanor Price (Casework manager)',
    );
    expect(
      auditActorText({ type: 'user', name: 'Grace Mensah', roleName: 'Link officer', authority: 'Anytown Council' }),
    ).toBe('Grace Mensah (Link officer, Anytown Council)');
    expect(auditActorText({ type: 'token', name: 'Case system', roleName: 'Investigator', authority: null })).toBe(
      'API token ‘Case system’ (Investigator)',
    );
    expect(auditActorText({ ...user, name: null, roleName: 'Investigator' })).toBe('User, Investigator');
    expect(auditActorText({ type: 'system', name: null, roleName: null, authority: null })).toBe('System');
  });
});

describe('the role an action is recorded in', () => {
  it('is the role whose permission allowed it, whatever order the roles are held in', () => {
    expect(auditRole('complaint.moved.investigation', ['investigator', 'casework-manager'])).toBe('casework-manager');
    expect(auditRole('complaint.moved.investigation', ['intake-officer'])).toBe('intake-officer');
    expect(auditRole('enquiry.sent', ['intake-officer', 'investigator'])).toBe('investigator');
    expect(auditRole('document.stored', ['link-officer'])).toBe('link-officer');
    expect(auditRole('enquiry.answered', ['delegate'])).toBe('delegate');
    expect(auditRole('api-token.created', ['investigator', 'administrator'])).toBe('administrator');
    expect(auditRole('decision.review-upheld', ['investigator', 'casework-manager'])).toBe('casework-manager');
  });

  it('is the first role held for an action that needs no permission', () => {
    expect(auditRole('session.started', ['investigator', 'administrator'])).toBe('administrator');
    expect(auditRole('session.started', [])).toBeNull();
  });
});
