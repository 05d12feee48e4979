import { describe, expect, it } from 'vitest';
import { emailKey, phoneKey, sameContact } from './domain.ts';

describe('people: matching contact details', () => {
  it('compares phone numbers by their last ten digits', () => {
    expect(phoneKey('07700 900123')).toBe('7700900123');
    expect(phoneKey('+44 (0)7700-900123')).toBe('7700900123');
    expect(phoneKey('12345')).toBeNull();
    expect(phoneKey(null)).toBeNull();
  });

  it('compares email addresses without case or spaces', () => {
    expect(emailKey(' Sam@Example.org ')).toBe('sam@example.org');
    expect(emailKey('')).toBeNull();
  });

  it('says what two parties share', () => {
    expect(
      sameContact({ email: 'a@x.org', phone: '07700 900123' }, { email: 'A@X.org', phone: '+447700900123' }),
    ).toEqual(['email', 'phone']);
    expect(sameContact({ email: 'a@x.org', phone: null }, { email: 'b@x.org', phone: null })).toEqual([]);
  });
});
