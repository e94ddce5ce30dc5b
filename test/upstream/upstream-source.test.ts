import type { ProviderName } from '../../src/providers/errors.js';
import { upstreamEvents, type UpstreamOutcome } from '../../src/upstream/events.js';
import { upstreamSource, type UpstreamPolicy } from '../../src/upstream/upstream-source.js';
import { FakeClock } from '../support/fake-clock.js';
import { newTally, providerError, scriptedSource } from './helpers.js';

const POLICY: UpstreamPolicy = {
  cache: { terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 2_000, maxEntries: 100, maxBytes: 1_048_576 },
  retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 },
  rateLimit: { ratePerSecond: 20, maxQueue: 100 },
  defaultDeadlineMs: 15_000,
};

describe('upstream source (cache, in-flight sharing, retry, rate limit composed)', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock(0);
  });

  function composed(steps: Parameters<typeof scriptedSource>[0], policy: UpstreamPolicy = POLICY) {
    const scripted = scriptedSource(steps);
    const sentAt: number[] = [];
    const log = { hits: 0, misses: 0, shared: 0, retries: 0, waits: 0, outcomes: [] as UpstreamOutcome[] };
    const plain = (taskId: string, call?: Parameters<typeof scripted.source>[1]) => {
      sentAt.push(clock.now());
      return scripted.source(taskId, call);
    };
    const { source } = upstreamSource('alibaba-ice', plain, policy, {
      clock,
      random: () => 0.5,
      events: {
        onCacheHit: () => (log.hits += 1),
        onCacheMiss: () => (log.misses += 1),
        onInFlightShared: () => (log.shared += 1),
        onRetry: () => (log.retries += 1),
        onRateLimitWait: () => (log.waits += 1),
        onUpstreamCall: (_provider: ProviderName, outcome) => log.outcomes.push(outcome),
      },
    });
    return { source, calls: scripted.calls, sentAt, log };
  }

  it('shares one retry sequence between concurrent lookups, then answers from the cache', async () => {
    const { source, calls, log } = composed([providerError('RATE_LIMITED'), providerError('RATE_LIMITED'), 'terminal']);
    const lookups = Array.from({ length: 5 }, () => source('t1', { deadline: 15_000 }));
    await clock.runAll();
    const results = await Promise.all(lookups);
    expect(results.every((task) => task.call === 3)).toBe(true);
    expect(calls).toHaveLength(3);
    expect(log).toMatchObject({ misses: 5, shared: 4, retries: 2, outcomes: ['RATE_LIMITED', 'RATE_LIMITED', 'OK'] });

    await source('t1', { deadline: 30_000 });
    expect(calls).toHaveLength(3);
    expect(log.hits).toBe(1);
  });

  it("counts each request's lookups on its own tally: the real call and its retries on the first, a share on the other", async () => {
    const { source, calls } = composed([providerError('RATE_LIMITED'), providerError('RATE_LIMITED'), 'terminal']);
    const first = newTally();
    const second = newTally();
    const lookups = [
      source('t1', { deadline: 15_000, tally: first }),
      source('t1', { deadline: 15_000, tally: second }),
      source('t1'),
    ];
    await clock.runAll();
    await Promise.all(lookups);
    expect(calls).toHaveLength(3);
    expect(first).toEqual({
      upstreamCalls: 3,
      cacheHits: 0,
      cacheMisses: 1,
      inFlightShared: 0,
      retries: 2,
      rateLimitWaitMs: 0,
    });
    expect(second).toEqual({ upstreamCalls: 0, cacheHits: 0, cacheMisses: 1, inFlightShared: 1, retries: 0 });

    const later = newTally();
    await source('t1', { deadline: 30_000, tally: later });
    expect(later).toEqual({ upstreamCalls: 0, cacheHits: 1, cacheMisses: 0, inFlightShared: 0, retries: 0 });
  });

  it('makes every attempt, retries included, take a turn from the rate limiter', async () => {
    const policy = { ...POLICY, rateLimit: { ratePerSecond: 1, maxQueue: 100 } };
    const { source, sentAt, log } = composed([providerError('UPSTREAM_UNAVAILABLE'), 'terminal'], policy);
    const lookup = source('t1', { deadline: 15_000 });
    await clock.runAll();
    await lookup;
    // The retry's 50 ms backoff is not enough: the budget holds it until the window has moved on.
    expect(sentAt).toEqual([0, 1_000]);
    expect(log.waits).toBe(1);
  });

  it('counts a wait in the rate limiter against the deadline', async () => {
    const policy = { ...POLICY, rateLimit: { ratePerSecond: 1, maxQueue: 100 } };
    const { source, calls } = composed(['terminal'], policy);
    await source('a', { deadline: 500 });
    const late = source('b', { deadline: 500 }).catch((error: unknown) => error);
    await clock.runAll();
    expect(await late).toMatchObject({ name: 'DeadlineExceededError', kind: 'UPSTREAM_UNAVAILABLE' });
    expect(calls.map((call) => call.taskId)).toEqual(['a']);
  });

  it('keeps a NOT_FOUND answer without retrying it', async () => {
    const { source, calls } = composed([providerError('NOT_FOUND')]);
    await expect(source('gone')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    await expect(source('gone')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    expect(calls).toHaveLength(1);
  });
});

describe('upstream events', () => {
  it('are no-ops when nobody subscribes', () => {
    const events = upstreamEvents();
    expect(() => events.onRetry('tencent-mps', 2, new Error('x'), 10)).not.toThrow();
  });

  it('ignore a subscriber that throws', () => {
    const events = upstreamEvents({
      onCacheHit: () => {
        throw new Error('broken metric');
      },
    });
    expect(() => events.onCacheHit('tencent-mps')).not.toThrow();
  });
});
