import { ProviderError } from '../../src/providers/errors.js';
import { cachePolicy, cachedSource, DEFAULT_CACHE_TTLS, type CacheTtls } from '../../src/upstream/cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { newTally, providerError, scriptedSource } from './helpers.js';

const TTLS: CacheTtls = { terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 5_000 };

describe('cachePolicy', () => {
  it('keeps a terminal task for the terminal TTL and a running one for the running TTL', () => {
    expect(cachePolicy({ terminal: true }, TTLS)).toEqual({ ttlMs: 600_000, maxAgeSeconds: 600 });
    expect(cachePolicy({ terminal: false }, TTLS)).toEqual({ ttlMs: 2_000, maxAgeSeconds: 2 });
  });

  it('keeps NOT_FOUND briefly and no other error at all', () => {
    expect(cachePolicy(providerError('NOT_FOUND'), TTLS)).toEqual({ ttlMs: 5_000, maxAgeSeconds: 5 });
    for (const kind of ['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE', 'AUTH_FAILED', 'BAD_INPUT', 'FORBIDDEN'] as const) {
      expect(cachePolicy(providerError(kind), TTLS)).toEqual({ ttlMs: 0, maxAgeSeconds: 0 });
    }
    expect(cachePolicy(new Error('bug'), TTLS)).toEqual({ ttlMs: 0, maxAgeSeconds: 0 });
  });

  it('never promises a max-age longer than the TTL', () => {
    expect(cachePolicy({ terminal: false }, { ...TTLS, runningTtlMs: 1_500 }).maxAgeSeconds).toBe(1);
    expect(cachePolicy({ terminal: false }, { ...TTLS, runningTtlMs: 999 }).maxAgeSeconds).toBe(0);
  });

  it('defaults to 10 minutes for terminal tasks and 2 seconds otherwise', () => {
    expect(DEFAULT_CACHE_TTLS).toEqual({ terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 2_000 });
    expect(cachePolicy({ terminal: true }).maxAgeSeconds).toBe(600);
  });
});

describe('cached source', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  function cached(steps: Parameters<typeof scriptedSource>[0], maxEntries = 100) {
    const scripted = scriptedSource(steps);
    const events = { hits: 0, misses: 0 };
    const source = cachedSource(scripted.source, {
      provider: 'tencent-mps',
      ttls: TTLS,
      maxEntries,
      clock,
      events: { onCacheHit: () => (events.hits += 1), onCacheMiss: () => (events.misses += 1) },
    });
    return { source, calls: scripted.calls, events };
  }

  it('answers a terminal task from the cache until the terminal TTL has passed', async () => {
    const { source, calls, events } = cached(['terminal']);
    await source('t1');
    await clock.advance(599_999);
    expect((await source('t1')).call).toBe(1);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    expect((await source('t1')).call).toBe(2);
    expect(events).toEqual({ hits: 1, misses: 2 });
  });

  it('asks again for a running task once the running TTL has passed, and keeps it once it is terminal', async () => {
    const { source, calls } = cached(['running', 'terminal']);
    expect((await source('t1')).terminal).toBe(false);
    await clock.advance(1_999);
    await source('t1');
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    expect((await source('t1')).terminal).toBe(true);
    await clock.advance(60_000);
    await source('t1');
    expect(calls).toHaveLength(2);
  });

  it('keeps a NOT_FOUND answer for its TTL and rethrows it', async () => {
    const notFound = providerError('NOT_FOUND');
    const { source, calls } = cached([notFound, 'terminal']);
    await expect(source('gone')).rejects.toBe(notFound);
    await clock.advance(4_999);
    await expect(source('gone')).rejects.toBe(notFound);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    await expect(source('gone')).resolves.toMatchObject({ terminal: true });
    expect(calls).toHaveLength(2);
  });

  it.each(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE', 'AUTH_FAILED'] as const)('never keeps a %s failure', async (kind) => {
    const { source, calls } = cached([providerError(kind), 'terminal']);
    await expect(source('t1')).rejects.toBeInstanceOf(ProviderError);
    await expect(source('t1')).resolves.toMatchObject({ terminal: true });
    expect(calls).toHaveLength(2);
  });

  it('keys by task id and holds at most maxEntries, least recently used out first', async () => {
    const { source, calls } = cached(['terminal'], 2);
    await source('a');
    await source('b');
    await source('a');
    await source('c'); // evicts b
    expect(calls.map((call) => call.taskId)).toEqual(['a', 'b', 'c']);
    await source('a');
    await source('b');
    expect(calls.map((call) => call.taskId)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('passes the call (deadline, signal, tally) through on a miss', async () => {
    const { source, calls } = cached(['terminal']);
    const tally = newTally();
    await source('t1', { deadline: 42, tally });
    expect(calls[0]?.call).toEqual({ deadline: 42, tally });
    expect(calls[0]?.call?.tally).toBe(tally);
  });

  it("counts each hit and miss on the tally of the call that made it", async () => {
    const { source, events } = cached(['terminal']);
    const first = newTally();
    const second = newTally();
    await source('t1', { tally: first });
    await source('t1', { tally: second });
    await source('t2', { tally: second });
    await source('t1', { tally: second });
    expect(first).toEqual({ ...newTally(), cacheMisses: 1 });
    expect(second).toEqual({ ...newTally(), cacheHits: 2, cacheMisses: 1 });
    expect(events).toEqual({ hits: 2, misses: 2 });
  });

  it('answers a call without a tally just the same, counting it in the events only', async () => {
    const { source, calls, events } = cached(['terminal']);
    const tally = newTally();
    await source('t1', { tally });
    expect((await source('t1')).call).toBe(1);
    expect((await source('t1', { deadline: 42 })).call).toBe(1);
    expect(calls).toHaveLength(1);
    expect(tally).toEqual({ ...newTally(), cacheMisses: 1 });
    expect(events).toEqual({ hits: 2, misses: 1 });
  });

  it('is off with maxEntries 0', async () => {
    const { source, calls } = cached(['terminal'], 0);
    await source('t1');
    await source('t1');
    expect(calls).toHaveLength(2);
  });
});
