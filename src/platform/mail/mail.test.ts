import { describe, expect, it } from 'vitest';
import { acceptsRecipient } from './inbound.ts';
import { retryDelayMs } from './sender.ts';

describe('outgoing mail retries', () => {
  it('wait a minute, then twice as long after each failure, never more than six hours', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8]);
    expect(retryDelayMs(20)).toBe(6 * 3_600_000);
  });
});

describe('inbound recipients', () => {
  it('are accepted only at our mail domain, in any letter case', () => {
    expect(acceptsRecipient('case-12@liaison.test', 'liaison.test')).toBe(true);
    expect(acceptsRecipient('Case-12@LIAISON.test', 'liaison.test')).toBe(true);
    expect(acceptsRecipient('someone@liaison.test.evil.example', 'liaison.test')).toBe(false);
    expect(acceptsRecipient('someone@sub.liaison.test', 'liaison.test')).toBe(false);
    expect(acceptsRecipient('liaison.test', 'liaison.test')).toBe(false);
  });
});
