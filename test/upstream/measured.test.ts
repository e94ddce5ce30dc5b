import type { UpstreamOutcome } from '../../src/upstream/events.js';
import { measuredSource } from '../../src/upstream/measured.js';
import { retryingSource } from '../../src/upstream/retry.js';
import { FakeClock } from '../support/fake-clock.js';
import { newTally, providerError, scriptedSource } from './helpers.js';

describe('measured source', () => {
  function measured(steps: Parameters<typeof scriptedSource>[0]) {
    const clock = new FakeClock(0);
    const scripted = scriptedSource(steps);
    const outcomes: UpstreamOutcome[] = [];
    const source = measuredSource(scripted.source, {
      provider: 'tencent-mps',
      clock,
      events: { onUpstreamCall: (_provider, outcome) => outcomes.push(outcome) },
    });
    return { source, calls: scripted.calls, outcomes };
  }

  it("counts one upstream call on the call's tally for every call it sends, whatever its outcome", async () => {
    const notFound = providerError('NOT_FOUND');
    const { source, outcomes } = measured(['terminal', notFound]);
    const tally = newTally();
    await source('t1', { tally });
    await expect(source('t2', { tally })).rejects.toBe(notFound);
    expect(tally).toEqual({ ...newTally(), upstreamCalls: 2 });
    expect(outcomes).toEqual(['OK', 'NOT_FOUND']);
  });

  it('passes the call through unchanged', async () => {
    const { source, calls } = measured(['terminal']);
    const call = { deadline: 42, tally: newTally() };
    await source('t1', call);
    expect(calls[0]?.call).toBe(call);
  });

  it('sends and reports a call without a tally just the same', async () => {
    const { source, calls, outcomes } = measured(['terminal']);
    await expect(source('t1')).resolves.toMatchObject({ taskId: 't1' });
    await expect(source('t1', { deadline: 42 })).resolves.toMatchObject({ taskId: 't1' });
    expect(calls).toHaveLength(2);
    expect(outcomes).toEqual(['OK', 'OK']);
  });

  it('counts every attempt of a retried call as one upstream call', async () => {
    const clock = new FakeClock(0);
    const scripted = scriptedSource([providerError('RATE_LIMITED'), providerError('UPSTREAM_UNAVAILABLE'), 'terminal']);
    const source = retryingSource(measuredSource(scripted.source, { provider: 'tencent-mps', clock }), {
      provider: 'tencent-mps',
      policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 },
      defaultDeadlineMs: 15_000,
      clock,
      random: () => 0.5,
    });
    const tally = newTally();
    const lookup = source('t1', { tally });
    await clock.runAll();
    await lookup;
    expect(tally).toEqual({ ...newTally(), upstreamCalls: 3, retries: 2 });
  });
});
