/**
 * Measurement 9: scale-out. The same workload against one subgraph process, against three that
 * share nothing, and against three sharing one redis-server (started by the bench on a free
 * port): 300 distinct uncached image tasks in lists spread over the replicas, then every list
 * asked again on the next replica once its tasks are finished. Counted from the emulator's call log, the provider's
 * side: calls made, and the most arrivals (`receivedAt`) in any one-second window, against MPS's
 * default budget of 20. Counts hold on a loaded machine; the wall times beside them are indicative.
 *
 * Then the shared tier's cost per lookup, measured directly on the upstream stack in this process:
 * a lookup answered by Redis (another replica's answer; local cache off, so every lookup reaches
 * Redis) against one answered by the local LRU, alternating sample by sample.
 */
import { parseImageTask } from '../src/parsing/image-task.js';
import type { ImageTaskModel } from '../src/parsing/models.js';
import type { CallTally, TaskSource } from '../src/sources/task-source.js';
import { isImageTaskModel } from '../src/upstream/shared/model-shapes.js';
import { SEED, type RunningEmulator } from '../src/emulator/index.js';
import { seedImageTasks } from '../src/emulator/seed-tasks.js';
import { busiestWindow } from '../support/arrivals.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { postGraphQL } from './graphql.js';
import type { Child } from './processes.js';
import { IMAGE_LIST } from './queries.js';
import { sharedStack } from './shared-stack.js';
import { percentile } from './stats.js';
import type { TaskFactory } from './tasks.js';

export interface ScaleOutSettings {
  readonly distinctIds: number;
  readonly idsPerRequest: number;
  readonly ratePerSecond: number;
  readonly tierCostSamples: number;
}

export interface ScaleOutScenario {
  readonly label: string;
  readonly replicas: number;
  readonly redis: boolean;
  readonly requests: number;
  readonly idsAsked: number;
  readonly providerCalls: number;
  /** Most provider arrivals in any one-second window of the emulator's clock. */
  readonly busiestSecond: number;
  /** Errors other than none, by code; empty when every id was answered. */
  readonly errors: Record<string, number>;
  readonly firstPassMs: number;
  readonly repeatPassMs: number;
}

export interface TierCost {
  readonly samples: number;
  /** Lookups the Redis side answered from Redis (should be every sample). */
  readonly redisHits: number;
  readonly localHits: number;
  readonly redisMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly localMs: { readonly p50: number; readonly p95: number; readonly p99: number };
}

export interface ScaleOutSummary {
  readonly settings: ScaleOutSettings;
  readonly scenarios: ScaleOutScenario[];
  readonly tierCost: TierCost;
}

/** Starts one subgraph process with extra environment; the bench's own `startSubgraph`. */
export type StartSubgraph = (extra: Record<string, string>) => Promise<Child>;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, index * size + size),
  );
}

async function pass(
  urls: readonly string[],
  lists: readonly string[][],
  offset: number,
  errors: Record<string, number>,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    lists.map(async (ids, index) => {
      const { body } = await postGraphQL(
        urls[(index + offset) % urls.length]!,
        IMAGE_LIST,
        { ids },
        { timeoutMs: 120_000 },
      );
      for (const error of body.errors ?? []) {
        const code = typeof error.extensions?.['code'] === 'string' ? error.extensions['code'] : 'UNKNOWN';
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }),
  );
  return performance.now() - started;
}

async function scenario(
  label: string,
  replicas: number,
  redis: RedisServer | null,
  start: StartSubgraph,
  emulator: RunningEmulator,
  tasks: TaskFactory,
  settings: ScaleOutSettings,
): Promise<ScaleOutScenario> {
  const env: Record<string, string> = {
    MPS_RATE_LIMIT_RPS: String(settings.ratePerSecond),
    // 300 calls at 20/s take 15 s: the default deadline would cut the last lists short.
    REQUEST_DEADLINE_MS: '60000',
    // Whole-response caches would answer a repeated list above the tiers this is about.
    RESPONSE_CACHE_MAX_BYTES: '0',
    ...(redis && { REDIS_URL: redis.url, REDIS_FALLBACK_RPS_SHARE: String(Math.floor(100 / replicas) / 100) }),
  };
  const children: Child[] = [];
  try {
    for (let index = 0; index < replicas; index += 1) children.push(await start(env));
    const urls = children.map((child) => child.url);
    const ids = tasks.image(settings.distinctIds);
    const first = chunks(ids, settings.idsPerRequest);
    // The repeats: each list's finished tasks again, in reverse order, on the next replica (the same one when there is one).
    const repeats = first.map((list) => [...list].reverse());
    emulator.resetCalls();
    const errors: Record<string, number> = {};
    const firstPassMs = await pass(urls, first, 0, errors);
    const repeatPassMs = await pass(urls, repeats, 1, errors);
    const arrivals = emulator
      .calls()
      .filter((call) => call.provider === 'tencent-mps')
      .map((call) => call.receivedAt);
    return {
      label,
      replicas,
      redis: redis !== null,
      requests: first.length + repeats.length,
      idsAsked: ids.length * 2,
      providerCalls: emulator.callCount({ provider: 'tencent-mps' }),
      busiestSecond: busiestWindow(arrivals),
      errors,
      firstPassMs,
      repeatPassMs,
    };
  } finally {
    for (const child of children) await child.stop();
  }
}

/** The cost of the shared tier on a hit: Redis's answer (one script round trip and a JSON parse) against the local LRU's. */
async function measureTierCost(redisUrl: string, samples: number): Promise<TierCost> {
  const seed = seedImageTasks().get(SEED.image.finishedSuccess)!;
  // No provider: every id answers the same parsed model, so only the tiers are timed.
  const plain: TaskSource<ImageTaskModel> = async (taskId) => parseImageTask(taskId, seed);
  const local = await sharedStack('tencent-mps', plain, isImageTaskModel, { localCacheEntries: 10_000 });
  const shared = await sharedStack('tencent-mps', plain, isImageTaskModel, { redisUrl, localCacheEntries: 0 });
  try {
    const ids = Array.from(
      { length: 200 },
      (_, index) => `24000089-WorkflowTask-tier${String(index).padStart(24, '0')}`,
    );
    for (const taskId of ids) {
      await local.upstream.source(taskId);
      await shared.upstream.source(taskId);
    }
    const redisMs: number[] = [];
    const localMs: number[] = [];
    const redisTally: CallTally = { upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
    const localTally: CallTally = { upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
    for (let index = 0; index < samples; index += 1) {
      const taskId = ids[index % ids.length]!;
      let started = performance.now();
      await shared.upstream.source(taskId, { tally: redisTally });
      redisMs.push(performance.now() - started);
      started = performance.now();
      await local.upstream.source(taskId, { tally: localTally });
      localMs.push(performance.now() - started);
    }
    const summary = (values: number[]) => ({
      p50: percentile(values, 50),
      p95: percentile(values, 95),
      p99: percentile(values, 99),
    });
    return {
      samples,
      redisHits: redisTally.sharedCacheHits ?? 0,
      localHits: localTally.cacheHits,
      redisMs: summary(redisMs),
      localMs: summary(localMs),
    };
  } finally {
    await local.close();
    await shared.close();
  }
}

export async function measureScaleOut(
  emulator: RunningEmulator,
  start: StartSubgraph,
  tasks: TaskFactory,
  settings: ScaleOutSettings,
): Promise<ScaleOutSummary> {
  const redis = await startRedisServer();
  try {
    const scenarios = [
      await scenario('1 replica', 1, null, start, emulator, tasks, settings),
      await scenario('3 replicas, no Redis', 3, null, start, emulator, tasks, settings),
      await scenario('3 replicas, one redis-server', 3, redis, start, emulator, tasks, settings),
    ];
    const tierCost = await measureTierCost(redis.url, settings.tierCostSamples);
    return { settings, scenarios, tierCost };
  } finally {
    await redis.stop();
  }
}
