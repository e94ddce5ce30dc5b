import type { CallPriority } from '../../src/sources/task-source.js';
import { sharedInFlight } from '../../src/upstream/in-flight.js';
import { RateLimiter, rateLimitedSource } from '../../src/upstream/rate-limiter.js';
import { retryingSource } from '../../src/upstream/retry.js';
import { FakeClock } from '../support/fake-clock.js';

/** The most calls that any one-second window [t, t + 1000) contains. */
function busiestWindow(times: readonly number[]): number {
  let most = 0;
  for (const start of times) most = Math.max(most, times.filter((t) => t >= start && t < start + 1000).length);
  return most;
}

describe('rate limiter priority classes', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock(0);
  });

  function limited(ratePerSecond: number, options: { maxQueue?: number; reservedShare?: number } = {}) {
    const sent: Array<{ taskId: string; at: number; priority: CallPriority }> = [];
    const limiter = new RateLimiter({
      provider: 'tencent-mps',
      ratePerSecond,
      maxQueue: options.maxQueue ?? 1000,
      pace: true,
      clock,
      reservedShare: options.reservedShare ?? 0.1,
    });
    const source = rateLimitedSource(async (taskId: string, call) => {
      sent.push({ taskId, at: clock.now(), priority: call?.priority ?? 'interactive' });
      return taskId;
    }, limiter);
    return { source, limiter, sent };
  }

  it('serves an interactive call before polls queued ahead of it, once the background reserve of the window is spent', async () => {
    const { source, sent } = limited(10);
    // The limiter is busy: the first call takes the first slot, everything else queues.
    const polls = Array.from({ length: 30 }, (_, i) =>
      source(`poll-${i}`, { owner: `client-${i % 3}`, priority: 'refresh' }),
    );
    await clock.advance(1);
    const lookup = source('wanted', { owner: 'request-1' });
    await clock.runAll();
    await Promise.all([...polls, lookup]);
    const order = sent.map((call) => call.taskId);
    // poll-0 went at once; its window's reserve (1 call at 10/s x 0.1) is spent, so the lookup is next.
    expect(order.slice(0, 2)).toEqual(['poll-0', 'wanted']);
    expect(sent).toHaveLength(31);
  });

  it('keeps each background class its reserve while interactive calls wait, and no more', async () => {
    const { source, sent } = limited(10, { reservedShare: 0.2 });
    const calls: Array<Promise<string>> = [];
    for (let i = 0; i < 40; i += 1) calls.push(source(`q-${i}`, { owner: `request-${i}` }));
    for (let i = 0; i < 20; i += 1) calls.push(source(`f-${i}`, { owner: 'client-a', priority: 'first_read' }));
    for (let i = 0; i < 20; i += 1) calls.push(source(`r-${i}`, { owner: 'client-a', priority: 'refresh' }));
    // Four windows of 10 while all three classes wait.
    await clock.advance(3999);
    const inWindows = (priority: CallPriority) =>
      sent.filter((call) => call.priority === priority && call.at < 4000).length;
    expect(sent.filter((call) => call.at < 4000)).toHaveLength(40);
    expect(inWindows('first_read')).toBe(8);
    expect(inWindows('refresh')).toBe(8);
    expect(inWindows('interactive')).toBe(24);
    await clock.runAll();
    await Promise.all(calls);
    expect(busiestWindow(sent.map((call) => call.at))).toBe(10);
  });

  it('lets background classes take every slot the interactive class leaves', async () => {
    const { source, sent } = limited(10);
    const polls = Array.from({ length: 20 }, (_, i) => source(`r-${i}`, { owner: 'client-a', priority: 'refresh' }));
    await clock.advance(1999);
    expect(sent.filter((call) => call.at < 2000)).toHaveLength(20);
    await Promise.all(polls);
  });

  it('serves first reads before refreshes beyond the refresh reserve', async () => {
    const { source, sent } = limited(10);
    const calls = [
      ...Array.from({ length: 10 }, (_, i) => source(`r-${i}`, { owner: 'client-a', priority: 'refresh' })),
      ...Array.from({ length: 10 }, (_, i) => source(`f-${i}`, { owner: 'client-b', priority: 'first_read' })),
    ];
    await clock.advance(999);
    // r-0 went at once; then f-0..f-8 fill the window: the refresh reserve (1) is already used by r-0.
    expect(sent.map((call) => call.taskId)).toEqual(['r-0', ...Array.from({ length: 9 }, (_, i) => `f-${i}`)]);
    await clock.runAll();
    await Promise.all(calls);
  });

  it('serves a starving poller within one round of the owners waiting in its class', async () => {
    const { source, sent } = limited(10);
    // One client with 50 polls waiting, then a second client's single poll.
    const busy = Array.from({ length: 50 }, (_, i) =>
      source(`busy-${i}`, { owner: 'client-busy', priority: 'refresh' }),
    );
    await clock.advance(1);
    const starving = source('starving', { owner: 'client-quiet', priority: 'refresh' });
    await clock.runAll();
    await Promise.all([...busy, starving]);
    const at = sent.findIndex((call) => call.taskId === 'starving');
    // busy-0 went at once, busy-1 was next in the ring; the quiet client's poll comes right after.
    expect(at).toBe(2);
  });

  it('with the queue full, an interactive newcomer refuses the newest background waiter instead of being refused', async () => {
    const { source, limiter } = limited(10, { maxQueue: 5 });
    const outcomes: string[] = [];
    const polls = Array.from({ length: 6 }, (_, i) =>
      source(`r-${i}`, { owner: 'client-a', priority: 'refresh' }).then(
        () => outcomes.push(`r-${i} ok`),
        (error: Error) => outcomes.push(`r-${i} ${(error as { kind?: string }).kind ?? error.message}`),
      ),
    );
    expect(limiter.queueLength).toBe(5);
    const lookup = source('q', { owner: 'request-1' }).then(() => outcomes.push('q ok'));
    expect(limiter.queueLength).toBe(5);
    expect(limiter.waitingIn('interactive')).toBe(1);
    await clock.runAll();
    await Promise.all([...polls, lookup]);
    expect(outcomes.filter((o) => o.endsWith('RATE_LIMITED'))).toEqual(['r-5 RATE_LIMITED']);
    expect(outcomes).toContain('q ok');
  });

  it('tells grant listeners the class of each call it lets go', async () => {
    const { source, limiter } = limited(10);
    const granted: CallPriority[] = [];
    limiter.onGrant((priority) => granted.push(priority));
    const calls = [source('a', { priority: 'refresh' }), source('b', { priority: 'first_read' }), source('c')];
    await clock.runAll();
    await Promise.all(calls);
    // 'a' went at once; the first read is within its reserve, so it goes before the interactive call.
    expect(granted).toEqual(['refresh', 'first_read', 'interactive']);
  });

  it("raises a queued poll's call to interactive when a query joins it in flight, and serves it next", async () => {
    const sent: Array<{ taskId: string; priority: CallPriority }> = [];
    const limiter = new RateLimiter({
      provider: 'tencent-mps',
      ratePerSecond: 10,
      maxQueue: 100,
      pace: true,
      clock,
      reservedShare: 0.1,
    });
    const limited = rateLimitedSource(async (taskId: string, call) => {
      sent.push({ taskId, priority: call?.priority ?? 'interactive' });
      return taskId;
    }, limiter);
    const retried = retryingSource(limited, {
      provider: 'tencent-mps',
      policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
      defaultDeadlineMs: 60_000,
      clock,
      random: () => 0,
    });
    const source = sharedInFlight(retried, { provider: 'tencent-mps', clock });
    const polls = Array.from({ length: 10 }, (_, i) => source(`poll-${i}`, { owner: 'client-a', priority: 'refresh' }));
    const watched = source('watched', { owner: 'client-b', priority: 'refresh' });
    await clock.advance(1);
    expect(limiter.waitingIn('refresh')).toBe(10);
    // A query for the same task joins the poll's call instead of making its own.
    const query = source('watched', { owner: 'request-1' });
    await clock.runAll();
    expect(await query).toBe('watched');
    await Promise.all([...polls, watched]);
    // poll-0 went at once and spent the refresh reserve; the raised call is next, ahead of nine queued polls.
    expect(sent.slice(0, 2)).toEqual([
      { taskId: 'poll-0', priority: 'refresh' },
      { taskId: 'watched', priority: 'interactive' },
    ]);
    expect(sent.filter((call) => call.taskId === 'watched')).toHaveLength(1);
    expect(sent).toHaveLength(11);
  });
});
