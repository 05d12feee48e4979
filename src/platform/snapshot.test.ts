import { describe, expect, it } from 'vitest';
import { FixedClock } from './clock.ts';
import { Snapshots } from './snapshot.ts';

describe('Snapshots', () => {
  it('loads a key once within its lifetime and again after it', async () => {
    const clock = new FixedClock(new Date('2026-11-23T09:00:00Z'));
    const snapshots = new Snapshots(clock, 5000);
    let loads = 0;
    const load = async () => ++loads;
    expect(await snapshots.get('panel', load)).toBe(1);
    clock.advance(4999);
    expect(await snapshots.get('panel', load)).toBe(1);
    clock.advance(1);
    expect(await snapshots.get('panel', load)).toBe(2);
  });

  it('shares one load among concurrent callers', async () => {
    const snapshots = new Snapshots(new FixedClock(new Date('2026-11-23T09:00:00Z')), 5000);
    let loads = 0;
    const load = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 5));
    const results = await Promise.all(Array.from({ length: 10 }, () => snapshots.get('panel', load)));
    expect(results).toEqual(Array(10).fill(1));
    expect(loads).toBe(1);
  });

  it('does not keep a failed load, and loads every time when its lifetime is zero', async () => {
    const clock = new FixedClock(new Date('2026-11-23T09:00:00Z'));
    const snapshots = new Snapshots(clock, 5000);
    await expect(snapshots.get('panel', () => Promise.reject(new Error('database down')))).rejects.toThrow();
    expect(await snapshots.get('panel', async () => 'back')).toBe('back');
    const never = new Snapshots(clock, 0);
    let loads = 0;
    await never.get('panel', async () => ++loads);
    await never.get('panel', async () => ++loads);
    expect(loads).toBe(2);
  });

  it('forgets the keys that start with a prefix, and only those', async () => {
    const snapshots = new Snapshots(new FixedClock(new Date('2026-11-23T09:00:00Z')), 5000);
    let loads = 0;
    const load = async () => ++loads;
    await snapshots.get('home:a:1', load);
    await snapshots.get('home:a:2', load);
    await snapshots.get('home:b:1', load);
    snapshots.drop('home:a:');
    expect(await snapshots.get('home:a:1', load)).toBe(4);
    expect(await snapshots.get('home:b:1', load)).toBe(3);
  });

  it('holds a bounded number of keys', async () => {
    const clock = new FixedClock(new Date('2026-11-23T09:00:00Z'));
    const snapshots = new Snapshots(clock, 5000, 3);
    for (const key of ['a', 'b', 'c']) await snapshots.get(key, async () => key);
    clock.advance(6000);
    await snapshots.get('d', async () => 'd');
    expect(snapshots.size).toBe(1);
    for (const key of ['e', 'f']) await snapshots.get(key, async () => key);
    await snapshots.get('g', async () => 'g');
    expect(snapshots.size).toBeLessThanOrEqual(3);
  });
});
