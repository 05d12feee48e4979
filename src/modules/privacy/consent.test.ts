import { describe, expect, it } from 'vitest';
import { decodeConsent, encodeConsent, safeReturnPath, sendsGlobalPrivacyControl } from './consent.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('the consent cookie', () => {
  it('reads back the choice Liaison wrote, with or without the confirmation still to show', () => {
    for (const analytics of ['yes', 'no'] as const)
      for (const justChosen of [true, false])
        expect(decodeConsent(SECRET, encodeConsent(SECRET, { analytics, justChosen }))).toEqual({
          analytics,
          justChosen,
        });
  });

  it('is no choice yet when absent, garbled, forged or signed with another key', () => {
    const yes = encodeConsent(SECRET, { analytics: 'yes', justChosen: false });
    const no = encodeConsent(SECRET, { analytics: 'no', justChosen: false });
    const forged = `${no.split('.').slice(0, 1).join('.')}.yes.${no.split('.').at(-1) ?? ''}`;
    for (const value of [undefined, '', 'yes', '{"analytics":true}', yes.slice(0, -1), forged, `${yes}x`])
      expect(decodeConsent(SECRET, value), String(value)).toBeNull();
    expect(decodeConsent('another-secret-of-thirty-two-characters!!', yes)).toBeNull();
    expect(decodeConsent(SECRET, yes.replace(/^1\./, '2.'))).toBeNull();
  });
});

describe('Global Privacy Control', () => {
  it('is on only when the browser sends Sec-GPC: 1', () => {
    expect(sendsGlobalPrivacyControl('1')).toBe(true);
    expect(sendsGlobalPrivacyControl(['1'])).toBe(true);
    expect(sendsGlobalPrivacyControl(undefined)).toBe(false);
    expect(sendsGlobalPrivacyControl('0')).toBe(false);
  });
});

describe('the page the banner returns to', () => {
  it('is a public page of this site, with its query, else the home page', () => {
    expect(safeReturnPath('/publications?q=care')).toBe('/publications?q=care');
    expect(safeReturnPath('/')).toBe('/');
    for (const bad of [
      'https://example.com/',
      '//example.com',
      '/\\example.com',
      'publications',
      '/staff/analytics',
      '/portal',
      '/api/v1/me',
      '/a\nb',
      42,
      undefined,
    ])
      expect(safeReturnPath(bad), String(bad)).toBe('/');
  });
});
