/**
 * The production upstream stack (src/upstream/upstream-source.ts) built in this process, with or
 * without the shared tier, for the figures that measure the tier itself rather than a whole
 * request: what a Redis answer costs next to a local one, and what Redis holds per task. The
 * answers are written and read by the tier's own code (its Lua scripts and codec), not imitated.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/index.js';
import type { ProviderName } from '../src/providers/errors.js';
import type { TaskSource } from '../src/sources/task-source.js';
import { systemClock } from '../src/upstream/clock.js';
import { connectRedis } from '../src/upstream/shared/connect.js';
import { probeKey } from '../src/upstream/shared/keys.js';
import { createRedisLink, type RedisLink } from '../src/upstream/shared/redis-link.js';
import { valueSeal } from '../src/upstream/shared/seal.js';
import type { Check } from '../src/upstream/shared/shape.js';
import { upstreamSource, type UpstreamPolicy, type UpstreamSource } from '../src/upstream/upstream-source.js';

export const BENCH_KEY_PREFIX = 'bench:';

/** Production's TTLs and bounds, with the budget lifted: these figures are about the tiers, not the quota. */
export function benchPolicy(localCacheEntries: number): UpstreamPolicy {
  const { cache, retryBaseDelayMs, retryMaxDelayMs, rateLimit } = loadConfig({}).upstream;
  return {
    cache: { ...cache, maxEntries: localCacheEntries, maxBytes: localCacheEntries > 0 ? cache.maxBytes : 0 },
    retry: { maxAttempts: 1, baseDelayMs: retryBaseDelayMs, maxDelayMs: retryMaxDelayMs },
    rateLimit: { ratePerSecond: 1_000_000, maxQueue: 100_000, marginMs: rateLimit.marginMs },
    defaultDeadlineMs: 60_000,
  };
}

export interface SharedStack<T> {
  readonly upstream: UpstreamSource<T>;
  close(): Promise<void>;
}

/** One replica's stack over `plain`: with `redisUrl`, in shared mode; without, as one process alone. */
export async function sharedStack<T extends { readonly terminal: boolean }>(
  provider: ProviderName,
  plain: TaskSource<T>,
  /** Checks what is read back from Redis (src/upstream/shared/model-shapes.ts). */
  accepts: Check<T>,
  options: { readonly redisUrl?: string; readonly localCacheEntries: number; readonly commandTimeoutMs?: number },
): Promise<SharedStack<T>> {
  const clock = systemClock();
  let link: RedisLink | undefined;
  const replicaId = randomBytes(4).toString('hex');
  if (options.redisUrl !== undefined) {
    const { client, subscriber } = await connectRedis(options.redisUrl, options.commandTimeoutMs ?? 250);
    // Start-up does not wait for Redis (connect.ts): lookups before the connection is ready fall back,
    // which would leave them out of a figure about Redis. The bench waits instead.
    for (let waited = 0; (client.status !== 'ready' || subscriber.status !== 'ready') && waited < 5_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    link = createRedisLink({ client, subscriber, clock, probeKey: probeKey(BENCH_KEY_PREFIX, replicaId) });
  }
  const upstream = upstreamSource(provider, plain, benchPolicy(options.localCacheEntries), {
    clock,
    random: Math.random,
    ...(link && {
      shared: {
        link,
        keyPrefix: BENCH_KEY_PREFIX,
        namespace: 'bench',
        accepts,
        seal: valueSeal(null),
        leaseMs: 3_000,
        fallbackRpsShare: 1,
        replicaId,
        token: () => randomBytes(12).toString('hex'),
      },
    }),
  });
  return { upstream, close: async () => link?.close() };
}

/** Runs `work` over `items`, at most `concurrency` at once. */
export async function eachConcurrently<I>(
  items: readonly I[],
  concurrency: number,
  work: (item: I) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
