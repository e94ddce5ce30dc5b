import { ProviderError } from '../../src/providers/errors.js';
import { RateLimiter, rateLimitedSource } from '../../src/upstream/rate-limiter.js';
import { FakeClock, flushPromises } from '../support/fake-clock.js';

/** The most calls that any one-second window [t, t + 1000) contains. */
function busiestWindow(times: readonly number[]): number {
  let most = 0;
  for (const start of times) most = Math.max(most, times.filter((t) => t >= start && t < start + 1000).length);
  return most;
}

describe('rate limiter', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock(0);
  });

  /** A limited source that records when each call actually went upstream. */
  function limited(ratePerSecond: number, maxQueue = 1000) {
    const sent: Array<{ taskId: string; at: number }> = [];
    const waits: number[] = [];
    let rejected = 0;
    const limiter = new RateLimiter({
      provider: 'tencent-mps',
      ratePerSecond,
      maxQueue,
      clock,
      events: {
        onRateLimitWait: (_provider, waitedMs) => waits.push(waitedMs),
        onRateLimitRejected: () => (rejected += 1),
      },
    });
    const source = rateLimitedSource(async (taskId: string) => {
      sent.push({ taskId, at: clock.now() });
      return taskId;
    }, limiter);
    return { source, limiter, sent, waits, rejected: () => rejected };
  }

  it('lets calls under budget go at once', async () => {
    const { source, sent, waits } = limited(5);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => source(id)));
    expect(sent.map((call) => call.at)).toEqual([0, 0, 0, 0, 0]);
    expect(waits).toEqual([]);
  });

  it('never lets more than the budget through in any one-second window, and serves everyone in arrival order', async () => {
    const { source, sent, limiter } = limited(5);
    const ids: string[] = [];
    const results: Array<Promise<string>> = [];
    // Bursts and trickles at awkward offsets: 60 calls over about 4 seconds.
    const arrivals = [0, 0, 0, 0, 0, 0, 0, 0, 10, 250, 250, 999, 1000, 1001, 1001, 1500, 1999, 2000, 2000, 2000];
    for (let round = 0; round < 3; round += 1) {
      for (const offset of arrivals) {
        const at = round * 1300 + offset;
        if (at > clock.now()) await clock.advance(at - clock.now());
        const id = `t${ids.length}`;
        ids.push(id);
        results.push(source(id));
      }
    }
    await clock.runAll();
    expect(await Promise.all(results)).toEqual(ids);
    expect(sent.map((call) => call.taskId)).toEqual(ids);
    expect(busiestWindow(sent.map((call) => call.at))).toBe(5);
    expect(limiter.queueLength).toBe(0);
  });

  it('lets the next call go exactly when the oldest of the last budget-many calls leaves the window', async () => {
    const { source, sent, waits } = limited(2);
    const calls = [source('a'), source('b'), source('c')];
    await clock.advance(999);
    expect(sent).toHaveLength(2);
    await clock.advance(1);
    await Promise.all(calls);
    expect(sent.map((call) => call.at)).toEqual([0, 0, 1000]);
    expect(waits).toEqual([1000]);
  });

  it('with a margin, lets a full burst go at once but the next one only a window plus the margin later', async () => {
    const sent: number[] = [];
    const limiter = new RateLimiter({ provider: 'tencent-mps', ratePerSecond: 3, maxQueue: 100, marginMs: 100, clock });
    const source = rateLimitedSource(async () => void sent.push(clock.now()), limiter);
    const calls = Array.from({ length: 7 }, () => source('t'));
    await clock.runAll();
    await Promise.all(calls);
    // Send delays that differ by less than 100 ms can no longer put 4 arrivals into one second.
    expect(sent).toEqual([0, 0, 0, 1100, 1100, 1100, 2200]);
  });

  it('fails at once with RATE_LIMITED, not retryable, when the queue is full', async () => {
    const { source, sent, rejected } = limited(1, 2);
    const calls = ['a', 'b', 'c', 'd'].map((id) => source(id).catch((error: unknown) => error));
    await flushPromises();
    const overflow = await calls[3];
    expect(overflow).toBeInstanceOf(ProviderError);
    expect(overflow).toMatchObject({ kind: 'RATE_LIMITED', retryable: false, provider: 'tencent-mps' });
    expect((overflow as Error).message).toMatch(/queue is full/);
    expect(rejected()).toBe(1);
    await clock.runAll();
    expect(await Promise.all(calls.slice(0, 3))).toEqual(['a', 'b', 'c']);
    expect(sent.map((call) => call.taskId)).toEqual(['a', 'b', 'c']);
  });

  it('with a queue of 0, never makes a call wait', async () => {
    const { source } = limited(1, 0);
    await source('a');
    await expect(source('b')).rejects.toMatchObject({ kind: 'RATE_LIMITED' });
  });

  it('drops a waiting call whose signal aborts, and it never goes upstream', async () => {
    const { source, sent, limiter } = limited(1);
    const controller = new AbortController();
    const first = source('a');
    const aborted = source('b', { signal: controller.signal });
    const third = source('c');
    expect(limiter.queueLength).toBe(2);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', retryable: false });
    expect(limiter.queueLength).toBe(1);
    await clock.runAll();
    await Promise.all([first, third]);
    expect(sent.map((call) => [call.taskId, call.at])).toEqual([
      ['a', 0],
      ['c', 1000],
    ]);
  });

  it('refuses a call whose signal has already aborted', async () => {
    const { source, sent } = limited(1);
    await expect(source('a', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(ProviderError);
    expect(sent).toHaveLength(0);
  });

  describe('sharing the queue between requests (issue 9)', () => {
    /** A limited source whose calls carry their owner; records who went when. */
    function owned(ratePerSecond: number, maxQueue: number) {
      const sent: string[] = [];
      let rejected = 0;
      const limiter = new RateLimiter({
        provider: 'tencent-mps',
        ratePerSecond,
        maxQueue,
        clock,
        events: { onRateLimitRejected: () => (rejected += 1) },
      });
      const source = rateLimitedSource(async (taskId: string) => {
        sent.push(taskId);
        return taskId;
      }, limiter);
      const call = (owner: string, taskId: string) => source(taskId, { owner }).catch((error: unknown) => error);
      return { limiter, sent, call, rejected: () => rejected };
    }

    it('grants round-robin between owners, FIFO within one, so a one-id request waits for one grant per other request', async () => {
      const { sent, call, limiter } = owned(1, 100);
      const flood = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => call('A', id));
      const other = ['c1', 'c2'].map((id) => call('C', id));
      const small = call('B', 'b1');
      expect(limiter.queueLength).toBe(7);
      expect(limiter.waitingOwners).toBe(3);
      await clock.runAll();
      await Promise.all([...flood, ...other, small]);
      expect(sent).toEqual(['a1', 'a2', 'c1', 'b1', 'a3', 'c2', 'a4', 'a5']);
      expect(limiter.queueLength).toBe(0);
      expect(limiter.waitingOwners).toBe(0);
    });

    it('with the queue full, a newcomer under its share evicts the newest waiter of the biggest holder, which fails with RATE_LIMITED', async () => {
      const { sent, call, limiter, rejected } = owned(1, 4);
      const flood = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => call('A', id));
      expect(limiter.queueLength).toBe(4);
      const b1 = call('B', 'b1');
      const b2 = call('B', 'b2');
      // B would now hold as many as A after one more eviction: B's third call is refused instead.
      const b3 = call('B', 'b3');
      expect(limiter.queueLengthOf('A')).toBe(2);
      expect(limiter.queueLengthOf('B')).toBe(2);
      expect(rejected()).toBe(3);
      for (const evicted of [flood[4], flood[3], b3]) {
        const error = await evicted;
        expect(error).toBeInstanceOf(ProviderError);
        expect(error).toMatchObject({ kind: 'RATE_LIMITED', retryable: false });
      }
      await clock.runAll();
      expect(await Promise.all([flood[0], flood[1], flood[2], b1, b2])).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
      expect(sent).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
    });

    it('never evicts between two requests holding equal shares', async () => {
      const { call, limiter, rejected } = owned(1, 4);
      const calls = [
        call('A', 'a0'),
        call('A', 'a1'),
        call('A', 'a2'),
        call('B', 'b1'),
        call('B', 'b2'),
        call('A', 'a3'),
        call('B', 'b3'),
      ];
      expect(limiter.queueLengthOf('A')).toBe(2);
      expect(limiter.queueLengthOf('B')).toBe(2);
      expect(rejected()).toBe(2);
      await clock.runAll();
      await Promise.all(calls);
    });

    it('keeps the budget in every window and serves everyone, with many owners arriving and leaving', async () => {
      const { limiter } = owned(3, 20);
      const sent: number[] = [];
      const source = rateLimitedSource(async (taskId: string) => {
        sent.push(clock.now());
        return taskId;
      }, limiter);
      const controllers: AbortController[] = [];
      const results: Array<Promise<unknown>> = [];
      for (let i = 0; i < 60; i += 1) {
        if (i % 7 === 0) await clock.advance(130);
        const controller = new AbortController();
        controllers.push(controller);
        results.push(
          source(`t${i}`, { owner: `r${i % 5}`, signal: controller.signal }).catch((error: unknown) => error),
        );
        // Some requests go away while their calls wait.
        if (i % 11 === 10) controllers[i - 3]?.abort();
      }
      await clock.runAll();
      const outcomes = await Promise.all(results);
      expect(busiestWindow(sent)).toBeLessThanOrEqual(3);
      expect(outcomes.filter((outcome) => typeof outcome === 'string')).toHaveLength(sent.length);
      expect(limiter.queueLength).toBe(0);
      expect(limiter.waitingOwners).toBe(0);
    });

    it("takes an aborted waiter out of its owner's place in the rotation", async () => {
      const { sent, limiter } = owned(1, 100);
      const source = rateLimitedSource(async (taskId: string) => {
        sent.push(taskId);
        return taskId;
      }, limiter);
      const b = new AbortController();
      const calls = [
        source('a1', { owner: 'A' }),
        source('a2', { owner: 'A' }),
        source('b1', { owner: 'B', signal: b.signal }).catch(() => 'aborted'),
        source('c1', { owner: 'C' }),
      ];
      expect(limiter.waitingOwners).toBe(3);
      b.abort();
      expect(limiter.waitingOwners).toBe(2);
      expect(limiter.queueLengthOf('B')).toBe(0);
      await clock.runAll();
      expect(await Promise.all(calls)).toEqual(['a1', 'a2', 'aborted', 'c1']);
      expect(sent).toEqual(['a1', 'a2', 'c1']);
    });
  });
});

describe('rate limiter, paced', () => {
  it('spaces grants (window + margin) / budget apart instead of granting a burst, and still never more than the budget in a window', async () => {
    const clock = new FakeClock(0);
    const sent: number[] = [];
    const limiter = new RateLimiter({
      provider: 'tencent-mps',
      ratePerSecond: 4,
      maxQueue: 100,
      marginMs: 200,
      pace: true,
      clock,
    });
    const source = rateLimitedSource(async () => void sent.push(clock.now()), limiter);
    const calls = Array.from({ length: 9 }, () => source('t'));
    await clock.runAll();
    await Promise.all(calls);
    // (1000 + 200) / 4 = 300 ms apart, from the first call on.
    expect(sent).toEqual([0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400]);
  });

  it('lets a lone call go at once when the last grant is a spacing old, and waits out the rest of the spacing otherwise', async () => {
    const clock = new FakeClock(0);
    const sent: number[] = [];
    const limiter = new RateLimiter({ provider: 'tencent-mps', ratePerSecond: 10, maxQueue: 100, pace: true, clock });
    const source = rateLimitedSource(async () => void sent.push(clock.now()), limiter);
    await source('a');
    await clock.advance(150);
    await source('b');
    const c = source('c');
    await clock.runAll();
    await c;
    expect(sent).toEqual([0, 150, 250]);
  });
});
