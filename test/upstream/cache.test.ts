import { ProviderError } from '../../src/providers/errors.js';
import {
  cachePolicy,
  cachePolicyAt,
  cachedSource,
  DEFAULT_CACHE_TTLS,
  MAX_ENTRY_SHARE,
  type CacheTtls,
} from '../../src/upstream/cache.js';
import type { TaskCall } from '../../src/sources/task-source.js';
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
    for (const kind of [
      'RATE_LIMITED',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_BAD_RESPONSE',
      'AUTH_FAILED',
      'BAD_INPUT',
      'FORBIDDEN',
    ] as const) {
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

  function cached(steps: Parameters<typeof scriptedSource>[0], maxEntries = 100, maxBytes = 1_048_576) {
    const scripted = scriptedSource(steps);
    const events = { hits: 0, misses: 0 };
    const { source, size } = cachedSource(scripted.source, {
      provider: 'tencent-mps',
      ttls: TTLS,
      maxEntries,
      maxBytes,
      clock,
      events: { onCacheHit: () => (events.hits += 1), onCacheMiss: () => (events.misses += 1) },
    });
    return { source, size, calls: scripted.calls, events };
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

  it.each(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE', 'AUTH_FAILED'] as const)(
    'never keeps a %s failure',
    async (kind) => {
      const { source, calls } = cached([providerError(kind), 'terminal']);
      await expect(source('t1')).rejects.toBeInstanceOf(ProviderError);
      await expect(source('t1')).resolves.toMatchObject({ terminal: true });
      expect(calls).toHaveLength(2);
    },
  );

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

  it('counts each hit and miss on the tally of the call that made it', async () => {
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

  it('is off with maxBytes 0', async () => {
    const { source, calls, size } = cached(['terminal'], 100, 0);
    await source('t1');
    await source('t1');
    expect(calls).toHaveLength(2);
    expect(size()).toEqual({ entries: 0, bytes: 0 });
  });
});

describe('cached source, bounded by bytes', () => {
  const MAX_BYTES = 100_000;
  /** Of a size the cache keeps (MAX_BYTES / MAX_ENTRY_SHARE is 12,500), so 9 fit and the 10th does not. */
  const LARGE = 10_000;

  interface SizedTask {
    readonly taskId: string;
    readonly terminal: boolean;
    /** Stands for a workflow task's graph, node results and outputs. */
    readonly text: string;
  }

  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  /** Answers every id with a task whose text is `lengths[id]` characters (LARGE by default), terminal unless its id starts with "running". */
  function sized(lengths: Record<string, number> = {}, maxEntries = 1_000) {
    const calls: string[] = [];
    const plain = async (taskId: string, _call?: TaskCall): Promise<SizedTask> => {
      calls.push(taskId);
      return {
        taskId,
        terminal: !taskId.startsWith('running'),
        text: `${taskId}:`.padEnd(lengths[taskId] ?? LARGE, 'x'),
      };
    };
    const { source, size } = cachedSource(plain, {
      provider: 'alibaba-ice',
      ttls: TTLS,
      maxEntries,
      maxBytes: MAX_BYTES,
      clock,
    });
    return { source, size, calls };
  }

  it('counts each kept entry by its estimated bytes', async () => {
    const { source, size } = sized({ small: 100 });
    await source('small');
    const one = size().bytes;
    await source('large');
    expect(size().entries).toBe(2);
    // The text dominates: the large entry weighs its 10,000 characters and a little more.
    expect(size().bytes - one).toBeGreaterThanOrEqual(LARGE);
    expect(size().bytes - one).toBeLessThan(LARGE + 500);
  });

  it('lets large entries go by bytes long before the entry bound, least recently used first', async () => {
    const { source, size, calls } = sized();
    for (let index = 0; index < 30; index += 1) {
      await source(`t${index}`);
      await source('t0'); // t0 stays the most recently used
      expect(size().bytes).toBeLessThanOrEqual(MAX_BYTES);
    }
    expect(size().entries).toBe(9);
    expect(calls.filter((taskId) => taskId === 't0')).toHaveLength(1);
    // The eight most recent others are still kept; the one before them was let go.
    calls.length = 0;
    for (let index = 22; index < 30; index += 1) await source(`t${index}`);
    expect(calls).toEqual([]);
    await source('t21');
    expect(calls).toEqual(['t21']);
  });

  it('does not keep an entry larger than its share of the budget, nor push others out for it', async () => {
    const share = MAX_BYTES / MAX_ENTRY_SHARE;
    const { source, size, calls } = sized({ huge: share + 1, fits: share - 500 });
    await source('a');
    await source('b');
    const before = size();
    await source('huge');
    await source('huge');
    expect(calls.filter((taskId) => taskId === 'huge')).toHaveLength(2);
    expect(size()).toEqual(before);
    await source('fits');
    await source('fits');
    expect(calls.filter((taskId) => taskId === 'fits')).toHaveLength(1);
    await source('a');
    await source('b');
    expect(calls).toEqual(['a', 'b', 'huge', 'huge', 'fits']);
  });

  it('keeps the TTL of each state while bounding bytes', async () => {
    const { source, calls } = sized();
    await source('done');
    await source('running-1');
    await clock.advance(1_999);
    await source('done');
    await source('running-1');
    expect(calls).toEqual(['done', 'running-1']);
    await clock.advance(1);
    await source('running-1');
    await source('done');
    expect(calls).toEqual(['done', 'running-1', 'running-1']);
    await clock.advance(600_000 - 2_000 - 1);
    await source('done');
    expect(calls).toEqual(['done', 'running-1', 'running-1']);
    await clock.advance(1);
    await source('done');
    expect(calls).toEqual(['done', 'running-1', 'running-1', 'done']);
  });

  it('still bounds the entry count when the bytes would allow more', async () => {
    const { source, size } = sized({}, 3);
    for (const taskId of ['a', 'b', 'c', 'd', 'e']) await source(taskId);
    expect(size().entries).toBe(3);
  });
});

describe('cachePolicyAt: signed URLs bound every tier', () => {
  const ttls = { terminalTtlMs: 600_000, runningTtlMs: 2_000, notFoundTtlMs: 2_000 };
  const now = 1_700_000_000_000;

  it('keeps the state policy when no signed URL expires sooner', () => {
    expect(cachePolicyAt({ terminal: true, signedUrlsExpireAt: null }, ttls, now)).toEqual({
      ttlMs: 600_000,
      maxAgeSeconds: 600,
    });
    expect(cachePolicyAt({ terminal: true, signedUrlsExpireAt: now + 3_600_000 }, ttls, now)).toEqual({
      ttlMs: 600_000,
      maxAgeSeconds: 600,
    });
  });

  it('ends with the earliest signed URL: what is left of it, max-age rounded down', () => {
    expect(cachePolicyAt({ terminal: true, signedUrlsExpireAt: now + 2_500 }, ttls, now)).toEqual({
      ttlMs: 2_500,
      maxAgeSeconds: 2,
    });
    expect(cachePolicyAt({ terminal: false, signedUrlsExpireAt: now + 900 }, ttls, now)).toEqual({
      ttlMs: 900,
      maxAgeSeconds: 0,
    });
  });

  it('does not keep an answer whose URLs have already expired', () => {
    expect(cachePolicyAt({ terminal: true, signedUrlsExpireAt: now - 1 }, ttls, now)).toEqual({
      ttlMs: 0,
      maxAgeSeconds: 0,
    });
  });
});
