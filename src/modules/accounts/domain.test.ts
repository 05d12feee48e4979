import { describe, expect, it } from 'vitest';
import {
  auditEventBy,
  can,
  decodeCursor,
  encodeCursor,
  formatSecretForTyping,
  linkState,
  newPasswordProblem,
  requiresTwoFactor,
  rolesForAccount,
} from './domain.ts';

describe('new passwords', () => {
  it('needs 12 to 1,000 characters', () => {
    expect(newPasswordProblem('', 'a@example.test')).toBe('Enter a password');
    expect(newPasswordProblem('elevenchars', 'a@example.test')).toBe('Password must be 12 characters or more');
    expect(newPasswordProblem('twelve chars', 'a@example.test')).toBeNull();
    expect(newPasswordProblem('x'.repeat(1000), 'a@example.test')).toBeNull();
    expect(newPasswordProblem('x'.repeat(1001), 'a@example.test')).toBe('Password must be 1,000 characters or fewer');
  });

  it('must not be the email address, in any case, or its name part', () => {
    expect(newPasswordProblem('Someone.Long@Example.test', 'someone.long@example.test')).toBe(
      'Password must not be your email address',
    );
    expect(newPasswordProblem('someone.longname', 'someone.longname@example.test')).toBe(
      'Password must not be your email address',
    );
    expect(newPasswordProblem('someone.longname and more', 'someone.longname@example.test')).toBeNull();
  });
});

describe('one-time links', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  it('are valid until used or expired', () => {
    expect(linkState(undefined, now)).toBe('unknown');
    expect(linkState({ expires_at: new Date('2026-03-02T11:00:00Z'), used_at: null }, now)).toBe('valid');
    expect(linkState({ expires_at: now, used_at: null }, now)).toBe('expired');
    expect(linkState({ expires_at: new Date('2026-03-02T11:00:00Z'), used_at: now }, now)).toBe('used');
  });
});

describe('two-factor and roles', () => {
  it('is required for staff and optional for authority users', () => {
    expect(requiresTwoFactor(['investigator'])).toBe(true);
    expect(requiresTwoFactor(['link-officer'])).toBe(false);
  });

  it('offers staff roles to staff accounts and authority roles to authority accounts', () => {
    expect(rolesForAccount(null)).toContain('administrator');
    expect(rolesForAccount(null)).not.toContain('link-officer');
    expect(rolesForAccount('some-authority')).toEqual(['link-officer', 'delegate', 'senior-officer']);
  });

  it('lets only administrators manage users', () => {
    const actor = (role: 'administrator' | 'casework-manager') => ({
      type: 'user' as const,
      id: 'u',
      roles: [role],
      authorityId: null,
    });
    expect(can(actor('administrator'), 'users:manage')).toBe(true);
    expect(can(actor('casework-manager'), 'users:manage')).toBe(false);
  });

  it('groups a secret in fours for typing', () => {
    expect(formatSecretForTyping('ABCDEFGHIJKLMNOP')).toBe('ABCD EFGH IJKL MNOP');
    expect(formatSecretForTyping('ABCDEF')).toBe('ABCD EF');
  });
});

describe('user list cursors', () => {
  it('round-trip and reject anything else', () => {
    const cursor = { name: 'o’brien, siân', id: '3f1c2b9e-3a61-4f55-9f0b-0d6c9f6b1a11' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('["x","not-a-uuid"]').toString('base64url'))).toBeNull();
  });
});

describe('audit events', () => {
  it('records a person in their roles with the request they made, and the system when no one acted', () => {
    const actor = {
      type: 'user' as const,
      id: 'u1',
      roles: ['investigator' as const],
      authorityId: null,
      requestId: 'r1',
    };
    expect(auditEventBy(actor, 'enquiry.sent', { type: 'enquiry', id: 'e1', authorityId: 'a1' })).toEqual({
      actor: { type: 'user', id: 'u1', role: 'investigator', roles: ['investigator'] },
      action: 'enquiry.sent',
      recordType: 'enquiry',
      recordId: 'e1',
      authorityId: 'a1',
      requestId: 'r1',
    });
    expect(auditEventBy(null, 'newsletter-issue.sent', { type: 'newsletter-issue', id: 'n1' })).toEqual({
      actor: { type: 'system', id: null, role: null },
      action: 'newsletter-issue.sent',
      recordType: 'newsletter-issue',
      recordId: 'n1',
      authorityId: null,
      requestId: null,
    });
  });
});
