import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.ts';

/**
 * A bounded map whose entries last `ttlMs` on the business clock (`lru-cache` underneath): past
 * `max` keys, expired entries go first, then the least recently used. With `ttlMs` 0 nothing is
 * kept. The one way Liaison keeps a short-lived copy of something read (sessions, API tokens, the
 * shared snapshots).
 */
export class ExpiringCache<V extends object> {
  private readonly entries: LRUCache<string, V> | null;

  constructor(clock: Clock, ttlMs: number, max: number) {
    this.entries =
      ttlMs > 0
        ? new LRUCache<string, V>({
            max,
            // lru-cache counts an entry stale once more than `ttl` ms have passed; here it is stale
            // once `ttlMs` have (the clock counts whole milliseconds).
            ttl: Math.max(1, ttlMs - 1),
            // The clock is read on every look-up, so a test's clock moved forward is seen at once.
            ttlResolution: 0,
            perf: { now: () => clock.now().getTime() },
          })
        : null;
  }

  /** Whether anything is kept at all (`ttlMs` above 0). */
  get enabled(): boolean {
    return this.entries !== null;
  }

  get(key: string): V | undefined {
    return this.entries?.get(key);
  }

  /** The entry even if it has expired, without counting as a use. */
  peek(key: string): V | undefined {
    return this.entries?.peek(key, { allowStale: true });
  }

  set(key: string, value: V): void {
    if (!this.entries) return;
    if (this.entries.size >= this.entries.max) this.entries.purgeStale();
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries?.delete(key);
  }

  /** Forgets the keys that start with `prefix`. */
  deletePrefix(prefix: string): void {
    if (!this.entries) return;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries?.clear();
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
