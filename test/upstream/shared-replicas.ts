/**
 * Replicas of the shared tier in one test process, for the tests against a real redis-server:
 * each its own Redis connections, caches, in-flight map and limiter, over a counting provider,
 * with every state transition and dropped entry recorded.
 */
import { randomBytes } from 'node:crypto';
import type { TaskSource } from '../../src/sources/task-source.js';
import { systemClock } from '../../src/upstream/clock.js';
import type { DropReason } from '../../src/upstream/shared/codec.js';
import { connectRedis } from '../../src/upstream/shared/connect.js';
import { probeKey } from '../../src/upstream/shared/keys.js';
import { createRedisLink, type RedisLink, type RedisState } from '../../src/upstream/shared/redis-link.js';
import { valueSeal } from '../../src/upstream/shared/seal.js';
import { boolean, number, object, string } from '../../src/upstream/shared/shape.js';
import { upstreamSource, type UpstreamPolicy, type UpstreamSource } from '../../src/upstream/upstream-source.js';
import type { Task } from './helpers.js';

export const isTask = object<Task>({ taskId: string, terminal: boolean, call: number });

/** The provider: counts calls, per task and in all. */
export function countingProvider(latencyMs = 5) {
  const calls = new Map<string, number>();
  let total = 0;
  const source: TaskSource<Task> = async (taskId) => {
    total += 1;
    calls.set(taskId, (calls.get(taskId) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return { taskId, terminal: true, call: total };
  };
  return { source, calls, total: () => total };
}

export const sharedPolicy = (ratePerSecond = 20): UpstreamPolicy => ({
  cache: { terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 2_000, maxEntries: 1000, maxBytes: 1 << 24 },
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
  rateLimit: { ratePerSecond, maxQueue: 1000, marginMs: 100 },
  defaultDeadlineMs: 15_000,
});

export interface ReplicaOptions {
  readonly prefix: string;
  readonly namespace: string;
  readonly valueKey?: string | null;
  readonly ratePerSecond?: number;
  readonly leaseMs?: number;
  /** Local cache entries; 0 sends every lookup to the shared tier. */
  readonly localEntries?: number;
  /** How long a running task's answer read for a poll stays in Redis (UpstreamPolicy.refreshRetainMs). */
  readonly refreshRetainMs?: number;
}

export interface Replica {
  readonly upstream: UpstreamSource<Task>;
  readonly link: RedisLink;
  readonly transitions: RedisState[];
  readonly dropped: DropReason[];
}

export class Replicas {
  private readonly links: RedisLink[] = [];

  constructor(private readonly redisUrl: string) {}

  async start(source: TaskSource<Task>, options: ReplicaOptions): Promise<Replica> {
    const clock = systemClock();
    const { client, subscriber } = await connectRedis(this.redisUrl, 250);
    // Lookups before the connection is ready would fall back, which is not what these tests are about.
    for (let waited = 0; (client.status !== 'ready' || subscriber.status !== 'ready') && waited < 5_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const replicaId = randomBytes(4).toString('hex');
    const transitions: RedisState[] = [];
    const dropped: DropReason[] = [];
    const link = createRedisLink({
      client,
      subscriber,
      clock,
      probeKey: probeKey(options.prefix, replicaId),
      probeIntervalMs: 200,
      onTransition: (state) => transitions.push(state),
    });
    this.links.push(link);
    const policy = sharedPolicy(options.ratePerSecond);
    const upstream = upstreamSource(
      'tencent-mps',
      source,
      {
        ...policy,
        cache: { ...policy.cache, maxEntries: options.localEntries ?? 1000 },
        ...(options.refreshRetainMs !== undefined && { refreshRetainMs: options.refreshRetainMs }),
      },
      {
        clock,
        random: Math.random,
        shared: {
          link,
          keyPrefix: options.prefix,
          namespace: options.namespace,
          accepts: isTask,
          seal: valueSeal(options.valueKey ?? null),
          onValueDropped: (_provider, reason) => dropped.push(reason),
          leaseMs: options.leaseMs ?? 3_000,
          fallbackRpsShare: 0.5,
          replicaId,
          token: () => randomBytes(8).toString('hex'),
        },
      },
    );
    // Let the subscriber subscribe to the done channel before the first lookup.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { upstream, link, transitions, dropped };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.links.splice(0).map((link) => link.close()));
  }
}
