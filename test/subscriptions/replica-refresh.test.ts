/**
 * Three replicas on one real redis-server watching the same running tasks, their schedules out
 * of step: each task is read from the provider about once per interval for all of them, since
 * every refresh looks in Redis for an answer another replica stored since its own last read before
 * it asks for a slot: also when the interval is stretched past the running TTL, by configuration or
 * by a short quota.
 */
import { randomBytes } from 'node:crypto';
import type { ImageTaskModel } from '../../src/parsing/models.js';
import type { TaskSource } from '../../src/sources/task-source.js';
import { createTaskWatches, type TaskWatches } from '../../src/subscriptions/task-watches.js';
import type { TaskEvent } from '../../src/subscriptions/subscriber.js';
import { systemClock } from '../../src/upstream/clock.js';
import { connectRedis } from '../../src/upstream/shared/connect.js';
import { probeKey } from '../../src/upstream/shared/keys.js';
import { valueSeal } from '../../src/upstream/shared/seal.js';
import { boolean, number, object, string, type Check } from '../../src/upstream/shared/shape.js';
import { createRedisLink, type RedisLink } from '../../src/upstream/shared/redis-link.js';
import { upstreamSource, type UpstreamPolicy } from '../../src/upstream/upstream-source.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

const INTERVAL_MS = 500;
const TASKS = 5;
const RUN_MS = 4_000;
const STRETCHED_MS = 750;

const policy: UpstreamPolicy = {
  cache: {
    terminalTtlMs: 600_000,
    runningTtlMs: INTERVAL_MS,
    notFoundTtlMs: 2_000,
    maxEntries: 1000,
    maxBytes: 1 << 24,
  },
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
  rateLimit: { ratePerSecond: 20, maxQueue: 1000, marginMs: 100 },
  defaultDeadlineMs: 15_000,
};

/** What the fake provider answers (a stand-in for the model), as the shared tier checks it when Redis hands it back. */
interface FakeTask {
  readonly state: string;
  readonly terminal: boolean;
  readonly progress: number;
}
const isWatchedTask = object<FakeTask>({
  state: string,
  terminal: boolean,
  progress: number,
}) as unknown as Check<ImageTaskModel>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('refresh across replicas (real redis-server)', () => {
  let redis: RedisServer;
  const links: RedisLink[] = [];
  const watches: TaskWatches[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const each of watches) each.close();
    await Promise.all(links.splice(0).map((link) => link.close()));
    await redis.stop();
  });

  /**
   * Three replicas watching the same running tasks, a third of an interval apart: the provider's
   * reads per task, each replica's events, and, after `warmUpMs` (the first reads), the polls
   * that read a task (from anywhere) and the provider's reads.
   */
  async function watchOnThreeReplicas(
    intervalMs: number,
    runningTtlMs: number,
    { tasks = TASKS, ratePerSecond = policy.rateLimit.ratePerSecond, warmUpMs = 0 } = {},
  ): Promise<{ calls: Map<string, number>; events: number[]; later: { polls: number; reads: number } }> {
    let polls = 0;
    const clock = systemClock();
    const calls = new Map<string, number>();
    let counter = 0;
    const provider: TaskSource<ImageTaskModel> = async (taskId) => {
      calls.set(taskId, (calls.get(taskId) ?? 0) + 1);
      counter += 1;
      await sleep(10);
      return { state: 'RUNNING', terminal: false, progress: counter } as unknown as ImageTaskModel;
    };
    const prefix = `test-${randomBytes(4).toString('hex')}:`;
    const events = [0, 0, 0];
    for (let replica = 0; replica < 3; replica += 1) {
      const { client, subscriber } = await connectRedis(redis.url, 250);
      const link = createRedisLink({
        client,
        subscriber,
        clock,
        probeKey: probeKey(prefix, `replica-${replica}`),
        probeIntervalMs: 200,
      });
      links.push(link);
      const upstream = upstreamSource(
        'tencent-mps',
        provider,
        {
          ...policy,
          cache: { ...policy.cache, runningTtlMs },
          rateLimit: { ...policy.rateLimit, ratePerSecond },
          refreshRetainMs: 60_000,
        },
        {
          clock,
          random: Math.random,
          shared: {
            link,
            keyPrefix: prefix,
            namespace: 'deployment-a',
            accepts: isWatchedTask,
            seal: valueSeal(null),
            leaseMs: 3_000,
            fallbackRpsShare: 1 / 3,
            replicaId: `replica-${replica}`,
            token: () => randomBytes(8).toString('hex'),
          },
        },
      );
      const replicaWatches = createTaskWatches(
        { imageTask: upstream.source, workflowTask: async () => Promise.reject(new Error('unused')) },
        { intervals: { runningMs: intervalMs, waitingMs: intervalMs }, maxDurationMs: 60_000, maxWatchedTasks: 100 },
        {
          clock,
          quotas: { 'tencent-mps': upstream.limiter },
          events: {
            onPoll: (_provider, outcome) => {
              if (outcome === 'changed' || outcome === 'unchanged') polls += 1;
            },
          },
        },
      );
      watches.push(replicaWatches);
    }
    await sleep(100);
    // The replicas start a third of an interval apart, each a third of the way round the list of
    // tasks, so their schedules never line up.
    for (let replica = 0; replica < 3; replica += 1) {
      for (let task = 0; task < tasks; task += 1) {
        const iterator: AsyncIterableIterator<TaskEvent<ImageTaskModel>> = watches[replica]!.imageTask(
          `task-${(task + Math.floor((replica * tasks) / 3)) % tasks}`,
          {
            client: `ws-${replica}`,
          },
        );
        const index = replica;
        void (async () => {
          for await (const event of iterator) if (event.kind === 'task') events[index]! += 1;
        })();
      }
      await sleep(intervalMs / 3);
    }
    await sleep(warmUpMs);
    const before = { polls, reads: counter };
    await sleep(RUN_MS);
    for (const each of watches.splice(0)) each.close();
    return { calls, events, later: { polls: polls - before.polls, reads: counter - before.reads } };
  }

  it('reads each watched task from the provider about once per interval, not once per replica', async () => {
    const { calls, events } = await watchOnThreeReplicas(INTERVAL_MS, INTERVAL_MS);
    const intervals = Math.ceil((RUN_MS + INTERVAL_MS) / INTERVAL_MS);
    for (let task = 0; task < TASKS; task += 1) {
      const read = calls.get(`task-${task}`) ?? 0;
      // Once per interval (and one more where a lease ran out between two polls), not three times per interval.
      expect(read).toBeLessThanOrEqual(intervals + 1);
      expect(read).toBeGreaterThanOrEqual(intervals / 2);
    }
    // Every replica's subscribers kept receiving the task's new states.
    for (const received of events) expect(received).toBeGreaterThanOrEqual(TASKS * 3);
  }, 30_000);

  it('still reads each task about once per interval when the interval is stretched past the running TTL', async () => {
    // A refresh every 3 TTLs, as when the quota stretches the schedule: the answer another replica
    // stored is past its TTL, but newer than this replica's last read, so the refresh takes it.
    const { calls, events } = await watchOnThreeReplicas(STRETCHED_MS, STRETCHED_MS / 3);
    const intervals = Math.ceil((RUN_MS + STRETCHED_MS) / STRETCHED_MS);
    for (let task = 0; task < TASKS; task += 1) {
      const read = calls.get(`task-${task}`) ?? 0;
      expect(read).toBeLessThanOrEqual(intervals + 1);
      expect(read).toBeGreaterThanOrEqual(intervals / 2);
    }
    // Each replica refreshed every task about once per interval, from Redis two times in three.
    for (const received of events) expect(received).toBeGreaterThanOrEqual(TASKS * 3);
  }, 30_000);

  it('serves the polls of three replicas from one provider read each when the quota stretches every interval', async () => {
    // 12 tasks on each of three replicas sharing 6 calls a second: the scheduler stretches every
    // interval far past the TTL. A refresh takes another replica's answer stored since its own
    // replica's last read, so once the first reads are done, each provider read serves a poll on
    // about every replica.
    const { calls, later } = await watchOnThreeReplicas(300, 300, { tasks: 12, ratePerSecond: 6, warmUpMs: 3_000 });
    expect(calls.size).toBe(12);
    expect(later.reads).toBeGreaterThan(0);
    // One read for all three replicas is 3 polls per read; replicas that read for themselves
    // whenever the answer is past its TTL make about 2.
    expect(later.polls).toBeGreaterThanOrEqual(2.5 * later.reads);
    expect(later.polls).toBeLessThanOrEqual(3 * later.reads + 3 * 12);
  }, 30_000);
});
