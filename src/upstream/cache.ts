/**
 * Process-wide cache of provider answers, by task state. A terminal task will not
 * change again, so it is kept for long; a running one only briefly, so polling
 * clients still see progress; "no such task" briefly too, because a task created a
 * moment ago may not be visible yet. Any other failure is never kept: throttling,
 * outages and bad replies say nothing lasting about the task.
 *
 * The cache is bounded by entry count (least recently used out first), so memory
 * stays flat whatever ids clients send.
 *
 * Each hit or miss is also counted on the call's tally, for the log line of the
 * request that made the lookup.
 */
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock } from './clock.js';
import { upstreamEvents, type UpstreamEvents } from './events.js';
import { LruTtlMap } from './lru.js';

export interface CacheTtls {
  /** A task the provider will not change again (`terminal: true`). */
  readonly terminalTtlMs: number;
  /** A task still waiting or running. */
  readonly runningTtlMs: number;
  /** A NOT_FOUND answer. */
  readonly notFoundTtlMs: number;
}

export const DEFAULT_CACHE_TTLS: CacheTtls = { terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 2_000 };

export interface CachePolicy {
  /** How long this process keeps the answer; 0 = not kept. */
  readonly ttlMs: number;
  /** The Cache-Control max-age that matches: whole seconds, never more than the TTL. */
  readonly maxAgeSeconds: number;
}

/** A parsed task, or the error a lookup failed with. */
export type CacheSubject = { readonly terminal: boolean } | Error;

/**
 * How long an answer may be reused: here, and (as `maxAgeSeconds`) by anything
 * downstream that reads cache hints. Pure, so resolvers can call it with the same
 * TTLs the cache uses. For a cache hit this is the intended max-age, not what is
 * left of it: harmless, since a terminal task never changes and the running TTL is
 * seconds.
 */
export function cachePolicy(subject: CacheSubject, ttls: CacheTtls = DEFAULT_CACHE_TTLS): CachePolicy {
  const ttlMs =
    subject instanceof Error
      ? subject instanceof ProviderError && subject.kind === 'NOT_FOUND'
        ? ttls.notFoundTtlMs
        : 0
      : subject.terminal
        ? ttls.terminalTtlMs
        : ttls.runningTtlMs;
  return { ttlMs, maxAgeSeconds: Math.floor(ttlMs / 1000) };
}

export interface CacheOptions {
  readonly provider: ProviderName;
  readonly ttls: CacheTtls;
  /** Most entries kept; 0 turns the cache off. */
  readonly maxEntries: number;
  readonly clock: Pick<Clock, 'now'>;
  readonly events?: Partial<UpstreamEvents>;
}

type Entry<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

export function cachedSource<T extends { readonly terminal: boolean }>(source: TaskSource<T>, options: CacheOptions): TaskSource<T> {
  if (options.maxEntries <= 0) return source;
  const events = upstreamEvents(options.events);
  const entries = new LruTtlMap<string, Entry<T>>(options.maxEntries, () => options.clock.now());

  return async (taskId, call) => {
    const hit = entries.get(taskId);
    if (hit !== undefined) {
      events.onCacheHit(options.provider);
      if (call?.tally) call.tally.cacheHits += 1;
      if (hit.ok) return hit.value;
      throw hit.error;
    }
    events.onCacheMiss(options.provider);
    if (call?.tally) call.tally.cacheMisses += 1;
    let entry: Entry<T>;
    try {
      entry = { ok: true, value: await source(taskId, call) };
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      entry = { ok: false, error };
    }
    const { ttlMs } = cachePolicy(entry.ok ? entry.value : entry.error, options.ttls);
    if (ttlMs > 0) entries.set(taskId, entry, ttlMs);
    if (entry.ok) return entry.value;
    throw entry.error;
  };
}
