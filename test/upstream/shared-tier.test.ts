/**
 * The shared tier against a real redis-server: three upstream stacks in one test process stand
 * for three replicas (each with its own Redis connections, caches, in-flight maps and limiter),
 * over one counting provider. Counts, not times: provider calls, tiers that answered, and the
 * busiest one-second window of the calls' arrival times.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TaskSource } from '../../src/sources/task-source.js';
import { systemClock } from '../../src/upstream/clock.js';
import { connectRedis } from '../../src/upstream/shared/connect.js';
import { probeKey, sharedKeys } from '../../src/upstream/shared/keys.js';
import { createRedisLink, type RedisLink, type RedisState } from '../../src/upstream/shared/redis-link.js';
import { valueSeal } from '../../src/upstream/shared/seal.js';
import { boolean, number, object, string } from '../../src/upstream/shared/shape.js';
import { upstreamSource, type UpstreamPolicy, type UpstreamSource } from '../../src/upstream/upstream-source.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { newTally, providerError } from './helpers.js';

interface Task {
  readonly taskId: string;
  readonly terminal: boolean;
  readonly call: number;
}

const clock = systemClock();
const isTask = object<Task>({ taskId: string, terminal: boolean, call: number });
const NAMESPACE = 'deployment-a';

function busiestWindow(times: readonly number[]): number {
  let most = 0;
  for (const start of times) most = Math.max(most, times.filter((t) => t >= start && t < start + 1000).length);
  return most;
}

/** The provider: counts calls per task, records arrival times, answers after `latencyMs`. */
function provider(
  options: { latencyMs?: number; terminal?: (taskId: string) => boolean; notFound?: (taskId: string) => boolean } = {},
) {
  const calls = new Map<string, number>();
  const arrivals: number[] = [];
  let total = 0;
  const source: TaskSource<Task> = async (taskId) => {
    total += 1;
    arrivals.push(Date.now());
    calls.set(taskId, (calls.get(taskId) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 20));
    if (options.notFound?.(taskId)) throw providerError('NOT_FOUND');
    return { taskId, terminal: options.terminal?.(taskId) ?? true, call: total };
  };
  return { source, calls, arrivals, total: () => total };
}

const policy = (ratePerSecond = 20): UpstreamPolicy => ({
  cache: { terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 2_000, maxEntries: 1000, maxBytes: 1 << 24 },
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
  rateLimit: { ratePerSecond, maxQueue: 1000, marginMs: 100 },
  defaultDeadlineMs: 15_000,
});

describe('shared tier (real redis-server)', () => {
  let redis: RedisServer;
  const links: RedisLink[] = [];
  let prefix: string;
  let transitions: RedisState[];
  let dropped: string[];

  beforeAll(async () => {
    redis = await startRedisServer({ password: 'redis-test-password-4242' });
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(() => {
    prefix = `test-${randomBytes(4).toString('hex')}:`;
    transitions = [];
    dropped = [];
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((link) => link.close()));
  });

  interface ReplicaOptions {
    readonly namespace?: string;
    readonly valueKey?: string | null;
  }

  async function replica(
    source: TaskSource<Task>,
    ratePerSecond = 20,
    leaseMs = 3_000,
    options: ReplicaOptions = {},
  ): Promise<UpstreamSource<Task>> {
    const { client, subscriber } = await connectRedis(redis.url, 250);
    const replicaId = randomBytes(4).toString('hex');
    const link = createRedisLink({
      client,
      subscriber,
      clock,
      probeKey: probeKey(prefix, replicaId),
      probeIntervalMs: 200,
      onTransition: (state) => transitions.push(state),
    });
    links.push(link);
    return upstreamSource('tencent-mps', source, policy(ratePerSecond), {
      clock,
      random: Math.random,
      shared: {
        link,
        keyPrefix: prefix,
        namespace: options.namespace ?? NAMESPACE,
        accepts: isTask,
        seal: valueSeal(options.valueKey ?? null),
        onValueDropped: (_provider, reason) => dropped.push(reason),
        leaseMs,
        fallbackRpsShare: 1 / 3,
        replicaId,
        token: () => randomBytes(8).toString('hex'),
      },
    });
  }

  async function replicas(
    source: TaskSource<Task>,
    ratePerSecond = 20,
    leaseMs = 3_000,
  ): Promise<UpstreamSource<Task>[]> {
    const all = [
      await replica(source, ratePerSecond, leaseMs),
      await replica(source, ratePerSecond, leaseMs),
      await replica(source, ratePerSecond, leaseMs),
    ];
    // Let the subscriber connections subscribe before the first lookup.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return all;
  }

  it('makes one provider call for concurrent lookups of one task on three replicas', async () => {
    const upstream = provider({ latencyMs: 100 });
    const stacks = await replicas(upstream.source);
    const tallies = stacks.flatMap(() => [newTally(), newTally(), newTally()]);
    const answers = await Promise.all(tallies.map((tally, index) => stacks[index % 3]!.source('task-1', { tally })));
    expect(upstream.total()).toBe(1);
    expect(new Set(answers.map((answer) => answer.call))).toEqual(new Set([1]));
    const sum = (key: 'sharedInFlight' | 'sharedCacheHits' | 'inFlightShared') =>
      tallies.reduce((total, tally) => total + (tally[key] ?? 0), 0);
    // Six lookups joined their own replica's call, and the two other replicas waited on the lease holder's.
    expect(sum('inFlightShared')).toBe(6);
    expect(sum('sharedInFlight')).toBe(2);
  });

  it('answers a finished task fetched on one replica from the shared cache on the others, and a NOT_FOUND too', async () => {
    const upstream = provider({ notFound: (taskId) => taskId === 'missing' });
    const [a, b, c] = await replicas(upstream.source);
    await a!.source('done-1');
    await expect(a!.source('missing')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    const tally = newTally();
    await b!.source('done-1', { tally });
    await c!.source('done-1', { tally });
    await expect(b!.source('missing', { tally })).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    expect(upstream.total()).toBe(2);
    expect(tally.sharedCacheHits).toBe(3);
    // The local tier answers a hot task with no Redis round trip.
    await b!.source('done-1', { tally });
    expect(tally.sharedCacheHits).toBe(3);
    expect(tally.cacheHits).toBe(1);
  });

  it('keeps a running task in the local tier no longer than it had left in Redis', async () => {
    const upstream = provider({ terminal: () => false });
    const [a, b] = await replicas(upstream.source);
    await a!.source('running-1');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await b!.source('running-1');
    expect(upstream.total()).toBe(1);
    // 2 s after the first call, both the Redis entry and b's local copy of it are gone.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await b!.source('running-1');
    expect(upstream.total()).toBe(2);
  });

  it('keeps three replicas within one budget, counted in every one-second window of arrivals', async () => {
    const upstream = provider({ latencyMs: 5 });
    const stacks = await replicas(upstream.source, 10);
    const ids = Array.from({ length: 36 }, (_, index) => `quota-${index}`);
    await Promise.all(ids.map((id, index) => stacks[index % 3]!.source(id, { owner: `request-${index % 4}` })));
    expect(upstream.total()).toBe(36);
    expect(busiestWindow(upstream.arrivals)).toBeLessThanOrEqual(10);
  }, 20_000);

  it('takes over a task whose lease holder stalled, once the lease expires', async () => {
    const upstream = provider();
    const [a] = await replicas(upstream.source, 20, 400);
    // Another replica claimed the task and then went silent (no answer, no renewal).
    const raw = new Redis(redis.url);
    await raw.set(sharedKeys(prefix, 'tencent-mps', NAMESPACE).lease('stalled-1'), 'someone-else', 'PX', 400);
    await raw.quit();
    const tally = newTally();
    const answer = await a!.source('stalled-1', { tally });
    expect(answer.taskId).toBe('stalled-1');
    expect(upstream.total()).toBe(1);
    expect(tally.sharedInFlight).toBe(1);
  });

  it('answers every lookup while Redis is down, keeps to its share, and resumes shared mode when Redis is back', async () => {
    const upstream = provider({ latencyMs: 5 });
    const [a, b] = await replicas(upstream.source, 9);
    await a!.source('before-1');
    await redis.kill();
    // Down: each replica answers alone, with 1/3 of the budget (3 calls a window).
    const ids = Array.from({ length: 8 }, (_, index) => `down-${index}`);
    const started = upstream.total();
    await Promise.all(ids.map((id) => a!.source(id)));
    expect(upstream.total() - started).toBe(8);
    expect(busiestWindow(upstream.arrivals.slice(started))).toBeLessThanOrEqual(3);
    expect(transitions).toContain('down');
    await redis.restart();
    // The client reconnects by itself; the next probe finds Redis answering.
    for (let attempt = 0; attempt < 50 && transitions.filter((state) => state === 'up').length < 2; attempt += 1) {
      await Promise.all([a!.source(`probe-a-${attempt}`), b!.source(`probe-b-${attempt}`)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // One warning per replica and transition, not one per lookup (the third replica made none, so it has not probed yet).
    expect(transitions.filter((state) => state === 'down').length).toBe(3);
    expect(transitions.filter((state) => state === 'up').length).toBe(2);
    const before = upstream.total();
    await a!.source('after-1');
    await b!.source('after-1');
    expect(upstream.total() - before).toBe(1);
  }, 30_000);
});
