/**
 * Process-wide cache of provider answers, by task state: terminal tasks long, running ones and
 * NOT_FOUND briefly, any other failure never. Bounded by entry count and by estimated bytes
 * (retained-size.ts), least recently used out first; an entry over 1/MAX_ENTRY_SHARE of the byte
 * budget is not kept. Each hit or miss is counted on the call's tally.
 */
import { LRUCache } from 'lru-cache';
import { defaultOf } from '../config/index.js';
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock } from './clock.js';
import { upstreamEvents, type UpstreamEvents } from './events.js';
import { estimateRetainedBytes } from './retained-size.js';

export interface CacheTtls {
  /** A task the provider will not change again (`terminal: true`). */
  readonly terminalTtlMs: number;
  /** A task still waiting or running. */
  readonly runningTtlMs: number;
  /** A NOT_FOUND answer. */
  readonly notFoundTtlMs: number;
}

export const DEFAULT_CACHE_TTLS: CacheTtls = {
  terminalTtlMs: defaultOf('CACHE_TERMINAL_TTL_MS'),
  runningTtlMs: defaultOf('CACHE_RUNNING_TTL_MS'),
  notFoundTtlMs: defaultOf('CACHE_NOT_FOUND_TTL_MS'),
};

export interface CachePolicy {
  /** How long this process keeps the answer; 0 = not kept. */
  readonly ttlMs: number;
  /** The Cache-Control max-age that matches: whole seconds, never more than the TTL. */
  readonly maxAgeSeconds: number;
}

/** A parsed task, or the error a lookup failed with. */
export type CacheSubject = { readonly terminal: boolean; readonly signedUrlsExpireAt?: number | null } | Error;

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

/** Milliseconds until the earliest signed URL in the answer stops working; Infinity when it has none we know of. */
export function signedUrlsLifetimeMs(subject: CacheSubject, nowMs: number): number {
  const expiresAt = subject instanceof Error ? null : (subject.signedUrlsExpireAt ?? null);
  return expiresAt === null ? Infinity : Math.max(0, expiresAt - nowMs);
}

/** cachePolicy, bounded so that no tier keeps an answer past the expiry of a signed URL in it. */
export function cachePolicyAt(subject: CacheSubject, ttls: CacheTtls, nowMs: number): CachePolicy {
  const policy = cachePolicy(subject, ttls);
  const urlsLeftMs = signedUrlsLifetimeMs(subject, nowMs);
  if (urlsLeftMs >= policy.ttlMs) return policy;
  return { ttlMs: urlsLeftMs, maxAgeSeconds: Math.floor(urlsLeftMs / 1000) };
}

export interface CacheOptions {
  readonly provider: ProviderName;
  readonly ttls: CacheTtls;
  /** Most entries kept; 0 turns the cache off. */
  readonly maxEntries: number;
  /** Most bytes kept, as estimated by `estimateRetainedBytes`; 0 turns the cache off. */
  readonly maxBytes: number;
  readonly clock: Pick<Clock, 'now'>;
  readonly events?: Partial<UpstreamEvents>;
  /**
   * How long an answer had left where the layer below found it (the shared tier's Redis); it is
   * kept here no longer than that, so a second tier never stretches an answer's lifetime.
   */
  readonly remainingTtlMs?: (subject: object) => number | undefined;
}

/** What the cache holds now, for gauges. Expired entries count until they are read or pushed out. */
export interface TaskCacheSize {
  readonly entries: number;
  /** Estimated bytes, as counted against `maxBytes`. */
  readonly bytes: number;
}

export interface CachedSource<T> {
  readonly source: TaskSource<T>;
  size(): TaskCacheSize;
  /** Drops what is kept for one task, so its next lookup asks below. */
  forget(taskId: string): void;
}

/** An entry may take at most this share of the byte budget (1/8). */
export const MAX_ENTRY_SHARE = 8;

/**
 * A failure keeps its message and its captured stack alive, and the walk sees neither (they
 * are not enumerable). A NOT_FOUND ProviderError measured 0.9 KB of heap on Node 20, its
 * stack read or not, so an error entry counts as a flat 1 KiB plus its message.
 */
const ERROR_ENTRY_BYTES = 1_024;
/** The key and lru-cache's own slots for one entry. */
const ENTRY_OVERHEAD_BYTES = 64;

type Entry<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

function entryBytes<T>(taskId: string, entry: Entry<T>): number {
  const payload = entry.ok ? estimateRetainedBytes(entry.value) : ERROR_ENTRY_BYTES + entry.error.message.length;
  return ENTRY_OVERHEAD_BYTES + taskId.length + payload;
}

export function cachedSource<T extends { readonly terminal: boolean }>(
  source: TaskSource<T>,
  options: CacheOptions,
): CachedSource<T> {
  if (options.maxEntries <= 0 || options.maxBytes <= 0)
    return { source, size: () => ({ entries: 0, bytes: 0 }), forget: () => undefined };
  const events = upstreamEvents(options.events);
  const { clock } = options;
  const entries = new LRUCache<string, Entry<T>>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    maxEntrySize: Math.max(1, Math.floor(options.maxBytes / MAX_ENTRY_SHARE)),
    // Ages are read from the injected clock, so tests move time and production uses the app's.
    perf: { now: () => clock.now() },
    // lru-cache otherwise reuses one reading of now() until a real 1 ms timer fires, which
    // an injected clock cannot see; one clock read per lookup costs nothing here.
    ttlResolution: 0,
  });

  const cache: TaskSource<T> = async (taskId, call) => {
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
    const subject = entry.ok ? entry.value : entry.error;
    const policyTtlMs = cachePolicyAt(subject, options.ttls, clock.now()).ttlMs;
    const leftMs = options.remainingTtlMs?.(subject);
    const ttlMs = leftMs === undefined ? policyTtlMs : Math.min(policyTtlMs, leftMs);
    if (ttlMs > 0) {
      // lru-cache keeps an entry while its age is at most the TTL; starting the age one ms
      // early makes it stale at exactly the TTL, like the Cache-Control max-age sent with it.
      // An entry over maxEntrySize is not stored (lru-cache drops it, and any older one).
      entries.set(taskId, entry, { ttl: ttlMs, start: clock.now() - 1, size: entryBytes(taskId, entry) });
    }
    if (entry.ok) return entry.value;
    throw entry.error;
  };
  return {
    source: cache,
    size: () => ({ entries: entries.size, bytes: entries.calculatedSize }),
    forget: (taskId) => void entries.delete(taskId),
  };
}
