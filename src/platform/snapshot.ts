import type { Clock } from './clock.ts';
import { ExpiringCache } from './expiring-cache.ts';

/**
 * Short-lived, shared results of expensive reads that every user sees alike (the staff home's work
 * panels): each key is loaded at most once per `ttlMs`, and concurrent requests for a key being
 * loaded wait for that one load instead of starting their own. A load that fails is not kept.
 * With `ttlMs` 0 every call loads afresh.
 */
export class Snapshots {
  private readonly entries: ExpiringCache<{ value: Promise<unknown> }>;

  constructor(
    clock: Clock,
    readonly ttlMs: number,
    /** Keys kept at most; past it, expired entries go first, then the least recently used. */
    maxKeys = 1000,
  ) {
    this.entries = new ExpiringCache(clock, ttlMs, maxKeys);
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.entries.enabled) return load();
    const entry = this.entries.get(key);
    // Each key only ever holds what `load` of a caller asking for T returned.
    if (entry) return entry.value as Promise<T>;
    const value = load();
    this.entries.set(key, { value });
    value.catch(() => {
      if (this.entries.peek(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** Keys held now (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Forgets the snapshots whose keys start with `prefix` (one authority's, say), e.g. after a change
   * the person making it expects to see at once. A load under way is no longer shared.
   */
  drop(prefix: string): void {
    this.entries.deletePrefix(prefix);
  }

  /** Forgets every snapshot, e.g. after a change the person making it expects to see at once. */
  clear(): void {
    this.entries.clear();
  }
}
