/**
 * A map bounded by entry count that forgets the least recently used entry first,
 * with an expiry per entry. A Map iterates in insertion order, so re-inserting on
 * every read keeps the least recently used entry first: eviction is O(1), and the
 * whole structure is small enough to read at a glance. Expired entries are dropped
 * when read, or evicted like any other when the map is full.
 */
export class LruTtlMap<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** A ttl of 0 or less stores nothing (and forgets what was there). */
  set(key: K, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (ttlMs <= 0 || this.maxEntries <= 0) return;
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }
}
