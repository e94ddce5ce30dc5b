/**
 * The production stack around a plain source, outermost first, created once per provider per process:
 *
 *   cache ─▶ in-flight sharing ─▶ [shared tier] ─▶ retry (deadline) ─▶ rate limiter ─▶ timing ─▶ client call + parse
 *
 * The shared tier and the shared quota only in shared mode (REDIS_URL). Why this order:
 * docs/architecture.md, "Design notes".
 */
import type { ProviderName } from '../providers/errors.js';
import { PROVIDERS } from '../providers/registry.js';
import type { TaskSource } from '../sources/task-source.js';
import { cachedSource, type CacheTtls, type TaskCacheSize } from './cache.js';
import type { Clock } from './clock.js';
import type { UpstreamEvents } from './events.js';
import { sharedInFlight } from './in-flight.js';
import { measuredSource } from './measured.js';
import { RateLimiter, rateLimitedSource } from './rate-limiter.js';
import { retryingSource, type RetryPolicy } from './retry.js';
import { sharedKeys } from './shared/keys.js';
import { redisQuota } from './shared/quota.js';
import type { DropReason } from './shared/codec.js';
import type { RedisLink } from './shared/redis-link.js';
import type { ValueSeal } from './shared/seal.js';
import type { Check } from './shared/shape.js';
import { sharedTier } from './shared/shared-source.js';

export interface UpstreamPolicy {
  readonly cache: CacheTtls & { readonly maxEntries: number; readonly maxBytes: number };
  readonly retry: RetryPolicy;
  readonly rateLimit: {
    readonly ratePerSecond: number;
    readonly maxQueue: number;
    readonly marginMs?: number;
    readonly reservedShare?: number;
  };
  /** Deadline for a call that arrives without one. */
  readonly defaultDeadlineMs: number;
  /**
   * Shared mode: how long a running task's answer stays in Redis for other replicas' refreshes
   * (the longest refresh interval the scheduler hands out).
   * @default cache.runningTtlMs
   */
  readonly refreshRetainMs?: number;
}

export interface UpstreamDeps<T = unknown> {
  readonly clock: Clock;
  readonly random: () => number;
  readonly events?: Partial<UpstreamEvents>;
  /** Shared mode: the Redis link and what this replica needs to take part. */
  readonly shared?: SharedDeps<T> | undefined;
}

export interface SharedDeps<T> {
  readonly link: RedisLink;
  readonly keyPrefix: string;
  /** The deployment's namespace (shared/namespace.ts): other deployments' entries and quota are never read. */
  readonly namespace: string;
  /** Whether a stored value is a model this stack answers (shared/model-shapes.ts). */
  readonly accepts: Check<T>;
  /** MACs over stored values, or none (shared/seal.ts). */
  readonly seal: ValueSeal;
  /** A stored entry that was not used, and why. */
  readonly onValueDropped?: (provider: ProviderName, reason: DropReason) => void;
  readonly leaseMs: number;
  /** Share of the budget this replica keeps to while Redis is unavailable. */
  readonly fallbackRpsShare: number;
  /** Unique per process. */
  readonly replicaId: string;
  /** A fresh random lease token. */
  readonly token: () => string;
}

export interface UpstreamSource<T> {
  readonly source: TaskSource<T>;
  /** Exposed for gauges (queue length). */
  readonly limiter: RateLimiter;
  /** What the task cache holds now, for gauges. */
  cacheSize(): TaskCacheSize;
  /** Drops every tier's answer for one task (the built-in emulator changed it). */
  forget(taskId: string): Promise<void>;
}

export function upstreamSource<T extends { readonly terminal: boolean }>(
  provider: ProviderName,
  plain: TaskSource<T>,
  policy: UpstreamPolicy,
  deps: UpstreamDeps<T>,
): UpstreamSource<T> {
  const { clock, random, events, shared } = deps;
  const { ratePerSecond, maxQueue, marginMs = 0, reservedShare } = policy.rateLimit;
  const keys = shared && sharedKeys(shared.keyPrefix, provider, shared.namespace);
  const quota =
    shared &&
    keys &&
    redisQuota({
      link: shared.link,
      key: keys.quota,
      ratePerSecond,
      windowMs: 1000 + marginMs,
      replicaId: shared.replicaId,
      ...(reservedShare !== undefined && { reservedShare }),
    });
  const limiter = new RateLimiter({
    provider,
    ratePerSecond,
    maxQueue,
    marginMs,
    // Spread out, never a burst: a burst's send delays differ by more than the margin on a busy process (rate-limiter.ts).
    pace: true,
    ...(reservedShare !== undefined && { reservedShare }),
    clock,
    events,
    ...(quota && shared && { shared: quota, fallbackRatePerSecond: ratePerSecond * shared.fallbackRpsShare }),
  });
  const measured = measuredSource(plain, { provider, action: PROVIDERS[provider].action, clock, events });
  const limited = rateLimitedSource(measured, limiter, clock, provider);
  const retried = retryingSource(limited, {
    provider,
    policy: policy.retry,
    defaultDeadlineMs: policy.defaultDeadlineMs,
    clock,
    random,
    events,
  });
  const tier =
    shared && keys
      ? sharedTier(retried, {
          provider,
          link: shared.link,
          keys,
          ttls: policy.cache,
          retainRunningMs: policy.refreshRetainMs ?? policy.cache.runningTtlMs,
          leaseMs: shared.leaseMs,
          defaultDeadlineMs: policy.defaultDeadlineMs,
          clock,
          token: shared.token,
          accepts: shared.accepts,
          seal: shared.seal,
          ...(shared.onValueDropped && {
            onValueDropped: (reason: DropReason) => shared.onValueDropped?.(provider, reason),
          }),
          events,
        })
      : undefined;
  const inFlight = sharedInFlight(tier?.source ?? retried, { provider, clock, events });
  const cached = cachedSource(inFlight, {
    provider,
    ttls: policy.cache,
    maxEntries: policy.cache.maxEntries,
    maxBytes: policy.cache.maxBytes,
    clock,
    events,
    ...(tier && { remainingTtlMs: tier.remainingTtlMs }),
  });
  const forget = async (taskId: string): Promise<void> => {
    cached.forget(taskId);
    await tier?.forget(taskId);
  };
  return { source: cached.source, limiter, cacheSize: cached.size, forget };
}
