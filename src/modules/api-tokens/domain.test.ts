import { describe, expect, it } from 'vitest';
import { shouldRecordUse, tokenRequestProblems } from './domain.ts';

const AUTHORITY = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';

describe('what a token may be made for', () => {
  it('accepts a staff role without an authority and an authority role with one', () => {
    expect(tokenRequestProblems({ name: 'Export', role: 'investigator', authorityId: null })).toEqual([]);
    expect(tokenRequestProblems({ name: 'Council', role: 'link-officer', authorityId: AUTHORITY })).toEqual([]);
  });

  it('keeps staff roles out of authorities and authority roles in exactly one', () => {
    expect(tokenRequestProblems({ name: 'x', role: 'administrator', authorityId: AUTHORITY })).toEqual([
      expect.objectContaining({ field: 'authority' }),
    ]);
    expect(tokenRequestProblems({ name: 'x', role: 'senior-officer', authorityId: null })).toEqual([
      { field: 'authority', message: 'Select the authority for a Senior officer token' },
    ]);
  });

  it('reports every problem at once', () => {
    expect(tokenRequestProblems({ name: ' ', role: 'emperor', authorityId: null }).map((p) => p.field)).toEqual([
      'name',
      'role',
    ]);
    expect(
      tokenRequestProblems({ name: 'x'.repeat(101), role: 'delegate', authorityId: null }).map((p) => p.field),
    ).toEqual(['name', 'authority']);
  });
});

describe('recording use', () => {
  it('writes the last-used time at most once a minute', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    expect(shouldRecordUse(null, now)).toBe(true);
    expect(shouldRecordUse(new Date('2026-05-01T09:59:30Z'), now)).toBe(false);
    expect(shouldRecordUse(new Date('2026-05-01T09:59:00Z'), now)).toBe(true);
  });
});
