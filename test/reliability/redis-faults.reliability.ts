/**
 * Redis faults under load, two replicas of one deployment over one redis-server and one provider
 * emulator, with REDIS_VALUE_KEY set: every entry in Redis forged (a rewritten signedUrl, an
 * empty value, text that is not JSON), then Redis refusing writes (maxmemory reached under
 * noeviction) in the middle of a load, then taking writes again. Counted from the emulator's call
 * log, /metrics and the log lines: every answer well formed, no forged value served, one provider
 * call per task, one warn line per replica and transition.
 */
import { Redis } from 'ioredis';
import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { seedImageTasks } from '../../src/emulator/seed-tasks.js';
import { startAppReplica, sampleOf, type AppReplica } from '../support/app-replica.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import {
  AUTH_HEADERS,
  BASE_ENV,
  RELIABILITY_CREDENTIALS,
  SECRET_VALUES,
  answerProblem,
  inParallel,
} from './support.js';

const REDIS_PASSWORD = 'reliability-redis-password-3e9d';
const VALUE_KEY = 'reliability-redis-value-key-5b7c9e1f3a5c7e9b';
const LIST = 'query List($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId state results { output { signedUrl } } } }';
const REQUESTS = 30;
const IDS_PER_REQUEST = 5;
const CONCURRENCY = 10;
const FORGED_HOST = 'attacker.example';

const DEGRADED = 'redis refuses writes (degraded)';
const BACK = 'redis is answering again';

interface ListBody {
  data?: {
    imageTasks?: Array<{
      taskId: string;
      state: string;
      results: Array<{ output: { signedUrl: string | null } | null }>;
    } | null>;
  } | null;
  errors?: unknown[];
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('Redis faults under load (two replicas, one redis-server)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let emulator: RunningEmulator;
  let replicas: AppReplica[] = [];
  const problems: string[] = [];
  const crashes: unknown[] = [];
  const onCrash = (error: unknown): void => void crashes.push(error);
  const seed = seedImageTasks().get(SEED.image.finishedSuccess)!;
  const calls = (): number => emulator.callCount({ provider: 'tencent-mps' });
  let sent = 0;
  /** Every GraphQL request of the scenario, counted for its figures. */
  const ask = (replica: AppReplica, taskIds: readonly string[]) => {
    sent += 1;
    return replica.post({ query: LIST, variables: { ids: taskIds } }, AUTH_HEADERS);
  };

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    redis = await startRedisServer({ password: REDIS_PASSWORD });
    admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    emulator = await startEmulator({ host: '127.0.0.1', ...RELIABILITY_CREDENTIALS });
    const tencent = RELIABILITY_CREDENTIALS.tencentCredentials![0]!;
    const env = {
      ...BASE_ENV,
      LOG_LEVEL: 'info',
      EMULATOR: 'off',
      TENCENTCLOUD_SECRET_ID: tencent.secretId,
      TENCENTCLOUD_SECRET_KEY: tencent.secretKey,
      TENCENTCLOUD_SESSION_TOKEN: tencent.token!,
      MPS_ENDPOINT: emulator.url,
      MPS_RATE_LIMIT_RPS: '100',
      REDIS_URL: redis.url,
      REDIS_VALUE_KEY: VALUE_KEY,
      REDIS_FALLBACK_RPS_SHARE: '0.5',
      // Every lookup reaches the shared tier: nothing answers from a replica's own memory.
      CACHE_MAX_ENTRIES: '0',
    };
    replicas = [await startAppReplica(env), await startAppReplica(env)];
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await emulator?.close();
    await admin?.quit();
    await redis?.stop();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  });

  const ids = (tag: string, count: number): string[] => {
    const all = Array.from(
      { length: count },
      (_, index) => `2400rf${tag}-WorkflowTask-${String(index).padStart(8, '0')}`,
    );
    for (const taskId of all) emulator.putImageTask(taskId, { ...seed, TaskId: taskId });
    return all;
  };

  /** Every id asked once, in requests of IDS_PER_REQUEST spread over both replicas; the answers' signed URLs. */
  async function askAll(all: readonly string[], onAnswer?: (answered: number) => Promise<void>): Promise<string[]> {
    const urls: string[] = [];
    let answered = 0;
    await inParallel(Math.ceil(all.length / IDS_PER_REQUEST), CONCURRENCY, async (index) => {
      const batch = all.slice(index * IDS_PER_REQUEST, (index + 1) * IDS_PER_REQUEST);
      const response = await ask(replicas[index % 2]!, batch);
      const problem = answerProblem(response);
      if (problem) problems.push(problem);
      const body = JSON.parse(response.text) as ListBody;
      if (body.errors !== undefined) problems.push(`errors: ${JSON.stringify(body.errors).slice(0, 200)}`);
      const tasks = body.data?.imageTasks ?? [];
      if (tasks.length !== batch.length || tasks.some((task, at) => task?.taskId !== batch[at]))
        problems.push('a list that lost or reordered its ids');
      for (const task of tasks)
        for (const result of task?.results ?? []) if (result.output?.signedUrl) urls.push(result.output.signedUrl);
      answered += 1;
      await onAnswer?.(answered);
    });
    return urls;
  }

  /** One uncached task after another on the first replica: how long each took (a figure, never asserted). */
  async function sequentialLookups(tag: string): Promise<number[]> {
    const durations: number[] = [];
    for (const taskId of ids(tag, 10)) {
      const started = performance.now();
      const response = await ask(replicas[0]!, [taskId]);
      durations.push(performance.now() - started);
      const problem = answerProblem(response);
      if (problem) problems.push(problem);
    }
    return durations;
  }

  const warningsOf = (replica: AppReplica, prefix: string): number =>
    replica.warnings().filter((message) => message.startsWith(prefix)).length;
  const sampleEach = async (series: string): Promise<Array<number | undefined>> =>
    Promise.all(replicas.map(async (replica) => sampleOf(await replica.metrics(), series)));

  it('serves no forged entry, calls the provider once per task through a Redis that refuses writes, and resumes with one warn line per transition', async () => {
    // Normal: one call per task, then every entry is in Redis.
    const first = ids('a', REQUESTS * IDS_PER_REQUEST);
    await askAll(first);
    expect(problems).toEqual([]);
    expect(calls()).toBe(first.length);
    const normalMs = await sequentialLookups('n');

    // Every stored answer forged, three ways; the MAC refuses all of them.
    const taskKeys = (await admin.keys('*:task:*')).filter((key) =>
      first.some((taskId) => key.endsWith(`:task:${taskId}`)),
    );
    expect(taskKeys.length).toBe(first.length);
    for (const [index, key] of taskKeys.entries()) {
      const stored = (await admin.get(key))!;
      const forged = [
        stored.replace(/https:\/\/[^/"]+/g, `https://${FORGED_HOST}`),
        JSON.stringify({ ok: true, value: {} }),
        'not json',
      ][index % 3]!;
      await admin.set(key, forged, 'PX', 60_000);
    }
    const beforeForged = calls();
    const forgedUrls = await askAll(first);
    expect(problems).toEqual([]);
    expect(forgedUrls.filter((url) => url.includes(FORGED_HOST))).toEqual([]);
    expect(calls() - beforeForged).toBe(first.length);
    const dropped = (
      await sampleEach('redis_values_dropped_total{provider="tencent-mps",reason="signature"}')
    ).reduce<number>((sum, value) => sum + (value ?? 0), 0);
    expect(dropped).toBe(first.length);
    // The provider's answers replaced the forgeries: asked again, all from Redis.
    const beforeAgain = calls();
    await askAll(first);
    expect(calls() - beforeAgain).toBe(0);

    // Redis refuses writes a few answers into a load of new tasks.
    const second = ids('b', REQUESTS * IDS_PER_REQUEST);
    const beforeDegraded = calls();
    await askAll(second, async (answered) => {
      if (answered === 8) await admin.config('SET', 'maxmemory', '1');
    });
    expect(problems).toEqual([]);
    expect(calls() - beforeDegraded).toBe(second.length);
    const degradedMs = await sequentialLookups('d');
    expect(problems).toEqual([]);
    expect(replicas.map((replica) => warningsOf(replica, DEGRADED))).toEqual([1, 1]);
    expect(await sampleEach('redis_degraded')).toEqual([1, 1]);
    expect(await sampleEach('redis_up')).toEqual([0, 0]);
    // Stored answers are still read while degraded.
    const beforeRead = calls();
    await askAll(first.slice(0, 20));
    expect(calls() - beforeRead).toBe(0);

    // Writes again: each replica's next probe finds out, and shared mode resumes.
    await admin.config('SET', 'maxmemory', '0');
    const probes = ids('p', 40);
    for (let attempt = 0; attempt < 20 && (await sampleEach('redis_up')).some((up) => up !== 1); attempt += 1) {
      await Promise.all(replicas.map((replica, index) => ask(replica, [probes[attempt * 2 + index]!])));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(await sampleEach('redis_up')).toEqual([1, 1]);
    expect(await sampleEach('redis_degraded')).toEqual([0, 0]);
    expect(replicas.map((replica) => warningsOf(replica, BACK))).toEqual([1, 1]);
    expect(replicas.map((replica) => warningsOf(replica, DEGRADED))).toEqual([1, 1]);
    const [shared] = ids('s', 1);
    const beforeShared = calls();
    for (const replica of replicas) await ask(replica, [shared!]);
    expect(calls() - beforeShared).toBe(1);

    expect(problems).toEqual([]);
    expect(crashes).toEqual([]);
    const everything = replicas.flatMap((replica) => replica.logs).join('\n');
    for (const secret of [...SECRET_VALUES, VALUE_KEY, REDIS_PASSWORD]) expect(everything).not.toContain(secret);

    const figures = {
      requests: sent,
      tasksPerPhase: first.length,
      forgedEntries: taskKeys.length,
      forgedServed: 0,
      droppedSignature: dropped,
      providerCallsWhileDegraded: second.length,
      warnLines: replicas.map((replica) => replica.warnings().filter((message) => message.startsWith('redis')).length),
      sequentialLookupMedianMs: { normal: Math.round(median(normalMs)), degraded: Math.round(median(degradedMs)) },
      sequentialLookupMaxMs: {
        normal: Math.round(Math.max(...normalMs)),
        degraded: Math.round(Math.max(...degradedMs)),
      },
    };
    process.stdout.write(`[reliability] redis faults: ${JSON.stringify(figures)}\n`);
  }, 180_000);
});
