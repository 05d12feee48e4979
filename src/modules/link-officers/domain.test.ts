import { describe, expect, it } from 'vitest';
import { erasureNeedles, freeSlot, londonDate, parseUkPhone, redact, resolveRecipients } from './domain.ts';
import { officerDetailsSchema } from './link-officers.schemas.ts';

describe('UK telephone numbers', () => {
  it('accepts landlines and mobiles as people write them and stores them in E.164', () => {
    expect(parseUkPhone('020 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
    expect(parseUkPhone('07911 123456')).toEqual({ ok: true, e164: '+447911123456' });
    expect(parseUkPhone('+44 (0)20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it('refuses a missing, foreign, short or lettered number with a message saying what to do', () => {
    expect(parseUkPhone('  ')).toEqual({ ok: false, message: 'Enter a direct telephone number' });
    expect(parseUkPhone('+33 1 23 45 67 89')).toEqual({ ok: false, message: 'Enter a UK telephone number' });
    expect(parseUkPhone('020 7946')).toMatchObject({ ok: false });
    expect(parseUkPhone('call reception')).toMatchObject({ ok: false });
  });
});

describe('the officer details form', () => {
  const valid = {
    title: 'Dr',
    forename: 'Ada',
    surname: 'Lovelace',
    jobTitle: 'Complaints manager',
    email: 'ada@council.example',
    correspondenceEmail: '',
    phone: '020 7946 0958',
  };

  it('keeps no correspondence address when it is blank or the same as the direct email', () => {
    expect(officerDetailsSchema.parse(valid).correspondenceEmail).toBeNull();
    expect(
      officerDetailsSchema.parse({ ...valid, correspondenceEmail: 'ADA@council.example' }).correspondenceEmail,
    ).toBeNull();
    expect(
      officerDetailsSchema.parse({ ...valid, correspondenceEmail: 'ombudsman@council.example' }).correspondenceEmail,
    ).toBe('ombudsman@council.example');
  });

  it('names every missing or malformed field', () => {
    const result = officerDetailsSchema.safeParse({ email: 'not-an-email', phone: '' });
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((i) => i.path.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['title', 'forename', 'surname', 'jobTitle', 'email', 'phone']));
  });
});

describe('places', () => {
  it('gives the first free place and none when both are taken', () => {
    expect(freeSlot([])).toBe(1);
    expect(freeSlot([1])).toBe(2);
    expect(freeSlot([2])).toBe(1);
    expect(freeSlot([1, 2])).toBeNull();
  });
});

describe('correspondence recipients', () => {
  const a = { id: 'a', slot: 1 as const, email: 'a@c.example', correspondenceEmail: null };
  const b = { id: 'b', slot: 2 as const, email: 'b@c.example', correspondenceEmail: 'team@c.example' };
  const base = {
    officers: [a, b],
    covers: [],
    genericInbox: 'inbox@c.example',
    chiefExecutiveEmail: 'ce@c.example',
    onDate: '2026-05-01',
  };

  it('goes to both link officers (correspondence address first) and the generic inbox, not the chief executive', () => {
    expect(resolveRecipients(base).map((r) => [r.email, r.as])).toEqual([
      ['a@c.example', 'link-officer'],
      ['team@c.example', 'link-officer'],
      ['inbox@c.example', 'generic-inbox'],
    ]);
  });

  it('falls back to the generic inbox, then the chief executive', () => {
    expect(resolveRecipients({ ...base, officers: [] }).map((r) => r.as)).toEqual(['generic-inbox']);
    expect(resolveRecipients({ ...base, officers: [], genericInbox: null })).toEqual([
      { email: 'ce@c.example', as: 'chief-executive' },
    ]);
    expect(resolveRecipients({ ...base, officers: [], genericInbox: null, chiefExecutiveEmail: null })).toEqual([]);
  });

  it('sends an absent officer’s share to the person covering, on the days of the absence only', () => {
    const covers = [{ linkOfficerId: 'a', startsOn: '2026-05-01', endsOn: '2026-05-03', coverEmail: 'd@c.example' }];
    expect(resolveRecipients({ ...base, covers }).map((r) => r.email)).toEqual([
      'd@c.example',
      'team@c.example',
      'inbox@c.example',
    ]);
    expect(resolveRecipients({ ...base, covers, onDate: '2026-05-04' }).map((r) => r.email)).toContain('a@c.example');
  });

  it('lists an address once', () => {
    const covers = [{ linkOfficerId: 'a', startsOn: '2026-05-01', endsOn: '2026-05-01', coverEmail: 'TEAM@c.example' }];
    expect(resolveRecipients({ ...base, covers }).map((r) => r.email)).toEqual(['TEAM@c.example', 'inbox@c.example']);
  });

  it('reads dates in London', () => {
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });
});

describe('erasure', () => {
  it('blanks out a person’s names, addresses and phone number in any spelling', () => {
    const needles = erasureNeedles({
      title: 'Ms',
      forename: 'Grace',
      surname: 'Hopper',
      email: 'grace@c.example',
      correspondenceEmail: null,
      phone: '+442079460958',
    });
    const text = 'Dear Ms Grace Hopper (GRACE@c.example, 020 7946 0958), Grace, call +442079460958.';
    const out = redact(text, needles.all);
    expect(out).not.toMatch(/grace|hopper|7946|0958/i);
    expect(needles.identifying).not.toContain('Grace');
  });
});
