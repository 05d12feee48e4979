import { describe, expect, it } from 'vitest';
import { FixedClock } from './clock.ts';
import { ExpiringCache } from './expiring-cache.ts';

describe('ExpiringCache', () => {
  it('keeps an entry for its lifetime on the clock given, and not a millisecond more', () => {
    const clock = new FixedClock(new Date('2026-12-07T09:00:00Z'));
    const cache = new ExpiringCache<{ n: number }>(clock, 1000, 10);
    cache.set('a', { n: 1 });
    clock.advance(999);
    expect(cache.get('a')).toEqual({ n: 1 });
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing when its lifetime is zero', () => {
    const cache = new ExpiringCache<{ n: number }>(new FixedClock(new Date()), 0, 10);
    cache.set('a', { n: 1 });
    expect(cache.enabled).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most its number of keys, letting expired ones go first, and forgets by prefix', () => {
    const clock = new FixedClock(new Date('2026-12-07T09:00:00Z'));
    const cache = new ExpiringCache<{ key: string }>(clock, 1000, 3);
    for (const key of ['x:1', 'x:2']) cache.set(key, { key });
    clock.advance(1000);
    for (const key of ['y:1', 'y:2', 'y:3']) cache.set(key, { key });
    expect(cache.size).toBe(3);
    expect(cache.get('y:1')).toEqual({ key: 'y:1' });
    cache.set('z:1', { key: 'z:1' });
    expect(cache.size).toBe(3);
    // The least recently used went: y:2 (y:1 was just read).
    expect(cache.get('y:2')).toBeUndefined();
    cache.deletePrefix('y:');
    expect(cache.size).toBe(1);
    expect(cache.get('z:1')).toEqual({ key: 'z:1' });
  });
});
