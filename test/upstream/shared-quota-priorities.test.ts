/**
 * The shared quota's priority classes on a real redis-server: one replica's polls cannot take
 * the slots another replica's waiting queries need, beyond the background reserve.
 */
import { randomBytes } from 'node:crypto';
import type { CallPriority } from '../../src/sources/task-source.js';
import { systemClock } from '../../src/upstream/clock.js';
import { RateLimiter, rateLimitedSource } from '../../src/upstream/rate-limiter.js';
import { connectRedis } from '../../src/upstream/shared/connect.js';
import { probeKey } from '../../src/upstream/shared/keys.js';
import { redisQuota } from '../../src/upstream/shared/quota.js';
import { createRedisLink, type RedisLink } from '../../src/upstream/shared/redis-link.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

describe('shared quota priority classes (real redis-server)', () => {
  let redis: RedisServer;
  const links: RedisLink[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(links.splice(0).map((link) => link.close()));
    await redis.stop();
  });

  const clock = systemClock();
  const key = `test-${randomBytes(4).toString('hex')}:quota:tencent-mps`;
  const ratePerSecond = 10;
  const windowMs = 1000;

  async function replica(
    name: string,
    sent: Array<{ replica: string; taskId: string; at: number; priority: CallPriority }>,
  ) {
    const { client, subscriber } = await connectRedis(redis.url, 250);
    const link = createRedisLink({
      client,
      subscriber,
      clock,
      probeKey: probeKey('test-', name),
      probeIntervalMs: 200,
    });
    links.push(link);
    const shared = redisQuota({ link, key, ratePerSecond, windowMs, replicaId: name, reservedShare: 0.1 });
    const limiter = new RateLimiter({
      provider: 'tencent-mps',
      ratePerSecond,
      maxQueue: 1000,
      pace: true,
      clock,
      shared,
      reservedShare: 0.1,
    });
    return rateLimitedSource(async (taskId: string, call) => {
      sent.push({ replica: name, taskId, at: Date.now(), priority: call?.priority ?? 'interactive' });
      return taskId;
    }, limiter);
  }

  it("holds another replica's refresh polls to their reserve while queries wait, and lets them have the rest afterwards", async () => {
    const sent: Array<{ replica: string; taskId: string; at: number; priority: CallPriority }> = [];
    const a = await replica('a', sent);
    const b = await replica('b', sent);
    const polls = Array.from({ length: 30 }, (_, i) => a(`poll-${i}`, { owner: 'client-1', priority: 'refresh' }));
    // Wait until the polls have the quota to themselves, then ask for 10 interactive lookups on the other replica.
    while (sent.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const lookups = Array.from({ length: 10 }, (_, i) => b(`lookup-${i}`, { owner: `request-${i}` }));
    await Promise.all(lookups);
    const firstLookupAsked = sent.length;
    const lookupsAt = sent.filter((call) => call.replica === 'b').map((call) => call.at);
    const from = Math.min(...lookupsAt);
    const to = Math.max(...lookupsAt);
    const pollsMeanwhile = sent.filter((call) => call.replica === 'a' && call.at > from && call.at < to).length;
    // One refresh call per window the lookups spanned, at most (reserve: 10/s x 0.1 = 1).
    const windows = Math.floor((to - from) / windowMs) + 1;
    expect(pollsMeanwhile).toBeLessThanOrEqual(windows);
    expect(lookupsAt).toHaveLength(10);
    expect(firstLookupAsked).toBeGreaterThan(10);
    await Promise.all(polls);
    expect(sent.filter((call) => call.replica === 'a')).toHaveLength(30);
  });
});
