import type { Clock } from './clock.ts';

/**
 * Short-lived, shared results of expensive reads that every user sees alike (the staff home's work
 * panels): each key is loaded at most once per `ttlMs`, and concurrent requests for a key being
 * loaded wait for that one load instead of starting their own. A load that fails is not kept.
 * With `ttlMs` 0 every call loads afresh.
 */
export class Snapshots {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
    /** Keys kept at most; past it, expired entries go, and if that is not enough, all of them. */
    private readonly maxKeys = 1000,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.ttlMs) return entry.value as Promise<T>;
    const value = load();
    if (!entry && this.entries.size >= this.maxKeys) this.prune(now);
    this.entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  private prune(now: number): void {
    for (const [key, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(key);
    if (this.entries.size >= this.maxKeys) this.entries.clear();
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
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  /** Forgets every snapshot, e.g. after a change the person making it expects to see at once. */
  clear(): void {
    this.entries.clear();
  }
}
