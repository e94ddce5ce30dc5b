/**
 * A real redis-server that refuses writes (maxmemory reached under noeviction) while reads and
 * PUBLISH still succeed: the shared tier calls that degraded, says so once, keeps reading what is
 * stored, asks the provider for the rest with no lease and no quota flip-flopping, and resumes
 * shared mode once writes succeed again. Counts: transitions, provider calls, quota answers.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { QuotaAnswer, SharedQuota } from '../../src/upstream/rate-limiter.js';
import { RateLimiter } from '../../src/upstream/rate-limiter.js';
import { systemClock } from '../../src/upstream/clock.js';
import { redisQuota } from '../../src/upstream/shared/quota.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { newTally } from './helpers.js';
import { countingProvider, Replicas } from './shared-replicas.js';

const NAMESPACE = 'degraded-test';

describe('a Redis that refuses writes (real redis-server)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let replicas: Replicas;
  let prefix: string;

  beforeAll(async () => {
    redis = await startRedisServer({ password: 'degraded-test-password' });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });
  beforeEach(async () => {
    prefix = `test-${randomBytes(4).toString('hex')}:`;
    replicas = new Replicas(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
  });
  afterEach(async () => {
    await admin.config('SET', 'maxmemory', '0');
    await replicas.closeAll();
  });

  const refuseWrites = async (): Promise<void> => {
    await admin.config('SET', 'maxmemory', '1');
  };
  const takeWrites = async (): Promise<void> => {
    await admin.config('SET', 'maxmemory', '0');
  };

  it('is degraded once, reads stored answers, calls the provider for the rest, and resumes shared mode', async () => {
    const provider = countingProvider();
    const a = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, localEntries: 0 });
    const b = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, localEntries: 0 });
    await a.upstream.source('stored-1');
    expect(provider.total()).toBe(1);
    await refuseWrites();

    // Ten sequential lookups of uncached tasks: each one provider call, one transition in all.
    for (let index = 0; index < 10; index += 1) await a.upstream.source(`uncached-${index}`);
    expect(provider.total()).toBe(11);
    expect(a.transitions).toEqual(['degraded']);
    expect(a.link.state()).toBe('degraded');
    // Still read while degraded: the answer stored before costs no call, on either replica.
    const tally = newTally();
    await a.upstream.source('stored-1', { tally });
    await b.upstream.source('stored-1', { tally });
    expect(tally.sharedCacheHits).toBe(2);
    expect(provider.total()).toBe(11);
    // b finds out on its first write, and goes straight to the provider rather than waiting on a lease.
    await b.upstream.source('uncached-b');
    expect(b.transitions).toEqual(['degraded']);
    expect(provider.total()).toBe(12);

    await takeWrites();
    for (let attempt = 0; attempt < 50 && a.link.state() !== 'up'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await a.upstream.source('stored-1');
    }
    expect(a.transitions).toEqual(['degraded', 'up']);
    // Shared again: a task asked on a is answered on b from Redis.
    const before = provider.total();
    await a.upstream.source('after-1');
    for (let attempt = 0; attempt < 50 && b.link.state() !== 'up'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await b.upstream.source('stored-1');
    }
    await b.upstream.source('after-1');
    expect(provider.total() - before).toBe(1);
    expect(b.transitions).toEqual(['degraded', 'up']);
    expect([...a.dropped, ...b.dropped]).toEqual([]);
  });

  it('releases the lease and wakes the waiters when the answer cannot be stored', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const slow = async (taskId: string) => {
      calls += 1;
      if (calls === 1) await held;
      return { taskId, terminal: true, call: calls };
    };
    const a = await replicas.start(slow, { prefix, namespace: NAMESPACE, leaseMs: 10_000 });
    const b = await replicas.start(slow, { prefix, namespace: NAMESPACE, leaseMs: 10_000 });
    const first = a.upstream.source('held-1');
    for (let attempt = 0; attempt < 100 && calls === 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const tally = newTally();
    // b waits on a's lease, with a deadline far shorter than the lease: only a's announcement can wake it in time.
    const second = b.upstream.source('held-1', { tally, deadline: Date.now() + 3_000 });
    for (let attempt = 0; attempt < 100 && (tally.sharedInFlight ?? 0) === 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(tally.sharedInFlight).toBe(1);
    await refuseWrites();
    release();
    expect((await first).call).toBe(1);
    expect((await second).taskId).toBe('held-1');
    expect(calls).toBe(2);
    expect(a.transitions).toEqual(['degraded']);
    expect(b.transitions).toEqual(['degraded']);
  });

  it('keeps the shared quota answering "unavailable" throughout, so the limiter falls back once, not once per lookup', async () => {
    const provider = countingProvider();
    const a = await replicas.start(provider.source, { prefix, namespace: NAMESPACE });
    const answers: QuotaAnswer[] = [];
    const quota = redisQuota({
      link: a.link,
      key: `${prefix}quota:probe-test`,
      ratePerSecond: 50,
      windowMs: 1_100,
      replicaId: 'quota-test',
    });
    const counted: SharedQuota = {
      take: async () => {
        const answer = await quota.take();
        answers.push(answer);
        return answer;
      },
    };
    const limiter = new RateLimiter({
      provider: 'tencent-mps',
      ratePerSecond: 50,
      maxQueue: 100,
      marginMs: 100,
      pace: true,
      clock: systemClock(),
      shared: counted,
      fallbackRatePerSecond: 25,
    });
    await limiter.acquire();
    expect(answers).toEqual([{ granted: true }]);
    await refuseWrites();
    // The first refused write tells the link (a quota script alone would not: once it has called a
    // write command, Redis lets the rest of it write even over maxmemory).
    await a.upstream.source('first-refused');
    expect(a.transitions).toEqual(['degraded']);
    const granted = answers.length;
    // Lookups go on for longer than several probe intervals: the probes are refused, and nothing flips the link back.
    for (let index = 0; index < 20; index += 1) {
      await limiter.acquire();
      await a.upstream.source(`quota-${index}`);
    }
    // Every question while degraded is answered "unavailable" (a waiter asks again after its wait), none "granted" or "wait".
    expect(answers.length - granted).toBeGreaterThanOrEqual(20);
    expect(answers.slice(granted).filter((answer) => answer !== null)).toEqual([]);
    expect(a.transitions).toEqual(['degraded']);
    await takeWrites();
    for (let attempt = 0; attempt < 50 && a.link.state() !== 'up'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await a.upstream.source('stored-after');
    }
    await limiter.acquire();
    expect(answers[answers.length - 1]).toEqual({ granted: true });
    expect(a.transitions).toEqual(['degraded', 'up']);
  }, 30_000);
});
