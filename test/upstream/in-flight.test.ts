import { sharedInFlight } from '../../src/upstream/in-flight.js';
import { measuredSource } from '../../src/upstream/measured.js';
import { deferred, newTally, providerError, scriptedSource, type Task } from './helpers.js';

describe('in-flight sharing', () => {
  it('makes one upstream call for concurrent lookups of one task, and gives all of them its answer', async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    let shared = 0;
    const once = sharedInFlight(source, { provider: 'tencent-mps', events: { onInFlightShared: () => (shared += 1) } });
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
    const once = sharedInFlight(source, { provider: 'tencent-mps' });
    const lookups = [once('t1'), once('t1')];
    const error = providerError('UPSTREAM_UNAVAILABLE');
    failure.reject(error);
    for (const lookup of lookups) await expect(lookup).rejects.toBe(error);
    await expect(once('t1')).resolves.toMatchObject({ terminal: true });
    expect(calls).toHaveLength(2);
  });

  it('never shares between different task ids', async () => {
    const { source, calls } = scriptedSource(['terminal']);
    const once = sharedInFlight(source, { provider: 'tencent-mps' });
    await Promise.all([once('a'), once('b'), once('a')]);
    expect(calls.map((call) => call.taskId)).toEqual(['a', 'b']);
  });

  it("runs the shared call under the first caller's deadline, without its abort signal", async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    const once = sharedInFlight(source, { provider: 'tencent-mps' });
    const first = new AbortController();
    const lookups = [once('t1', { deadline: 1_000, signal: first.signal }), once('t1', { deadline: 2_000 })];
    first.abort();
    answer.resolve({ taskId: 't1', terminal: true, call: 1 });
    await Promise.all(lookups);
    expect(calls).toEqual([{ taskId: 't1', call: { deadline: 1_000 } }]);
  });

  it("counts the one real call on the first caller's tally and a share on every later caller's", async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    // measuredSource is what counts upstream calls; under the sharing, as in production.
    const once = sharedInFlight(measuredSource(source, { provider: 'tencent-mps', clock: { now: () => 0 } }), { provider: 'tencent-mps' });
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
    expect(calls[0]?.call).toEqual({ deadline: 1_000, tally: first });
    expect(calls[0]?.call?.tally).toBe(first);
    expect(first).toEqual({ ...newTally(), upstreamCalls: 1 });
    expect(second).toEqual({ ...newTally(), inFlightShared: 1 });
    expect(third).toEqual({ ...newTally(), inFlightShared: 2 });
  });

  it('shares a call whose first caller has no tally, counting only the sharers that have one', async () => {
    const answer = deferred<Task>();
    const { source, calls } = scriptedSource([answer]);
    const once = sharedInFlight(source, { provider: 'tencent-mps' });
    const sharer = newTally();
    const lookups = [once('t1'), once('t1', { tally: sharer })];
    answer.resolve({ taskId: 't1', terminal: true, call: 1 });
    expect(await Promise.all(lookups)).toHaveLength(2);
    expect(calls).toEqual([{ taskId: 't1', call: {} }]);
    expect(sharer).toEqual({ ...newTally(), inFlightShared: 1 });
  });
});
