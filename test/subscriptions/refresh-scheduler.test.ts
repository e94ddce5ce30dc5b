/**
 * The refresh scheduler with the real rate limiter under a fake clock: how many calls reach the
 * provider in any window, in which order the tasks are read, who is charged, what a NOT_FOUND
 * flood gets.
 */
import type { ImageTaskModel } from '../../src/parsing/models.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { CallPriority, TaskCall, TaskSource } from '../../src/sources/task-source.js';
import { createTaskWatches, type TaskWatchOptions } from '../../src/subscriptions/task-watches.js';
import type { TaskEvent } from '../../src/subscriptions/subscriber.js';
import { RateLimiter, rateLimitedSource } from '../../src/upstream/rate-limiter.js';
import { FakeClock, flushPromises } from '../support/fake-clock.js';

interface Sent {
  readonly taskId: string;
  readonly at: number;
  readonly owner: string | undefined;
  readonly priority: CallPriority;
}

function busiestWindow(times: readonly number[]): number {
  let most = 0;
  for (const start of times) most = Math.max(most, times.filter((t) => t >= start && t < start + 1000).length);
  return most;
}

const OPTIONS: TaskWatchOptions = {
  intervals: { runningMs: 1_000, waitingMs: 1_000 },
  maxDurationMs: 3_600_000,
  maxWatchedTasks: 1_000,
};

function setup(ratePerSecond: number, options: Partial<TaskWatchOptions> = {}) {
  const clock = new FakeClock(0);
  const sent: Sent[] = [];
  let rejected = 0;
  let counter = 0;
  const limiter = new RateLimiter({
    provider: 'tencent-mps',
    ratePerSecond,
    maxQueue: 1000,
    pace: true,
    clock,
    events: { onRateLimitRejected: () => (rejected += 1) },
  });
  const provider: TaskSource<ImageTaskModel> = async (taskId: string, call?: TaskCall) => {
    sent.push({ taskId, at: clock.now(), owner: call?.owner, priority: call?.priority ?? 'interactive' });
    if (taskId.startsWith('unknown-'))
      throw new ProviderError({ provider: 'tencent-mps', kind: 'NOT_FOUND', message: 'tencent-mps NOT_FOUND' });
    counter += 1;
    // Every answer differs, so every poll is a change the subscribers see.
    return { state: 'RUNNING', terminal: false, progress: counter } as unknown as ImageTaskModel;
  };
  const source = rateLimitedSource(provider, limiter);
  const watches = createTaskWatches(
    { imageTask: source, workflowTask: async () => Promise.reject(new Error('unused')) },
    { ...OPTIONS, ...options },
    { clock, quotas: { 'tencent-mps': limiter } },
  );
  return { clock, sent, limiter, source, watches, rejected: () => rejected };
}

/** Drains a subscription as a consumer that keeps up, counting its events. */
function consume(iterator: AsyncIterableIterator<TaskEvent<ImageTaskModel>>) {
  const state = { events: 0, errors: [] as string[], done: false };
  void (async () => {
    for await (const event of iterator) {
      if (event.kind === 'task') state.events += 1;
      else state.errors.push(String(event.error.extensions.code));
    }
    state.done = true;
  })();
  return state;
}

describe('refresh scheduler', () => {
  it('refreshes 50 tasks at a quota of 10/s each in turn, every 5 s, never over the budget and without a refused call', async () => {
    const { clock, sent, limiter, watches, rejected } = setup(10);
    const subscriptions = Array.from({ length: 50 }, (_, i) =>
      consume(watches.imageTask(`task-${i}`, { client: `client-${i % 5}` })),
    );
    let mostWaiting = 0;
    for (let step = 0; step < 300; step += 1) {
      await clock.advance(100);
      mostWaiting = Math.max(mostWaiting, limiter.queueLength);
    }
    // 30 s at 10/s: 300 calls, every one granted; the limiter never held more than the scheduler's in-flight few (5).
    expect(sent.length).toBeGreaterThanOrEqual(295);
    expect(busiestWindow(sent.map((call) => call.at))).toBeLessThanOrEqual(10);
    expect(rejected()).toBe(0);
    expect(mostWaiting).toBeLessThanOrEqual(5);
    // First reads first: every task once before any is refreshed.
    // First reads first: every task read once before the refreshes (but the refresh reserve's one or two) begin.
    const firstReads = sent.filter((call) => call.priority === 'first_read');
    expect(new Set(firstReads.map((call) => call.taskId)).size).toBe(50);
    expect(firstReads).toHaveLength(50);
    expect(sent.findIndex((call) => call === firstReads[49])).toBeLessThanOrEqual(51);
    // Stalest first: after the first reads, each task read once in every round of 50 calls, none skipped.
    for (let round = 2; round < 5; round += 1) {
      expect(new Set(sent.slice(round * 50, round * 50 + 50).map((call) => call.taskId)).size).toBeGreaterThanOrEqual(
        49,
      );
    }
    const times = (taskId: string) => sent.filter((call) => call.taskId === taskId).map((call) => call.at);
    for (let i = 0; i < 50; i += 1) {
      const at = times(`task-${i}`);
      const gaps = at.slice(1).map((t, k) => t - at[k]!);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(5_500);
    }
    const effective = watches.refresh('tencent-mps').effectiveIntervalMs;
    expect(effective).toBeGreaterThanOrEqual(4_500);
    expect(effective).toBeLessThanOrEqual(5_500);
    expect(subscriptions.every((s) => s.events >= 5)).toBe(true);
    watches.close();
  }, 60_000);

  it('refreshes each task at its configured interval when the quota allows it', async () => {
    const { clock, sent, watches } = setup(20);
    for (let i = 0; i < 5; i += 1) consume(watches.imageTask(`task-${i}`));
    // The five first reads go 50 ms apart (paced at 20/s), from 0 to 200 ms.
    await clock.advance(10_300);
    // One read per task per second: the first read, then one refresh each second.
    for (let i = 0; i < 5; i += 1) expect(sent.filter((call) => call.taskId === `task-${i}`)).toHaveLength(11);
    watches.close();
  });

  it('serves an interactive lookup before the queued polls of 50 watched tasks', async () => {
    const { clock, sent, source, watches } = setup(10);
    for (let i = 0; i < 50; i += 1) consume(watches.imageTask(`task-${i}`, { client: 'dashboard' }));
    await clock.advance(10_050);
    const before = sent.length;
    const lookup = source('wanted', { owner: 'request-1' });
    await clock.advance(1_000);
    await lookup;
    const position = sent.slice(before).findIndex((call) => call.taskId === 'wanted');
    // At most the polls already waiting in the limiter (the scheduler keeps two there) go first.
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThanOrEqual(2);
    watches.close();
  });

  it("charges a poller's calls to the client that subscribed, one owner per client", async () => {
    const { clock, sent, watches } = setup(10);
    for (let i = 0; i < 6; i += 1) consume(watches.imageTask(`task-${i}`, { client: i < 3 ? 'ws-1' : 'ws-2' }));
    await clock.advance(3_000);
    expect(new Set(sent.map((call) => call.owner))).toEqual(new Set(['client:ws-1', 'client:ws-2']));
    watches.close();
  });

  it('gives first reads round-robin between clients, so a client with many new tasks does not hold back another', async () => {
    const { clock, sent, watches } = setup(10);
    for (let i = 0; i < 40; i += 1) consume(watches.imageTask(`big-${i}`, { client: 'big' }));
    await flushPromises();
    consume(watches.imageTask('small-0', { client: 'small' }));
    await clock.advance(5_000);
    const order = sent.map((call) => call.taskId);
    // Polls started before the small client came (the scheduler's in-flight few) and one more of the big client's at most.
    expect(order.indexOf('small-0')).toBeLessThanOrEqual(7);
    watches.close();
  });

  it('refuses a watch beyond the per-client budget, counting it, and not a watch of a task the client already has', async () => {
    const refused: string[] = [];
    const clock = new FakeClock(0);
    const watches = createTaskWatches(
      {
        imageTask: async () => ({ state: 'RUNNING', terminal: false }) as unknown as ImageTaskModel,
        workflowTask: async () => Promise.reject(new Error('unused')),
      },
      { ...OPTIONS, maxWatchedTasksPerClient: 3 },
      { clock, events: { onClientBudgetRefused: (provider) => refused.push(provider) } },
    );
    for (let i = 0; i < 3; i += 1) watches.imageTask(`task-${i}`, { client: 'ws-1' });
    expect(() => watches.imageTask('task-3', { client: 'ws-1' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT' }) }),
    );
    expect(() => watches.imageTask('task-0', { client: 'ws-1' })).not.toThrow();
    expect(() => watches.imageTask('task-3', { client: 'ws-2' })).not.toThrow();
    expect(refused).toEqual(['tencent-mps']);
    watches.close();
  });

  it('holds a NOT_FOUND flood to a small share of the quota while another client is refreshed', async () => {
    const { clock, sent, watches } = setup(10);
    for (let i = 0; i < 10; i += 1) consume(watches.imageTask(`task-${i}`, { client: 'dashboard' }));
    let floodId = 0;
    // One client subscribes to a new unknown id as soon as its last one ended.
    const flood = async (): Promise<void> => {
      for (;;) {
        floodId += 1;
        let iterator: AsyncIterableIterator<TaskEvent<ImageTaskModel>>;
        try {
          iterator = watches.imageTask(`unknown-${floodId}`, { client: 'flood' });
        } catch {
          return;
        }
        for await (const _event of iterator) void _event;
      }
    };
    void flood();
    await clock.advance(20_000);
    const floodCalls = sent.filter((call) => call.taskId.startsWith('unknown-')).length;
    expect(floodCalls / sent.length).toBeLessThan(0.25);
    // The dashboard's tasks kept being refreshed at their interval (1 s) for 20 s.
    for (let i = 0; i < 10; i += 1)
      expect(sent.filter((call) => call.taskId === `task-${i}`).length).toBeGreaterThanOrEqual(18);
    watches.close();
  }, 60_000);

  it('answers a watch of a task that just ended NOT_FOUND at once, without a provider call', async () => {
    const { clock, sent, watches } = setup(10);
    const first = consume(watches.imageTask('unknown-1', { client: 'a' }));
    await clock.advance(100);
    expect(first.errors).toEqual(['NOT_FOUND']);
    const again = consume(watches.imageTask('unknown-1', { client: 'b' }));
    await flushPromises();
    expect(again.errors).toEqual(['NOT_FOUND']);
    expect(sent.filter((call) => call.taskId === 'unknown-1')).toHaveLength(1);
    watches.close();
  });

  it('strikes a client once per unknown task, however often it asks again about it (a dashboard row)', async () => {
    const { clock, sent, watches } = setup(10);
    // The same unknown id, asked again after the negative cache let go of it each time.
    for (let n = 0; n < 5; n += 1) {
      const ended = consume(watches.imageTask('unknown-row', { client: 'dashboard' }));
      await clock.advance(3_000);
      expect(ended.errors).toEqual(['NOT_FOUND']);
    }
    expect(sent.filter((call) => call.taskId === 'unknown-row')).toHaveLength(5);
    // One strike, not five: the next new task's first read waits at most one strike's cost (1 s).
    consume(watches.imageTask('known-0', { client: 'dashboard' }));
    await clock.advance(1_100);
    expect(sent.filter((call) => call.taskId === 'known-0' && call.priority === 'first_read')).toHaveLength(1);
    watches.close();
  });
});
