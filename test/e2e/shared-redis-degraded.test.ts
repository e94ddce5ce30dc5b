/**
 * The whole app over a real redis-server that refuses writes (maxmemory reached under
 * noeviction): ten sequential lookups of uncached tasks are each answered with one provider
 * call, one warn line says so, /metrics shows the degraded state, and shared mode resumes with
 * one more line once Redis takes writes again. Counts, not times.
 */
import { Redis } from 'ioredis';
import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { seedImageTasks } from '../../src/emulator/seed-tasks.js';
import { startAppReplica, sampleOf, type AppReplica } from '../support/app-replica.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

const STAND_IN = {
  secretId: 'AKIDDEGRADEDSTANDIN00000000000001',
  secretKey: 'degraded-stand-in-secret-key-0042',
} as const;
const ONE = 'query One($id: ID!) { imageTask(taskId: $id) { taskId state } }';

describe('the app over a Redis that refuses writes', () => {
  let redis: RedisServer;
  let admin: Redis;
  let provider: RunningEmulator;
  let replica: AppReplica;
  const seed = seedImageTasks().get(SEED.image.finishedSuccess)!;

  beforeAll(async () => {
    redis = await startRedisServer({ password: 'degraded-e2e-redis-password' });
    admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    provider = await startEmulator({ tencentCredentials: [STAND_IN] });
    replica = await startAppReplica({
      EMULATOR: 'off',
      TENCENTCLOUD_SECRET_ID: STAND_IN.secretId,
      TENCENTCLOUD_SECRET_KEY: STAND_IN.secretKey,
      MPS_ENDPOINT: provider.url,
      REDIS_URL: redis.url,
    });
  });
  afterAll(async () => {
    await replica?.stop();
    await provider?.close();
    await admin?.quit();
    await redis?.stop();
  });

  const ask = async (taskId: string): Promise<string | undefined> => {
    const body = JSON.parse((await replica.post({ query: ONE, variables: { id: taskId } })).text) as {
      data?: { imageTask?: { state: string } | null };
    };
    return body.data?.imageTask?.state;
  };
  const task = (name: string): string => {
    const taskId = `2400dg-WorkflowTask-${name}`;
    provider.putImageTask(taskId, { ...seed, TaskId: taskId });
    return taskId;
  };
  const redisLines = (): string[] => replica.warnings().filter((message) => message.startsWith('redis'));

  it('answers each uncached lookup with one call, says so once, and resumes shared mode', async () => {
    expect(await ask(task('before'))).toBe('SUCCEEDED');
    await admin.config('SET', 'maxmemory', '1');
    const before = provider.callCount({ provider: 'tencent-mps' });
    for (let index = 0; index < 10; index += 1) expect(await ask(task(`uncached-${index}`))).toBe('SUCCEEDED');
    expect(provider.callCount({ provider: 'tencent-mps' }) - before).toBe(10);
    expect(redisLines()).toEqual([expect.stringMatching(/^redis refuses writes \(degraded\)/)]);
    const metrics = await replica.metrics();
    expect([sampleOf(metrics, 'redis_up'), sampleOf(metrics, 'redis_degraded')]).toEqual([0, 1]);

    await admin.config('SET', 'maxmemory', '0');
    for (let attempt = 0; attempt < 40 && sampleOf(await replica.metrics(), 'redis_up') !== 1; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A task this replica has not cached, so the lookup reaches Redis and lets the link probe.
      await ask(task(`probe-${attempt}`));
    }
    const after = await replica.metrics();
    expect([sampleOf(after, 'redis_up'), sampleOf(after, 'redis_degraded')]).toEqual([1, 0]);
    expect(redisLines()).toEqual([
      expect.stringMatching(/^redis refuses writes \(degraded\)/),
      expect.stringMatching(/^redis is answering again/),
    ]);
    // Shared again: an answer stored now is in Redis for the next replica.
    await ask(task('after'));
    expect((await admin.keys('*:task:2400dg-WorkflowTask-after')).length).toBe(1);
  });
});
