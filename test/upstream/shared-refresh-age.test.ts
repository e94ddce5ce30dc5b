/**
 * How old an answer in Redis each lookup takes (real redis-server): a query or first read only one
 * within the running TTL, counted from when it was stored; a refresh one stored since its
 * replica's last read (`maxAgeMs`), past the TTL, with no provider call. And how long an answer
 * stays there: a poll's past the TTL, a query's its TTL.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TaskCall, TaskSource } from '../../src/sources/task-source.js';
import { sharedKeys } from '../../src/upstream/shared/keys.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { newTally, type Task } from './helpers.js';
import { countingProvider, Replicas, sharedPolicy } from './shared-replicas.js';

const NAMESPACE = 'refresh-age-test';
const RUNNING_TTL_MS = sharedPolicy().cache.runningTtlMs;
const RETAIN_MS = RUNNING_TTL_MS * 30;

describe('the age of a shared answer each lookup takes (real redis-server)', () => {
  let redis: RedisServer;
  let raw: Redis;
  let replicas: Replicas;
  let prefix: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    await raw.quit();
    await redis.stop();
  });
  beforeEach(() => {
    prefix = `test-${randomBytes(4).toString('hex')}:`;
    replicas = new Replicas(redis.url);
  });
  afterEach(() => replicas.closeAll());

  const taskKey = (taskId: string): string => sharedKeys(prefix, 'tencent-mps', NAMESPACE).task(taskId);
  /** Another replica's answer for a running task, stored `ageMs` ago to be kept `keptForMs` (the age is Redis's: kept for, less left). */
  const storeRunning = (taskId: string, ageMs: number, keptForMs = 60_000): Promise<unknown> =>
    raw.set(
      taskKey(taskId),
      JSON.stringify({ ok: true, value: { taskId, terminal: false, call: 99 }, keptForMs }),
      'PX',
      keptForMs - ageMs,
    );
  /** A provider whose tasks are all still running. */
  const runningProvider = () => {
    let total = 0;
    const source: TaskSource<Task> = async (taskId) => {
      total += 1;
      return { taskId, terminal: false, call: total };
    };
    return { source, total: () => total };
  };

  it.each<[string, TaskCall, number, boolean]>([
    ['a query, within the TTL: from Redis', { priority: 'interactive' }, RUNNING_TTL_MS / 4, true],
    ['a query, past the TTL: from the provider', { priority: 'interactive' }, RUNNING_TTL_MS * 3, false],
    [
      'a first read, past the TTL: from the provider',
      { priority: 'first_read', maxAgeMs: RUNNING_TTL_MS * 10 },
      RUNNING_TTL_MS * 3,
      false,
    ],
    [
      'a refresh, past the TTL but stored since its last read: from Redis',
      { priority: 'refresh', maxAgeMs: RUNNING_TTL_MS * 5 },
      RUNNING_TTL_MS * 3,
      true,
    ],
    [
      'a refresh, stored before its last read: from the provider',
      { priority: 'refresh', maxAgeMs: RUNNING_TTL_MS * 2 },
      RUNNING_TTL_MS * 3,
      false,
    ],
    [
      'a refresh with no age given, past the TTL: from the provider',
      { priority: 'refresh' },
      RUNNING_TTL_MS * 3,
      false,
    ],
  ])('%s', async (_name, call, ageMs, fromRedis) => {
    const provider = countingProvider();
    const replica = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, localEntries: 0 });
    await storeRunning('run-1', ageMs);
    const tally = newTally();
    const answer = await replica.upstream.source('run-1', { ...call, tally });
    expect(answer.call).toBe(fromRedis ? 99 : 1);
    expect(provider.total()).toBe(fromRedis ? 0 : 1);
    expect(tally.sharedCacheHits ?? 0).toBe(fromRedis ? 1 : 0);
    expect(replica.dropped).toEqual([]);
  });

  it("replaces an answer too old for a lookup with the provider's, which the next query takes from Redis", async () => {
    const provider = countingProvider();
    const a = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, localEntries: 0 });
    const b = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, localEntries: 0 });
    await storeRunning('run-2', RUNNING_TTL_MS * 3);
    expect((await a.upstream.source('run-2')).call).toBe(1);
    const stored = JSON.parse((await raw.get(taskKey('run-2')))!) as { value: { call: number } };
    expect(stored.value.call).toBe(1);
    const tally = newTally();
    expect((await b.upstream.source('run-2', { tally })).call).toBe(1);
    expect(tally.sharedCacheHits).toBe(1);
    expect(provider.total()).toBe(1);
  });

  it("keeps a running task's answer read for a poll past the TTL, a query's for the TTL", async () => {
    const provider = runningProvider();
    const replica = await replicas.start(provider.source, {
      prefix,
      namespace: NAMESPACE,
      localEntries: 0,
      refreshRetainMs: RETAIN_MS,
    });
    await replica.upstream.source('queried', { priority: 'interactive' });
    await replica.upstream.source('first-read', { priority: 'first_read' });
    await replica.upstream.source('refreshed', { priority: 'refresh', maxAgeMs: RUNNING_TTL_MS });
    expect(await raw.pttl(taskKey('queried'))).toBeLessThanOrEqual(RUNNING_TTL_MS);
    for (const taskId of ['first-read', 'refreshed']) {
      expect(await raw.pttl(taskKey(taskId))).toBeGreaterThan(RUNNING_TTL_MS);
      expect(await raw.pttl(taskKey(taskId))).toBeLessThanOrEqual(RETAIN_MS);
      expect(JSON.parse((await raw.get(taskKey(taskId)))!)).toMatchObject({ keptForMs: RETAIN_MS });
    }
    expect(provider.total()).toBe(3);
  });

  it("keeps a query's answer past the TTL when it replaces a poll's (the task is watched)", async () => {
    const provider = runningProvider();
    const replica = await replicas.start(provider.source, {
      prefix,
      namespace: NAMESPACE,
      localEntries: 0,
      refreshRetainMs: RETAIN_MS,
    });
    // A poll's answer, kept for RETAIN_MS and now past its TTL.
    await storeRunning('watched', RUNNING_TTL_MS * 3, RETAIN_MS);
    expect((await replica.upstream.source('watched', { priority: 'interactive' })).call).toBe(1);
    expect(await raw.pttl(taskKey('watched'))).toBeGreaterThan(RUNNING_TTL_MS);
    expect(JSON.parse((await raw.get(taskKey('watched')))!)).toMatchObject({
      value: { call: 1 },
      keptForMs: RETAIN_MS,
    });
  });
});
