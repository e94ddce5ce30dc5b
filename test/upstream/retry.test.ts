import { ProviderError } from '../../src/providers/errors.js';
import { DeadlineExceededError } from '../../src/upstream/deadline.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, retryingSource, type RetryPolicy } from '../../src/upstream/retry.js';
import { FakeClock, flushPromises } from '../support/fake-clock.js';
import { newTally, providerError, scriptedSource } from './helpers.js';

const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

describe('backoff', () => {
  it('draws each wait uniformly below min(cap, base * 2^(attempt-1))', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, POLICY, () => 0.5))).toEqual([
      50, 100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(3, POLICY, () => 0)).toBe(0);
    expect(backoffDelayMs(3, POLICY, () => 0.999_999)).toBe(399);
    expect(backoffDelayMs(30, POLICY, () => 0.999_999)).toBe(1_999);
  });

  it('defaults to 3 attempts, 100 ms base, 2 s cap', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual(POLICY);
  });
});

describe('retrying source', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock(0);
  });

  function retrying(
    steps: Parameters<typeof scriptedSource>[0],
    options: { random?: () => number; policy?: RetryPolicy } = {},
  ) {
    const scripted = scriptedSource(steps);
    const retries: Array<{ attempt: number; delayMs: number; kind: string }> = [];
    let deadlines = 0;
    const source = retryingSource(scripted.source, {
      provider: 'tencent-mps',
      policy: options.policy ?? POLICY,
      defaultDeadlineMs: 15_000,
      clock,
      random: options.random ?? (() => 0.5),
      events: {
        onRetry: (_provider, attempt, error, delayMs) =>
          retries.push({ attempt, delayMs, kind: (error as ProviderError).kind }),
        onDeadlineExceeded: () => (deadlines += 1),
      },
    });
    return { source, calls: scripted.calls, retries, deadlines: () => deadlines };
  }

  /** Runs a lookup to the end on the fake clock and returns how it settled. */
  async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
    const outcome = promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await clock.runAll();
    return outcome;
  }

  it('retries a retryable failure and returns the answer of the attempt that worked', async () => {
    const { source, calls, retries } = retrying([
      providerError('RATE_LIMITED'),
      providerError('UPSTREAM_UNAVAILABLE'),
      'terminal',
    ]);
    const { value } = await settle(source('t1'));
    expect(value).toMatchObject({ taskId: 't1', call: 3 });
    expect(calls).toHaveLength(3);
    expect(retries).toEqual([
      { attempt: 2, delayMs: 50, kind: 'RATE_LIMITED' },
      { attempt: 3, delayMs: 100, kind: 'UPSTREAM_UNAVAILABLE' },
    ]);
  });

  it('stops after maxAttempts and fails with the last error', async () => {
    const last = providerError('RATE_LIMITED');
    const { source, calls } = retrying([providerError('RATE_LIMITED'), providerError('RATE_LIMITED'), last]);
    const { error } = await settle(source('t1'));
    expect(error).toBe(last);
    expect(calls).toHaveLength(3);
  });

  it('honours a different maxAttempts', async () => {
    const { source, calls } = retrying([providerError('UPSTREAM_UNAVAILABLE')], {
      policy: { ...POLICY, maxAttempts: 5 },
    });
    await settle(source('t1'));
    expect(calls).toHaveLength(5);
  });

  it.each([
    ['NOT_FOUND', providerError('NOT_FOUND')],
    ['AUTH_FAILED', providerError('AUTH_FAILED')],
    ['UPSTREAM_BAD_RESPONSE', providerError('UPSTREAM_BAD_RESPONSE')],
    ['a failure marked not retryable', providerError('UPSTREAM_UNAVAILABLE', { retryable: false })],
    ['an error that is not a ProviderError', new Error('bug')],
  ])('never retries %s', async (_what, failure) => {
    const { source, calls, retries } = retrying([failure, 'terminal']);
    const { error } = await settle(source('t1'));
    expect(error).toBe(failure);
    expect(calls).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('retries an error marked retryable whatever its kind (a reused nonce)', async () => {
    const { source, calls } = retrying([providerError('AUTH_FAILED', { retryable: true }), 'terminal']);
    await settle(source('t1'));
    expect(calls).toHaveLength(2);
  });

  it("waits at least the provider's Retry-After", async () => {
    const { source, calls, retries } = retrying([providerError('RATE_LIMITED', { retryAfterMs: 1_500 }), 'terminal']);
    const lookup = source('t1');
    await clock.advance(1_499);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    await lookup;
    expect(calls).toHaveLength(2);
    expect(retries[0]?.delayMs).toBe(1_500);
  });

  it('makes each attempt a fresh call with the deadline and its own abort signal', async () => {
    const { source, calls } = retrying([
      providerError('UPSTREAM_UNAVAILABLE'),
      providerError('UPSTREAM_UNAVAILABLE'),
      'terminal',
    ]);
    await settle(source('t1', { deadline: 10_000 }));
    expect(calls.map((call) => call.call?.deadline)).toEqual([10_000, 10_000, 10_000]);
    const signals = calls.map((call) => call.call?.signal);
    expect(signals.every((signal) => signal instanceof AbortSignal)).toBe(true);
    expect(new Set(signals).size).toBe(3);
  });

  it("counts each retry on the call's tally and hands the tally to every attempt", async () => {
    const { source, calls } = retrying([
      providerError('RATE_LIMITED'),
      providerError('UPSTREAM_UNAVAILABLE'),
      'terminal',
    ]);
    const tally = newTally();
    await settle(source('t1', { deadline: 10_000, tally }));
    expect(tally).toEqual({ ...newTally(), retries: 2 });
    expect(calls).toHaveLength(3);
    expect(calls.every((call) => call.call?.tally === tally)).toBe(true);
  });

  it('counts no retry for a failure it does not retry', async () => {
    const { source, calls } = retrying([providerError('NOT_FOUND')]);
    const tally = newTally();
    await settle(source('t1', { tally }));
    expect(calls).toHaveLength(1);
    expect(tally).toEqual(newTally());
  });

  it('counts no retry for a wait the deadline leaves no time for', async () => {
    // One 99 ms wait fits before the 250 ms deadline; the next (199 ms) would not.
    const { source, calls } = retrying([providerError('RATE_LIMITED'), providerError('RATE_LIMITED'), 'terminal'], {
      random: () => 0.999,
    });
    const tally = newTally();
    await settle(source('t1', { deadline: 250, tally }));
    expect(calls).toHaveLength(2);
    expect(tally).toEqual({ ...newTally(), retries: 1 });
  });

  it('retries a call without a tally just the same', async () => {
    const { source, calls, retries } = retrying([providerError('RATE_LIMITED'), 'terminal']);
    const { value } = await settle(source('t1', { deadline: 10_000 }));
    expect(value).toMatchObject({ call: 2 });
    expect(retries).toHaveLength(1);
    expect(calls.map((call) => call.call?.tally)).toEqual([undefined, undefined]);
  });

  it('gives a call without a deadline the default one', async () => {
    const { source, calls } = retrying(['terminal']);
    await source('t1');
    expect(calls[0]?.call?.deadline).toBe(15_000);
  });

  describe('deadline', () => {
    it('never starts a wait that would end past the deadline, and fails with the last error', async () => {
      const last = providerError('UPSTREAM_UNAVAILABLE');
      // Waits would be 99 ms, then 199 ms: the second would end at about 300 ms, past the 250 ms deadline.
      const { source, calls, deadlines } = retrying([providerError('RATE_LIMITED'), last, 'terminal'], {
        random: () => 0.999,
      });
      const { error } = await settle(source('t1', { deadline: 250 }));
      expect(error).toBe(last);
      expect(calls).toHaveLength(2);
      expect(deadlines()).toBe(1);
    });

    it('does not wait out a Retry-After longer than the time left', async () => {
      const throttled = providerError('RATE_LIMITED', { retryAfterMs: 60_000 });
      const { source, calls } = retrying([throttled, 'terminal']);
      const { error } = await settle(source('t1', { deadline: 15_000 }));
      expect(error).toBe(throttled);
      expect(calls).toHaveLength(1);
    });

    it('aborts an attempt still running at the deadline and fails with DeadlineExceededError', async () => {
      const { source, calls, deadlines } = retrying(['hang']);
      const lookup = source('t1', { deadline: 500 }).catch((error: unknown) => error);
      await clock.advance(499);
      expect(calls[0]?.call?.signal?.aborted).toBe(false);
      await clock.advance(1);
      const error = await lookup;
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect(error).toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', provider: 'tencent-mps' });
      expect((error as Error).message).toMatch(/deadline exceeded/);
      expect(calls[0]?.call?.signal?.aborted).toBe(true);
      expect(calls).toHaveLength(1);
      expect(deadlines()).toBe(1);
    });

    it('fails with the previous attempt’s error when a later attempt runs into the deadline', async () => {
      const throttled = providerError('RATE_LIMITED');
      const { source, calls } = retrying([throttled, 'hang']);
      const { error } = await settle(source('t1', { deadline: 1_000 }));
      expect(error).toBe(throttled);
      expect(calls).toHaveLength(2);
    });

    it('makes no call at all once the deadline has passed', async () => {
      await clock.advance(100);
      const { source, calls } = retrying(['terminal']);
      await expect(source('t1', { deadline: 100 })).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(calls).toHaveLength(0);
    });

    it('leaves no timer behind after an answer', async () => {
      const { source } = retrying(['terminal']);
      await source('t1', { deadline: 10_000 });
      expect(clock.pending).toBe(0);
    });
  });

  it('stops waiting and makes no further attempt when the caller aborts', async () => {
    const { source, calls } = retrying([providerError('RATE_LIMITED'), 'terminal']);
    const controller = new AbortController();
    const lookup = source('t1', { signal: controller.signal }).catch((error: unknown) => error);
    await flushPromises();
    controller.abort();
    const error = await lookup;
    expect(error).toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', retryable: false });
    expect((error as Error).message).toMatch(/aborted by the caller/);
    await clock.runAll();
    expect(calls).toHaveLength(1);
  });
});
