import { DeadlineExceededError } from '../../src/upstream/deadline.js';
import { sharedInFlight } from '../../src/upstream/in-flight.js';
import { measuredSource } from '../../src/upstream/measured.js';
import { retryingSource } from '../../src/upstream/retry.js';
import { FakeClock, flushPromises } from '../support/fake-clock.js';
import { deferred, newTally, providerError, scriptedSource, type Task } from './helpers.js';

describe('in-flight sharing', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock(0);
  });

  it('makes one upstream call for concurrent lookups of one task, and gives all of them its answer', async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    let shared = 0;
    const once = sharedInFlight(source, {
      provider: 'tencent-mps',
      clock,
      events: { onInFlightShared: () => (shared += 1) },
    });
    const lookups = Array.from({ length: 10 }, () => once('t1'));
    answer.resolve({ taskId: 't1', terminal: true, call: 1 });
    const results = await Promise.all(lookups);
    expect(calls).toHaveLength(1);
    expect(shared).toBe(9);
    expect(new Set(results).size).toBe(1);
  });

  it('shares a failure too, then forgets it so the next lookup asks again', async () => {
    const failure = deferred<Task>();
    const { source, calls } = scriptedSource([failure, 'terminal']);
    const once = sharedInFlight(source, { provider: 'tencent-mps', clock });
    const lookups = [once('t1'), once('t1')];
    const error = providerError('UPSTREAM_UNAVAILABLE');
    failure.reject(error);
    for (const lookup of lookups) await expect(lookup).rejects.toBe(error);
    await expect(once('t1')).resolves.toMatchObject({ terminal: true });
    expect(calls).toHaveLength(2);
  });

  it('never shares between different task ids', async () => {
    const { source, calls } = scriptedSource(['terminal']);
    const once = sharedInFlight(source, { provider: 'tencent-mps', clock });
    await Promise.all([once('a'), once('b'), once('a')]);
    expect(calls.map((call) => call.taskId)).toEqual(['a', 'b']);
  });

  it("runs the shared call under the first caller's deadline and owner, with a signal of its own", async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    const once = sharedInFlight(source, { provider: 'tencent-mps', clock });
    const first = new AbortController();
    const lookups = [
      once('t1', { deadline: 1_000, signal: first.signal, owner: 'r1' }),
      once('t1', { deadline: 2_000, owner: 'r2' }),
    ];
    first.abort();
    await expect(lookups[0]).rejects.toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', retryable: false });
    // The other caller still waits, so the shared call goes on.
    const shared = calls[0]?.call;
    expect(shared).toMatchObject({ deadline: 1_000, owner: 'r1' });
    expect(shared?.signal).not.toBe(first.signal);
    expect(shared?.signal?.aborted).toBe(false);
    answer.resolve({ taskId: 't1', terminal: true, call: 1 });
    await expect(lookups[1]).resolves.toMatchObject({ call: 1 });
    expect(calls).toHaveLength(1);
  });

  it("counts the one real call on the first caller's tally and a share on every later caller's", async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    // measuredSource is what counts upstream calls; under the sharing, as in production.
    const once = sharedInFlight(measuredSource(source, { provider: 'tencent-mps', clock }), {
      provider: 'tencent-mps',
      clock,
    });
    const first = newTally();
    const second = newTally();
    const third = newTally();
    const lookups = [
      once('t1', { deadline: 1_000, tally: first }),
      once('t1', { deadline: 2_000, tally: second }),
      once('t1', { tally: third }),
      once('t1', { tally: third }),
    ];
    answer.resolve({ taskId: 't1', terminal: true, call: 1 });
    await Promise.all(lookups);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.call).toMatchObject({ deadline: 1_000, tally: first });
    expect(calls[0]?.call?.tally).toBe(first);
    expect(first).toEqual({ ...newTally(), upstreamCalls: 1 });
    expect(second).toEqual({ ...newTally(), inFlightShared: 1 });
    expect(third).toEqual({ ...newTally(), inFlightShared: 2 });
  });

  it('shares a call whose first caller has no tally, counting only the sharers that have one', async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    const once = sharedInFlight(source, { provider: 'tencent-mps', clock });
    const sharer = newTally();
    const lookups = [once('t1'), once('t1', { tally: sharer })];
    answer.resolve({ taskId: 't1', terminal: true, call: 1 });
    expect(await Promise.all(lookups)).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.call?.tally).toBeUndefined();
    expect(sharer).toEqual({ ...newTally(), inFlightShared: 1 });
  });

  describe('reference counting', () => {
    it('aborts the shared call only when every caller has gone, and then starts afresh for the next', async () => {
      const { source, calls } = scriptedSource(['hang', 'terminal']);
      const once = sharedInFlight(source, { provider: 'tencent-mps', clock });
      const a = new AbortController();
      const b = new AbortController();
      const first = once('t1', { signal: a.signal });
      const second = once('t1', { signal: b.signal });
      a.abort();
      await expect(first).rejects.toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE' });
      expect(calls[0]?.call?.signal?.aborted).toBe(false);
      b.abort();
      await expect(second).rejects.toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE' });
      expect(calls[0]?.call?.signal?.aborted).toBe(true);
      await expect(once('t1')).resolves.toMatchObject({ call: 2 });
      expect(calls).toHaveLength(2);
    });

    it('refuses a caller whose signal has already aborted, without making a call it would then abandon', async () => {
      const { source, calls } = scriptedSource(['hang']);
      const once = sharedInFlight(source, { provider: 'tencent-mps', clock });
      await expect(once('t1', { signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE' });
      expect(calls).toHaveLength(0);
    });

    it('lets a caller due before the shared call stop at its own deadline, and the call go on for the others', async () => {
      const answer = deferred<Task>();
      const { source, calls } = scriptedSource([answer]);
      let deadlines = 0;
      const once = sharedInFlight(source, {
        provider: 'tencent-mps',
        clock,
        events: { onDeadlineExceeded: () => (deadlines += 1) },
      });
      const patient = once('t1', { deadline: 3_000 });
      const hurried = once('t1', { deadline: 1_000 });
      const hurriedFails = expect(hurried).rejects.toBeInstanceOf(DeadlineExceededError);
      await clock.advance(1_000);
      await hurriedFails;
      expect(deadlines).toBe(1);
      expect(calls[0]?.call?.signal?.aborted).toBe(false);
      answer.resolve({ taskId: 't1', terminal: true, call: 1 });
      await expect(patient).resolves.toMatchObject({ call: 1 });
      expect(calls).toHaveLength(1);
    });
  });

  describe("a later caller and the shared call's deadline (issue 11)", () => {
    /** Sharing over retries, as in production: the retry layer enforces each call's deadline. */
    function stack(steps: Parameters<typeof scriptedSource>[0]) {
      const scripted = scriptedSource(steps);
      const retried = retryingSource(scripted.source, {
        provider: 'tencent-mps',
        policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 },
        defaultDeadlineMs: 10_000,
        clock,
        random: () => 0,
      });
      return { once: sharedInFlight(retried, { provider: 'tencent-mps', clock }), calls: scripted.calls };
    }

    it('does not inherit a failure caused by an earlier deadline: it makes a fresh call under its own', async () => {
      const { once, calls } = stack(['hang', 'terminal']);
      const early = once('t1', { deadline: 1_000 });
      await clock.advance(500);
      const late = once('t1', { deadline: 3_000 });
      await flushPromises();
      expect(calls).toHaveLength(1);
      const earlyFails = expect(early).rejects.toBeInstanceOf(DeadlineExceededError);
      await clock.advance(500);
      await earlyFails;
      await expect(late).resolves.toMatchObject({ terminal: true, call: 2 });
      expect(calls).toHaveLength(2);
      expect(calls[1]?.call?.deadline).toBe(3_000);
    });

    it('also when the deadline left no time for a retry and the last provider error is what failed', async () => {
      // Throttled with a Retry-After that ends past the first caller's deadline.
      const { once, calls } = stack([providerError('RATE_LIMITED', { retryAfterMs: 800 }), 'terminal']);
      const early = once('t1', { deadline: 500 });
      const late = once('t1', { deadline: 3_000 });
      await expect(early).rejects.toMatchObject({ kind: 'RATE_LIMITED' });
      await clock.runAll();
      await expect(late).resolves.toMatchObject({ terminal: true });
      expect(calls).toHaveLength(2);
    });

    it('keeps one call per task: later callers retrying together share one fresh call', async () => {
      const { once, calls } = stack(['hang', 'terminal']);
      const tallies = [newTally(), newTally(), newTally()];
      const early = once('t1', { deadline: 1_000, tally: tallies[0]! });
      const later = [
        once('t1', { deadline: 3_000, tally: tallies[1]! }),
        once('t1', { deadline: 3_000, tally: tallies[2]! }),
      ];
      const earlyFails = expect(early).rejects.toBeInstanceOf(DeadlineExceededError);
      await clock.advance(1_000);
      await earlyFails;
      const results = await Promise.all(later);
      expect(calls).toHaveLength(2);
      expect(results[0]).toBe(results[1]);
      // The fresh call is counted on the request that made it, the other one shared it.
      expect(tallies.map((tally) => tally.inFlightShared)).toEqual([0, 1, 2]);
    });

    it("shares a failure the deadline did not cause, whatever the callers' deadlines", async () => {
      const { once, calls } = stack([providerError('NOT_FOUND'), 'terminal']);
      const lookups = [once('t1', { deadline: 1_000 }), once('t1', { deadline: 3_000 })];
      for (const lookup of lookups) await expect(lookup).rejects.toMatchObject({ kind: 'NOT_FOUND' });
      expect(calls).toHaveLength(1);
    });
  });
});
